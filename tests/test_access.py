"""The access matrix walked: every cell of tests/access_matrix.py against a real app.

One app and one world (tests/world.py) serve the whole module. Each cell asks one route or
event as one role, from the world as it was built: a cell that changed the database has the
world's rows put back before the next (a copy of the SQLite file; on PostgreSQL, the rows
inserted again), and a role whose session it ended or changed logs in afresh. A refusal
must change nothing, and no response may show a marker its role may not read
(tests/world.py SECRETS).
"""

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, event

from community import config as settings
from community import create_app
from community.extensions import cache, db, socketio
from tests import access_matrix, world
from tests.access_matrix import ROWS, Row, path_of, resolved
from tests.helpers import csrf_token, log_in, release_database, socket_events, url_rules

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


class Writes:
    """Whether a transaction that wrote has committed since the last look: the cheap test
    before the full comparison of every table (a write may be rolled back, or change a
    row to what it was)."""

    def __init__(self, engine: Engine) -> None:
        self.committed = False
        event.listen(engine, "after_cursor_execute", self._executed)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    def _executed(self, connection: Connection, *args: object) -> None:
        statement = str(args[1]).lstrip()[:6].upper()
        if statement in ("INSERT", "UPDATE", "DELETE"):
            connection.info["wrote"] = True

    def _commit(self, connection: Connection) -> None:
        self.committed = connection.info.pop("wrote", False) or self.committed

    def _rollback(self, connection: Connection) -> None:
        connection.info.pop("wrote", None)

    def look(self) -> bool:
        committed, self.committed = self.committed, False
        return committed


@dataclass
class Site:
    """The module's app, its world, and a logged-in client per role."""

    app: Flask
    values: dict[str, Any]
    writes: Writes
    database: Path | None  # SQLite: the live file; None on PostgreSQL
    template: Path | None  # SQLite: the world's file, copied back over the live one
    pristine: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    dirty: bool = False

    def client(self, role: str) -> FlaskClient:
        if role not in self.clients:
            client = self.app.test_client()
            if role != "anonymous":
                assert log_in(client, world.PLAYERS[role]).status_code == 302
            # Any page has the token (the header's log-out form); this one is small.
            page = "/login" if role == "anonymous" else "/follows/requests"
            client.token = csrf_token(client, page)  # type: ignore[attr-defined]
            self.clients[role] = client
        return self.clients[role]

    def restore(self) -> None:
        """Put the world back if a cell (or a log-in) changed it."""
        if not (self.dirty or self.writes.look()):
            return
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
            cache.clear()
        if self.template is not None and self.database is not None:
            _copy_sqlite(self.template, self.database)
        else:
            world.restore_postgres(self.app, self.pristine)
        self.writes.look()
        self.dirty = False

    def changes(self) -> list[str]:
        """The tables a cell changed (the full comparison, only after a write committed)."""
        if not self.writes.look():
            return []
        self.dirty = True
        with self.app.app_context():
            return world.changed_tables(self.pristine, world.snapshot())


def _user_of(client: FlaskClient) -> object:
    with client.session_transaction() as session:
        session.pop("_flashes", None)  # a refusal's message, never read here
        return session.get("_user_id")


def _copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)


@pytest.fixture(scope="module")
def site(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("access")
    database = template = None
    if POSTGRES_URL:
        url = migrated_database
    else:
        database, template = folder / "access.db", folder / "world.db"
        _copy_sqlite(Path(migrated_database), database)
        url = f"sqlite:///{database}"
    config = settings.testing(url, folder)
    config["RATELIMIT_ENABLED"] = False  # a log-in per role and per cell that changed things
    app = create_app(config)
    with app.app_context():
        values = world.build()
        site = Site(app, values, Writes(db.engine), database, template)
    for role in world.ROLES:  # the log-ins are part of the world
        site.client(role)
    with app.app_context():
        site.pristine = world.snapshot()
        db.engine.dispose()
    if template is not None and database is not None:
        _copy_sqlite(database, template)
    site.writes.look()
    yield site
    release_database(app)


# --- one cell ----------------------------------------------------------------------------


@dataclass
class Seen:
    outcome: str  # in the matrix's words
    detail: str  # the status and where it led, for the failure message
    shown: str  # what the role was shown, read for markers


def _ask(site: Site, client: FlaskClient, row: Row) -> Seen:
    path = path_of(row, site.values)
    query = urlencode({k: resolved(v, site.values) for k, v in row.query.items()})
    url = f"{path}?{query}" if query else path
    if row.method == "GET":
        response = client.get(url)
    else:
        form: dict[str, Any] = {k: resolved(v, site.values) for k, v in row.data.items()}
        form["csrf_token"] = client.token  # type: ignore[attr-defined]
        for name, upload in row.files.items():
            form[name] = (BytesIO(upload.content), upload.filename)
        response = client.post(url, data=form)
    status, location = response.status_code, response.headers.get("Location", "")
    detail = f"{status} {location}".strip()
    target = urlsplit(location)
    # Flask-Login's redirect says where to come back to; a page that ends at /login does not.
    if 300 <= status < 400 and target.path == "/login" and "next=" in target.query:
        outcome = "login"
    elif status < 400:
        outcome = "ok"  # an action's "ok" or "no-op" is told by what changed
    else:
        outcome = str(status)
    # Read as text whatever it is (a picture's bytes too): a marker is found either way.
    return Seen(outcome, detail, response.get_data().decode("utf-8", "replace"))


def _emit(site: Site, client: FlaskClient, row: Row) -> Seen:
    socket = socketio.test_client(site.app, flask_test_client=client)
    if not socket.is_connected():
        return Seen("login", "refused at connect", "")
    try:
        if row.rule == "connect":
            return Seen("ok", "connected", "")
        payload = resolved(dict(row.data), site.values)
        answer = socket.emit(row.rule, payload, callback=True)
        asked = payload.get("items", [])  # type: ignore[union-attr]
        joined = answer.get("ok") is True and set(asked) <= set(answer.get("items", []))
        return Seen("ok" if joined else "refused", repr(answer), repr(answer))
    finally:
        socket.disconnect()


def _cell_id(row: Row, role: str) -> str:
    return f"{row.route} ({row.about}) as {role}"


CELLS = [(row, role) for row in ROWS for role in world.ROLES]


@pytest.mark.parametrize(("row", "role"), CELLS, ids=[_cell_id(r, role) for r, role in CELLS])
def test_cell(site: Site, row: Row, role: str) -> None:
    expected = row.outcome(role)
    client = site.client(role)
    site.restore()
    user = _user_of(client)
    try:
        seen = _emit(site, client, row) if row.method == "EVENT" else _ask(site, client, row)
    finally:
        changed = site.changes()
        if _user_of(client) != user:  # logged out, or in as someone else
            site.clients.pop(role)
    outcome = seen.outcome
    if row.method == "POST" and outcome == "ok" and not changed:
        outcome = "no-op" if row.writes or expected != "ok" else "ok"
    cell = _cell_id(row, role)
    assert outcome == expected, f"{cell}: expected {expected}, got {outcome} ({seen.detail})"
    if expected != "ok":
        assert not changed, f"{cell}: {expected}, yet it changed {', '.join(changed)}"
    reader = row.reads_as or role
    for marker, (what, readers) in world.SECRETS.items():
        assert reader in readers or marker not in seen.shown, f"{cell}: shows {what} ({marker})"


# --- the matrix itself ------------------------------------------------------------------------


def test_every_route_and_socket_event_has_a_row_and_every_row_a_route(site: Site) -> None:
    # The module's app: making another would rebind the shared Socket.IO server and limiter.
    declared = {*url_rules(site.app), *(("EVENT", name) for name in socket_events())}
    covered = {(row.method, row.rule) for row in ROWS if row.rule != "connect"}
    assert sorted(declared - covered) == [], "classify these in tests/access_matrix.py"
    assert sorted(covered - declared) == [], "these rows name no route or event"


def test_each_rows_path_reaches_its_rule(site: Site) -> None:
    adapter = site.app.url_map.bind("localhost")
    for row in ROWS:
        if row.method != "EVENT":
            rule, _ = adapter.match(path_of(row, site.values), row.method, return_rule=True)
            assert rule.rule == row.rule, f"{row.route} ({row.about}) reaches {rule.rule}"


def test_the_document_is_what_the_matrix_renders() -> None:
    written = access_matrix.DOCUMENT.read_text(encoding="utf-8")
    assert written == access_matrix.render(), "run: .venv/bin/python -m tests.access_matrix"
