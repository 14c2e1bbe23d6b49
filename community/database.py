"""Engine rules that make SQLite fit for real use (PostgreSQL needs none)."""

from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection

from community.extensions import db


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _on_connect):
        return
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module, which would otherwise start
    # transactions late (at the first write), so reads before it see stale data.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 15000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _on_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front: a transaction that read and then writes can
    # never fail with SQLITE_BUSY halfway (other writers wait on busy_timeout instead).
    # Page views only read: a deferred transaction reads a snapshot beside the writer
    # (WAL), so views on several processes, or greenlets waiting on Redis in one, never
    # queue behind each other's write lock.
    connection.exec_driver_sql("BEGIN" if _only_reads() else "BEGIN IMMEDIATE")


def _only_reads() -> bool:
    return (
        has_request_context()
        and request.method in ("GET", "HEAD")
        and not g.get("database_writes", False)
    )


def writes_ahead() -> None:
    """A page view that must write (rare): end its read transaction; the next one takes
    the write lock before it reads. Harmless on PostgreSQL."""
    g.database_writes = True
    db.session.commit()
