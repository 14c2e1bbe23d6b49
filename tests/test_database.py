"""SQLite rules: page views read beside a writer, and every other transaction writes safely."""

import sqlite3
import threading
import time

import flask_migrate
import pytest
from sqlalchemy import text

from community import config as settings
from community import create_app
from community.extensions import db
from tests.helpers import make_runner


@pytest.fixture
def sqlite_app(app, tmp_path):
    """The suite's app on SQLite; on a PostgreSQL run, one of its own built from the
    migrations (these are SQLite's locking rules: PostgreSQL reads beside writers anyway)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        yield app
        return
    own = create_app(settings.testing(f"sqlite:///{tmp_path / 'locks.db'}", tmp_path))
    with own.app_context():
        flask_migrate.upgrade()
    yield own
    with own.app_context():
        db.engine.dispose()


@pytest.fixture
def sqlite_file(sqlite_app):
    return sqlite_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def test_a_page_view_is_not_held_up_by_a_writer_holding_the_lock(sqlite_app, sqlite_file):
    make_runner(sqlite_app, "ana")
    writer = sqlite3.connect(sqlite_file, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE users SET display_name = 'Not yet' WHERE username = 'ana'")
        started = time.perf_counter()
        response = sqlite_app.test_client().get("/u/ana")
        waited = time.perf_counter() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert response.status_code == 200
    assert "Not yet" not in response.get_data(as_text=True)
    assert waited < 5  # the busy timeout is 15 s: a view that queued would wait for it


def test_other_transactions_wait_for_the_writer_then_go_ahead(sqlite_app, sqlite_file):
    make_runner(sqlite_app, "ana")
    writer = sqlite3.connect(sqlite_file, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: writer.execute("COMMIT"))
    release.start()
    try:
        with sqlite_app.app_context():
            started = time.perf_counter()
            db.session.execute(text("UPDATE users SET bio = 'x' WHERE username = 'ana'"))
            db.session.commit()
            waited = time.perf_counter() - started
    finally:
        release.join()
        writer.close()
    assert waited >= 0.4  # it queued on the write lock, then went ahead
