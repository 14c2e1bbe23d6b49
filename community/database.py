"""Engine rules that make SQLite fit for real use (PostgreSQL needs none)."""

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection


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
    connection.exec_driver_sql("BEGIN IMMEDIATE")
