"""Column types shared by every feature."""

import sqlite3
from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every engine (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        # SQLite stores text, so keep it naive there for correct ordering and comparison.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class epoch_seconds(FunctionElement[int]):
    """Whole seconds since 1970 of a UTCDateTime column, computed by the database.

    Reading integers is much cheaper than parsing thousands of timestamps in Python.
    """

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: object) -> str:
    column = compiler.process(element.clauses, **kw)
    # unixepoch() gives the same seconds as strftime('%s') at a third of the cost (no text
    # made and parsed again); SQLite has it from 3.38.
    if sqlite3.sqlite_version_info >= (3, 38):
        return f"unixepoch({column})"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler: SQLCompiler, **kw: object) -> str:
    # FLOOR: a cast alone rounds, and a run at 23:59:59.6 on a Sunday would join Monday.
    # date_part gives a double, cheaper than EXTRACT's numeric (a third off for 2,000 runs).
    column = compiler.process(element.clauses, **kw)
    return f"CAST(FLOOR(date_part('epoch', {column})) AS BIGINT)"


def escape_like(text: str) -> str:
    """`text` as itself in a LIKE pattern (with escape="\\"): its % and _ match only
    themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
