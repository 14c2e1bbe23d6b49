"""Engine rules that make SQLite fit for real use (PostgreSQL needs none)."""

import sqlite3
import time
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from community.extensions import db

BUSY_TIMEOUT_MS = 15000


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
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _on_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front: a transaction that read and then writes can
    # never fail with SQLITE_BUSY halfway (other writers wait on busy_timeout instead).
    # Page views only read: a deferred transaction reads a snapshot beside the writer
    # (WAL), so views on several processes, or greenlets waiting on Redis in one, never
    # queue behind each other's write lock.
    if _only_reads():
        connection.exec_driver_sql("BEGIN")
    else:
        _take_write_lock(connection.connection.dbapi_connection)


def _take_write_lock(dbapi_connection: Any) -> None:
    """BEGIN IMMEDIATE, waiting for the lock in Python rather than in SQLite's busy handler.

    SQLite's handler sleeps in C. Under gevent that sleep stops every greenlet, the one
    holding the lock included (a request waiting on Redis, say), so the wait ran out with
    "database is locked" after 15 s. Python's sleep lets the holder finish (and gevent
    patches it); under threads both are the same.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.001
    dbapi_connection.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error):
                    raise
                if time.monotonic() + pause > deadline:
                    raise OperationalError("BEGIN IMMEDIATE", None, error) from error
            time.sleep(pause)
            pause = min(pause * 2, 0.02)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


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


def end_transaction(response: Response) -> Response:
    """After the view, before the other after-request steps: whatever the view did not
    commit is dropped now (teardown would drop it anyway), so the write lock is never held
    while those steps wait on the network (rate-limit headers from Redis)."""
    if db.session().in_transaction():
        db.session.rollback()
    return response


def init_app(app: Flask) -> None:
    """Registered after the extensions: after-request steps run last-registered first."""
    app.after_request(end_transaction)
