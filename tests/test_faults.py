"""Faults: Redis stopped under a running server, PostgreSQL out of reach.

Redis: a private `redis-server` this test starts and stops. Pages, RSVPs, runs and kudos
keep working while it is away; when it is back, live events flow again and open pages are
told to catch up (`live:resync`).

PostgreSQL: the server reaches it through a port this test opens and closes (a small TCP
relay to the real server): while closed, requests answer a 503 page at once; reopened, the
same process serves again, with no restart.
"""

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, make_url, text

from community.config import normalise_database_url
from tests.helpers import drop_postgres_database, empty_postgres_database, require
from tests.servers import (
    Socket,
    connect,
    flask,
    free_port,
    give_kudos,
    log_run,
    logged_in,
    new_client,
    own_database_url,
    server_env,
    serving,
    submit,
)

PROMPT = 3  # seconds: what "at once" means for a request while a part is away


class PrivateRedis:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            require("redis-server is not installed; the Redis fault test starts its own")
        self.process = subprocess.Popen(  # noqa: S603
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        pytest.fail("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def subscribers(self, channel: str) -> int:
        ((_name, count),) = redis.Redis(port=self.port).pubsub_numsub(channel)
        return count


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def timed(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    result = call(*args, **kwargs)
    assert time.monotonic() - started < PROMPT, f"{call.__name__} took too long"
    return result


def test_without_redis_the_site_works_and_live_events_resume_when_it_returns(
    tmp_path: Path, private_redis: PrivateRedis
):
    channel = "runhive-faults"
    env = server_env(
        tmp_path,
        free_port(),
        database_url=own_database_url(tmp_path, "faults"),
        redis_url=private_redis.url,
        channel=channel,
    )
    cli_env = {k: v for k, v in env.items() if k not in ("SOCKETIO_ASYNC_MODE", "PORT")}
    flask(cli_env, "db", "upgrade")
    flask(cli_env, "seed-demo")
    with serving((env, tmp_path / "server.log")) as (url,), logged_in(url, "ben") as ben:
        ana = logged_in(url, "ana")
        watcher = Socket(new_client())
        connect(url, ana.cookies.get_dict(), watcher.client)
        try:
            private_redis.stop()
            item = timed(log_run, ana, url, "ana")
            for page in ("/dashboard", "/feed/", "/clubs/", "/challenges/", "/group-runs/"):
                assert timed(ben.get, f"{url}{page}", timeout=10).status_code == 200, page
            timed(give_kudos, ben, url, item)
            response = timed(submit, ben, url, f"/feed/items/{item}/comments", {"body": "Go!"})
            assert response.status_code == 302
            with logged_in(url, "chloe") as chloe:  # a log-in, rate limits counted in memory
                assert timed(chloe.get, f"{url}/dashboard", timeout=10).status_code == 200

            private_redis.start()
            deadline = time.monotonic() + 30
            while private_redis.subscribers(channel) < 1:
                assert time.monotonic() < deadline, "the server never subscribed again"
                time.sleep(0.2)
            watcher.wait_for("live:resync")
            assert watcher.watch(feed="home", id=None, items=[item])["ok"]
            submit(ben, url, f"/feed/items/{item}/kudos/delete")
            give_kudos(ben, url, item)
            assert watcher.wait_for("feed:kudos", lambda data: data["item_id"] == item)
        finally:
            watcher.client.disconnect()
            ana.close()


class Relay:
    """A port that forwards to PostgreSQL while open; closing it cuts every connection."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.open_sockets: list[socket.socket] = []

    def open(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def close(self) -> None:
        if self.listener is not None:
            _cut(self.listener)
            self.listener = None
        for each in self.open_sockets:
            _cut(each)
        self.open_sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.open_sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _cut(source)
            _cut(sink)


def _cut(connection: socket.socket) -> None:
    # shutdown() wakes a thread blocked in recv(); close() alone does not.
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()


def test_with_postgresql_out_of_reach_requests_fail_fast_and_recover_without_a_restart(
    tmp_path: Path,
):
    base = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/runhive"
    real = make_url(normalise_database_url(base))
    # A database of this run's own: on SQLite runs the base name is the same for every
    # checkout, and a suite running beside this one would drop its schema mid-test.
    real = real.set(database=f"{real.database}_unreachable_{secrets.token_hex(4)}")
    empty_postgres_database(real.render_as_string(hide_password=False))
    relay = Relay((real.host or "127.0.0.1", real.port or 5432))
    relay.open()
    through = real.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    env = server_env(tmp_path, free_port(), database_url=through)
    cli_env = {k: v for k, v in env.items() if k not in ("SOCKETIO_ASYNC_MODE", "PORT")}
    flask(cli_env, "db", "upgrade")
    flask(cli_env, "seed-demo")
    try:
        with serving((env, tmp_path / "server.log")) as (url,), logged_in(url, "ana") as ana:
            assert ana.get(f"{url}/dashboard", timeout=10).status_code == 200
            relay.close()
            for page in ("/dashboard", "/feed/", "/login"):
                response = timed(ana.get, f"{url}{page}", timeout=10)
                assert response.status_code == 503, page
                assert "The database is busy or out of reach" in response.text
            relay.open()
            assert timed(ana.get, f"{url}/dashboard", timeout=10).status_code == 200
            assert log_run(ana, url, "ana") > 0
    finally:
        relay.close()
        engine = create_engine(real)
        try:
            with engine.connect() as connection:
                assert connection.execute(text("SELECT 1")).scalar() == 1
        finally:
            engine.dispose()
            drop_postgres_database(real.render_as_string(hide_password=False))
