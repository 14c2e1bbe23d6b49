"""Builders and helpers the specs share: real users, real forms with real CSRF tokens."""

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import unescape
from io import BytesIO
from typing import TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url
from sqlalchemy import text as sql
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from community.accounts import services
from community.accounts.models import User
from community.extensions import db

T = TypeVar("T")

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def require(reason: str) -> None:
    """Skip on a newcomer's machine; fail in CI, where every part must be present."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so this part is required)")
    pytest.skip(reason)


def empty_postgres_database(url: str) -> None:
    """Create the database at `url` when the server has none of that name yet, then empty
    it: a fresh `public` schema, for the migrations to build."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(
                sql("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).scalar()
            if not exists:
                connection.execute(sql(f'CREATE DATABASE "{target.database}"'))
    except Exception as error:
        require(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {error}")
    finally:
        server.dispose()
    engine = create_engine(target)
    try:
        with engine.begin() as connection:
            connection.execute(sql("DROP SCHEMA public CASCADE"))
            connection.execute(sql("CREATE SCHEMA public"))
    except Exception as error:
        require(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {error}")
    finally:
        engine.dispose()


def drop_postgres_database(url: str) -> None:
    """Drop the database at `url`, closing whatever connections it still has."""
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        server.dispose()


def make_runner(
    app: Flask, username: str = "ana", *, password: str = PASSWORD, **fields: str
) -> User:
    with app.app_context():
        user = services.register_user(
            username=username,
            email=fields.pop("email", f"{username}@example.com"),
            display_name=fields.pop("display_name", username.title()),
            password=password,
        )
        for name, value in fields.items():
            setattr(user, name, value)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def csrf_token(client: FlaskClient, page: str = "/login") -> str:
    response = client.get(page, follow_redirects=True)
    match = _TOKEN.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def submit(
    client: FlaskClient,
    url: str,
    data: dict[str, object] | None = None,
    *,
    page: str = "/login",
    **kwargs: object,
) -> TestResponse:
    """POST a form as a browser would: with the CSRF token of this client's session."""
    payload = {"csrf_token": csrf_token(client, page), **(data or {})}
    return client.post(url, data=payload, **kwargs)


def post_file(
    client: FlaskClient, url: str, data: bytes, filename: str, *, field: str = "photo", page: str
) -> TestResponse:
    """POST a form with one file, as a browser would. The body is encoded in memory: the
    test client spools a big one to a temporary file it never closes (a ResourceWarning)."""
    boundary, body = encode_multipart(
        {
            "csrf_token": csrf_token(client, page),
            field: FileStorage(BytesIO(data), filename, content_type="application/octet-stream"),
        }
    )
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def log_in(
    client: FlaskClient, login: str = "ana", password: str = PASSWORD, **extra: object
) -> TestResponse:
    return submit(client, "/login", {"login": login, "password": password, **extra})


def as_(app: Flask, username: str) -> FlaskClient:
    """A client logged in as `username`, through the real login form."""
    client = app.test_client()
    log_in(client, username)
    return client


def html(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def text(response: TestResponse) -> str:
    """What a person reads on the page: tags dropped, entities decoded, spaces folded."""
    without_tags = re.sub(r"<[^>]+>", " ", html(response))
    return re.sub(r"\s+", " ", unescape(without_tags)).strip()


def make_club(app: Flask, owner: User, slug: str = "riverside", **fields: str) -> int:
    """A club owned by `owner`; returns its id (clubs are re-read inside each context)."""
    from community.clubs import services as clubs

    with app.app_context():
        club = clubs.create_club(
            db.session.get(User, owner.id),
            name=fields.pop("name", slug.replace("-", " ").title()),
            slug=slug,
            **fields,
        )
        db.session.commit()
        return club.id


def add_member(app: Flask, club_id: int, user: User, role: str = "member") -> None:
    from community.clubs.models import Membership

    with app.app_context():
        db.session.add(Membership(club_id=club_id, user_id=user.id, role=role))
        db.session.commit()


def url_rules(app: Flask) -> list[tuple[str, str]]:
    """(method, rule) of every route the app defines, static files aside, sorted."""
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def socket_events() -> dict[str, Callable[..., object]]:
    """Every Socket.IO event the server handles (of the last app made), but connect and
    disconnect, with its handler."""
    from community.extensions import socketio

    handlers = socketio.server.handlers["/"]
    return {name: h for name, h in handlers.items() if name not in ("connect", "disconnect")}


def at_once(app: Flask, job: Callable[[], T], times: int) -> tuple[list[T], list[Exception]]:
    """Run `job` in `times` threads released together, each in its own app context and
    transaction (committed, or rolled back on an error); returns results and errors."""
    return each_at_once(app, [job] * times)


def each_at_once(app: Flask, jobs: list[Callable[[], T]]) -> tuple[list[T], list[Exception]]:
    """Run each job in its own thread, released together, each in its own app context and
    transaction (committed, or rolled back on an error); returns results and errors."""
    barrier = threading.Barrier(len(jobs))
    results: list[T] = []
    errors: list[Exception] = []

    def run(job: Callable[[], T]) -> None:
        with app.app_context():
            try:
                barrier.wait()
                results.append(job())
                db.session.commit()
            except Exception as error:  # returned to the test, which asserts on it
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


# Every sequence of the schema back to 1, as a fresh database has them.
RESTART_SEQUENCES = sql(
    "SELECT setval(c.oid, 1, false) FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)


def release_database(app: Flask) -> None:
    """After a spec's app: on PostgreSQL empty every table and restart its ids (the schema
    stays for the next spec); on either engine close the app's connections."""
    with app.app_context():
        db.session.remove()
        if os.environ.get("TEST_DATABASE_URL"):
            # DELETE, children first, not TRUNCATE: a spec leaves a few rows, and TRUNCATE
            # of 27 tables makes new files for each, 70 ms a spec (280 ms on a busy
            # machine) against 2-4 ms.
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
                connection.execute(RESTART_SEQUENCES)
        db.engine.dispose()


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def statements_run(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run meanwhile, transaction control aside (SQLite's BEGIN is a
    statement, PostgreSQL's is not)."""
    seen: list[str] = []

    def count(_conn, _cursor, statement: str, *_args: object) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
