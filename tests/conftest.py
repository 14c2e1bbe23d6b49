"""The suite runs on real engines: SQLite by default, PostgreSQL with TEST_DATABASE_URL.

SQLite: the schema is built once from the migrations into a template file that every test
copies. PostgreSQL: the schema is built once from the migrations; each test empties what it
wrote (`helpers.release_database`), so threads and live servers see committed data like in
production.
"""

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url
from werkzeug.serving import WSGIRequestHandler, make_server

from community import config as settings
from community import create_app
from community.extensions import db
from tests.helpers import empty_postgres_database, release_database


def _own_database_per_worker() -> None:
    """Under pytest-xdist each worker builds and empties a PostgreSQL database of its own
    (`<name>_gw0`, ...): set before any test module reads TEST_DATABASE_URL. SQLite files and
    Redis names are already per test."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("TEST_DATABASE_URL")
    if worker and url:
        name = make_url(settings.normalise_database_url(url))
        name = name.set(database=f"{name.database}_{worker}")
        os.environ["TEST_DATABASE_URL"] = name.render_as_string(hide_password=False)


_own_database_per_worker()
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


def _build_schema(url: str, instance: Path) -> None:
    app = create_app(settings.testing(url, instance))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    instance = tmp_path_factory.mktemp("instance")
    if POSTGRES_URL:
        url = settings.normalise_database_url(POSTGRES_URL)
        empty_postgres_database(url)
        _build_schema(url, instance)
        return url
    path = instance / "template.db"
    _build_schema(f"sqlite:///{path}", instance)
    return str(path)


def _fresh_sqlite_copy(template: str, target: Path) -> None:
    # The backup API copies a consistent snapshot, WAL included. closing(): a connection's
    # own `with` ends a transaction but leaves the connection open (a ResourceWarning, so
    # an error here, on Python 3.13+ when it is collected).
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)


@pytest.fixture
def app(migrated_database: str, tmp_path: Path) -> Iterator[Flask]:
    if POSTGRES_URL:
        url = migrated_database
    else:
        target = tmp_path / "runhive.db"
        _fresh_sqlite_copy(migrated_database, target)
        url = f"sqlite:///{target}"
    app = create_app(settings.testing(url, tmp_path))
    yield app
    release_database(app)


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An application context, for specs that call services directly."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


_RESPONSE = "tests.response"  # where the live server keeps each request's response
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class LiveServerHandler(WSGIRequestHandler):
    """werkzeug's request handler, which closes the response when the client went away.

    werkzeug's run_wsgi closes the response in a `finally`, after reading what is left of
    the request; on a connection the browser has reset (a context closed while a script
    still loaded) that read raises, and close() is skipped. A static file's handle then
    stayed open until collected, a ResourceWarning that filterwarnings = error made an
    error in whichever test was running by then."""

    def connection_dropped(
        self, error: BaseException, environ: dict[str, Any] | None = None
    ) -> None:
        response = (environ or {}).pop(_RESPONSE, None)
        if hasattr(response, "close"):
            response.close()

    @staticmethod
    def keeping_responses(app: WSGIApp) -> WSGIApp:
        """`app`, with each response kept in its environ for connection_dropped."""

        def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            response = app(environ, start_response)
            environ[_RESPONSE] = response
            return response

        return serve


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP and WebSocket on a free local port.

    Afterwards Socket.IO's background task (one per app, which checks its sockets every
    ping timeout) is stopped: left running, each live server's task outlived its test for
    good, holding that app and its sockets. (Not engine.io's disconnect() of every socket:
    it waits for each socket's queue to drain, forever for a page already closed.)"""
    sockets = app.extensions["socketio"].server  # this app's Socket.IO server
    server = make_server(
        "127.0.0.1",
        0,
        LiveServerHandler.keeping_responses(app),
        threaded=True,
        request_handler=LiveServerHandler,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    sockets.shutdown()


@pytest.fixture
def counters_checked(app: Flask) -> Iterator[None]:
    """After the spec: every stored counter still matches its rows (`flask check`)."""
    yield
    from community.invariants import differences

    with app.app_context():
        found = [str(difference) for difference in differences()]
        db.session.remove()
    assert found == []
