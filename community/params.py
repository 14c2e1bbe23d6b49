"""Numbers from paths, query strings and forms, kept to what the database can hold.

A bigger number than an id column holds is a database error (PostgreSQL's `integer` is 32
bits and refuses it; SQLite raises OverflowError past 64 bits): such a number names
nothing, so it is treated as no number at all.
"""

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, request
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


def id_of(value: object) -> int | None:
    """An id from a JSON payload: an int (not a bool) that an id column holds."""
    return an_id(value) if type(value) is int else None


def id_arg(name: str) -> int | None:
    """?name=<id>, or None when it is missing or no id."""
    return an_id(request.args.get(name, type=int))


def form_id(name: str) -> int | None:
    return an_id(request.form.get(name, type=int))


def text_arg(name: str, limit: int = 100) -> str:
    """?name=<text>, cut to `limit` characters (a search longer than any name or city
    finds nothing either way, and SQLite refuses LIKE patterns past 50,000 bytes)."""
    return request.args.get(name, "")[:limit]


def page_arg() -> int:
    """?page=<n>: from 1 to MAX_PAGE, else 1."""
    page = request.args.get("page", type=int)
    return page if page is not None and 1 <= page <= MAX_PAGE else 1


# --- uploads: how big a request a route reads ----------------------------------------

View = TypeVar("View", bound=Callable[..., object])
# Room for the rest of a form beside its file: the CSRF token, field names, boundaries.
FORM_ENVELOPE = 64 * 1024


def upload_limit(file_bytes: int) -> Callable[[View], View]:
    """A route that takes one file of at most `file_bytes`: a bigger request is a 413 before
    any of it is read (the app's MAX_CONTENT_LENGTH is for whole export archives)."""

    def mark(view: View) -> View:
        view.upload_limit = file_bytes + FORM_ENVELOPE  # type: ignore[attr-defined]
        return view

    return mark


def route_upload_limit() -> int | None:
    """The limit of the route asked for, if it has its own."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "upload_limit", None)


def apply_upload_limit() -> None:
    """Before anything reads the body: the route's own limit, if it has one (never more
    than MAX_CONTENT_LENGTH)."""
    limit = route_upload_limit()
    if limit is not None:
        ceiling = current_app.config.get("MAX_CONTENT_LENGTH")
        request.max_content_length = min(limit, ceiling) if ceiling else limit


# --- text: what no text column stores --------------------------------------------------

TEXT_REFUSED = "The request contains a character that can't be stored (a NUL byte or a broken one)."


def storable(text: str) -> bool:
    """False for NUL and lone surrogates: PostgreSQL's text types refuse both."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def all_storable(value: object) -> bool:
    """Every string in a (JSON-like) value, its keys included, is storable."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return all(all_storable(k) and all_storable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(all_storable(v) for v in value)
    return True


def refuse_unstorable_input() -> None:
    """One rule for every route: the path, the query, the form, file names and a JSON body
    either hold only storable text, or the request is a 400 before any view sees it."""
    sources: list[object] = [
        request.path,
        list(request.args.items(multi=True)),
        list(request.form.items(multi=True)),
        [f.filename or "" for _, f in request.files.items(multi=True)],
    ]
    if request.is_json:
        sources.append(request.get_json(silent=True))
    if not all(all_storable(source) for source in sources):
        abort(400, description=TEXT_REFUSED)
