"""SQLite rules: page views read beside a writer, and every other transaction writes safely."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text

from community.extensions import db
from tests.helpers import make_runner


@pytest.fixture
def sqlite_file(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("SQLite's locking rules; PostgreSQL reads beside writers anyway")
    return url.removeprefix("sqlite:///")


def test_a_page_view_is_not_held_up_by_a_writer_holding_the_lock(app, sqlite_file):
    make_runner(app, "ana")
    writer = sqlite3.connect(sqlite_file, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE users SET display_name = 'Not yet' WHERE username = 'ana'")
        started = time.perf_counter()
        response = app.test_client().get("/u/ana")
        waited = time.perf_counter() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert response.status_code == 200
    assert "Not yet" not in response.get_data(as_text=True)
    assert waited < 5  # the busy timeout is 15 s: a view that queued would wait for it


def test_other_transactions_wait_for_the_writer_then_go_ahead(app, sqlite_file):
    make_runner(app, "ana")
    writer = sqlite3.connect(sqlite_file, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: writer.execute("COMMIT"))
    release.start()
    try:
        with app.app_context():
            started = time.perf_counter()
            db.session.execute(text("UPDATE users SET bio = 'x' WHERE username = 'ana'"))
            db.session.commit()
            waited = time.perf_counter() - started
    finally:
        release.join()
        writer.close()
    assert waited >= 0.4  # it queued on the write lock, then went ahead
