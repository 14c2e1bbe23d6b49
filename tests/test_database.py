"""SQLite rules: page views read beside a writer, and every other transaction writes safely."""

import sqlite3
import subprocess
import sys
import threading
import time

import flask_migrate
import pytest
from sqlalchemy import text

from community import config as settings
from community import create_app
from community.extensions import db
from tests.helpers import csrf_token, make_runner


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
    committing: list[float] = []

    def commit() -> None:
        committing.append(time.perf_counter())
        writer.execute("COMMIT")

    # Half a second from now; the order of the two moments is the assertion, not a
    # duration, which a busy machine stretches on either side.
    release = threading.Timer(0.5, commit)
    release.start()
    try:
        with sqlite_app.app_context():
            db.session.execute(text("UPDATE users SET bio = 'x' WHERE username = 'ana'"))
            db.session.commit()
            done = time.perf_counter()
    finally:
        release.join()
        writer.close()
    assert committing[0] < done  # it queued on the write lock, then went ahead


def test_a_write_lock_not_had_in_time_is_a_503_that_says_so(sqlite_app, sqlite_file, monkeypatch):
    from community import database

    make_runner(sqlite_app, "ana")
    client = sqlite_app.test_client()
    token = csrf_token(client)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
    writer = sqlite3.connect(sqlite_file, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        response = client.post(
            "/login", data={"csrf_token": token, "login": "ana", "password": "x"}
        )
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    assert "The database is busy or out of reach" in response.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # and the next request goes ahead


GREENLETS_SHARING_THE_LOCK = """
from gevent import monkey; monkey.patch_all()
import pathlib, sys, time
import gevent
from sqlalchemy import text
from community import config as settings, create_app
from community.extensions import db
app = create_app(settings.testing("sqlite:///" + sys.argv[1], pathlib.Path(sys.argv[2])))
def write(hold):
    with app.app_context():
        db.session.execute(text("UPDATE users SET bio = 'x'"))
        gevent.sleep(hold)  # waiting on the network, say, with the lock held
        db.session.commit()
started = time.monotonic()
gevent.joinall([gevent.spawn(write, 0.5), gevent.spawn(write, 0)], raise_error=True)
print(round(time.monotonic() - started, 2))
"""


def test_waiting_for_the_write_lock_lets_the_holder_finish_under_gevent(sqlite_file, tmp_path):
    """Under gevent, the holder is a greenlet: a waiter that slept in SQLite's busy handler
    stopped it, and both waited out the whole timeout. Two greenlets in a fresh process."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", GREENLETS_SHARING_THE_LOCK, sqlite_file, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.strip().splitlines()[-1]) < 3


def test_mail_is_never_sent_inside_a_transaction(app):
    from community.mail import send_mail

    make_runner(app, "ana")
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        with pytest.raises(RuntimeError, match="commit first"):
            send_mail("ana@example.com", "Hi", "Body")
