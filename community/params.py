"""Numbers from paths, query strings and forms, kept to what the database can hold.

A bigger number than an id column holds is a database error (PostgreSQL's `integer` is 32
bits and refuses it; SQLite raises OverflowError past 64 bits): such a number names
nothing, so it is treated as no number at all.
"""

from flask import request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the ids are Integer columns: `integer` on PostgreSQL
# Far beyond any real page; page x page size stays within OFFSET's 64 bits on both engines.
MAX_PAGE = 10**9


class IdConverter(IntegerConverter):
    """`<int:...>` in a route: a number beyond MAX_ID matches no route (404)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def an_id(value: int | None) -> int | None:
    return value if value is not None and 0 <= value <= MAX_ID else None


def id_arg(name: str) -> int | None:
    """?name=<id>, or None when it is missing or no id."""
    return an_id(request.args.get(name, type=int))


def form_id(name: str) -> int | None:
    return an_id(request.form.get(name, type=int))


def page_arg() -> int:
    """?page=<n>: from 1 to MAX_PAGE, else 1."""
    page = request.args.get("page", type=int)
    return page if page is not None and 1 <= page <= MAX_PAGE else 1
