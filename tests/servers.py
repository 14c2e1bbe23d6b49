"""Real server processes, `python app.py` with gevent, and the clients that talk to them:
HTTP over requests (log-in, forms with their CSRF tokens) and python-socketio websockets.

Shared by tests/test_server_process.py (one server), tests/test_cluster.py (two servers on
one database and one Redis) and tests/test_js_client.py (the official JavaScript client).
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import socketio
from sqlalchemy import make_url

from community.config import normalise_database_url
from tests.helpers import empty_postgres_database

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "runhive-demo-2026"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# Settings the developer's shell may hold that would change how the server behaves.
_APP_SETTINGS = ("RUNHIVE_ENV", "REDIS_URL", "SOCKETIO_ALLOWED_ORIGINS", "PROXY_HOPS")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(
    folder: Path,
    port: int,
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    secret_key: str | None = None,
    channel: str | None = None,
) -> dict[str, str]:
    """Everything the server writes stays in `folder`: by default its SQLite database is
    here and its secret key is in the environment. Servers of one cluster share the
    database, the Redis and the secret key, as the README's "Running at scale" says."""
    env = {key: value for key, value in os.environ.items() if key not in _APP_SETTINGS}
    env.update(
        DATABASE_URL=database_url or f"sqlite:///{folder / 'runhive.db'}",
        SECRET_KEY=secret_key or secrets.token_urlsafe(32),
        SOCKETIO_ASYNC_MODE="gevent",
        HOST="127.0.0.1",
        PORT=str(port),
        # No test reaches the network: maps draw without tiles.
        MAP_TILE_URL="",
    )
    if redis_url:
        # A name of its own on the shared Redis: no other program's events or limits mix in.
        name = channel or f"runhive-test-{secrets.token_hex(4)}"
        env.update(REDIS_URL=redis_url, SOCKETIO_CHANNEL=name, RATELIMIT_KEY_PREFIX=name)
    return env


# Bounds for a process's work, not expectations of speed: measured at a load average of 6
# on 2 cores, importing the app took 11 s (2.6 s of CPU) and seed-demo 22 s (6.4 s of CPU);
# with other suites running, a load of 15 made seed-demo overrun the 60 s it was given.
COMMAND_TIMEOUT = 300
START_TIMEOUT = 120


def flask(env: dict[str, str], *args: str) -> str:
    """`flask --app app ARGS…` in its own process; returns what it printed."""
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    done = subprocess.run(  # noqa: S603
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"`flask {' '.join(args)}` exited with {done.returncode}:\n{done.stderr}")
    return done.stdout


class PortTaken(Exception):
    """The free port picked for a server was taken by another program before it bound it."""


def listening(pid: int, port: int) -> bool:
    """Whether process `pid` holds the socket listening on `port` (Linux's /proc). A port
    found free is not reserved: until our server binds it, another program may (another
    suite's live server on this machine), and would then answer in its place."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:  # the process is gone
        return False
    held = set()
    for fd in fds:
        try:
            held.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:  # closed meanwhile
            continue
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
            return f"socket:[{inode}]" in held
    return False


def wait_until_serving(
    url: str, process: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT
) -> None:
    """Poll /login until this process answers it; waiting on the process doubles as the pause
    between polls. PortTaken if it exited because its port was in use."""
    port = urlsplit(url).port
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answered = requests.get(f"{url}/login", timeout=1).status_code == 200
            if answered and listening(process.pid, port):
                return
        except requests.ConnectionError:
            pass
        try:
            process.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        output = log.read_text()
        if "Address already in use" in output:
            raise PortTaken(url)
        pytest.fail(f"the server exited with {process.returncode}:\n{output}")
    pytest.fail(f"the server did not answer within {timeout} s:\n{log.read_text()}")


def start(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`python app.py` with `env`, its output appended to `log`; not yet waited for."""
    with log.open("a") as output:
        return subprocess.Popen(
            [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def own_database_url(folder: Path, suffix: str) -> str:
    """A SQLite file in `folder`, or, with TEST_DATABASE_URL, an empty database of its own
    (`<name>_<suffix>`) on that PostgreSQL server, for servers started by a test."""
    postgres = os.environ.get("TEST_DATABASE_URL")
    if not postgres:
        return f"sqlite:///{folder / 'runhive.db'}"
    url = make_url(normalise_database_url(postgres))
    url = url.set(database=f"{url.database}_{suffix}")
    rendered = url.render_as_string(hide_password=False)
    empty_postgres_database(rendered)
    return rendered


@contextmanager
def serving(*servers: tuple[dict[str, str], Path]) -> Iterator[list[str]]:
    """`python app.py` once for each (env, log file), their database already migrated; all
    start at once. Yields their URLs, in order."""
    processes: list[subprocess.Popen] = []
    try:
        for env, log in servers:
            processes.append(start(env, log))
        urls = []
        for n, (env, log) in enumerate(servers):
            for _attempt in range(3):
                url = f"http://{env['HOST']}:{env['PORT']}"
                try:
                    wait_until_serving(url, processes[n], log)
                    break
                except PortTaken:  # since it was found free: try another
                    env["PORT"] = str(free_port())
                    processes[n] = start(env, log)
            else:
                pytest.fail(f"no free port stayed free for the server:\n{log.read_text()}")
            urls.append(url)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def demo_server(folder: Path) -> Iterator[str]:
    """One server on a free port, with a freshly migrated and seeded SQLite database."""
    env = server_env(folder, free_port())
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    with serving((env, folder / "server.log")) as (url,):
        yield url


def csrf_token(http: requests.Session, url: str) -> str:
    match = _TOKEN.search(http.get(url, timeout=5).text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def logged_in(server: str, username: str, password: str = DEMO_PASSWORD) -> requests.Session:
    """A browser-like HTTP session, logged in through the real form."""
    session = requests.Session()
    form = {"login": username, "password": password}
    form["csrf_token"] = csrf_token(session, f"{server}/login")
    response = session.post(f"{server}/login", data=form, allow_redirects=False, timeout=5)
    assert response.status_code == 302, f"{username} could not log in: {response.status_code}"
    return session


def cookie_header(http: requests.Session) -> str:
    return "; ".join(f"{name}={value}" for name, value in http.cookies.get_dict().items())


def new_client() -> socketio.Client:
    # websocket-client adds an Origin header of its own unless told not to; the server would
    # then see two origins joined by a comma, and refuse them. `connect` sends exactly one.
    return socketio.Client(reconnection=False, websocket_extra_options={"suppress_origin": True})


def connect(server: str, cookies: dict[str, str], client: socketio.Client) -> socketio.Client:
    headers = {"Origin": server}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    client.connect(server, headers=headers, transports=["websocket"], wait_timeout=5)
    return client


def submit(
    http: requests.Session, server: str, path: str, data: dict[str, str] | None = None
) -> requests.Response:
    """POST a form as a browser would: with a CSRF token from one of the site's pages."""
    form = {"csrf_token": csrf_token(http, f"{server}/feed/"), **(data or {})}
    return http.post(f"{server}{path}", data=form, allow_redirects=False, timeout=5)


def _field(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*\bvalue="([^"]*)"', page)
    assert match, f"no {name} field on the page"
    return match.group(1)


def log_run(http: requests.Session, server: str, username: str) -> int:
    """Log a 5 km run through the /runs/new form (starting now, as the form offers);
    returns the id of the feed item it made, the newest on the runner's feed."""
    page = http.get(f"{server}/runs/new", timeout=5).text
    form = {
        "csrf_token": _field(page, "csrf_token"),
        "date": _field(page, "date"),
        "time": _field(page, "time"),
        "distance": "5",
        "duration": "0:27:30",
        "run_type": "easy",
        "visibility": "public",
    }
    response = http.post(f"{server}/runs/new", data=form, allow_redirects=False, timeout=5)
    assert response.status_code == 302, f"the run was not logged: {response.status_code}"
    feed = http.get(f"{server}/feed/u/{username}", timeout=5).text
    match = re.search(r'data-item-id="(\d+)"', feed)
    assert match, f"no item on {username}'s feed"
    return int(match.group(1))


def give_kudos(http: requests.Session, server: str, item_id: int) -> None:
    response = submit(http, server, f"/feed/items/{item_id}/kudos")
    assert response.status_code == 302, f"kudos refused: {response.status_code}"


SOCKET_WAIT = 10  # seconds, for anything to arrive


class Socket:
    """A runner's page on a server: its socket, and everything the socket hears, in order."""

    def __init__(self, client: socketio.Client) -> None:
        self.client = client
        self.heard: list[tuple[str, Any]] = []
        self._news = threading.Condition()
        client.on("*", self._hear)

    def _hear(self, event: str, *args: Any) -> None:
        with self._news:
            self.heard.append((event, args[0] if args else None))
            self._news.notify_all()

    def watch(self, **ask: Any) -> dict[str, Any]:
        return self.client.call("feed:watch", ask, timeout=SOCKET_WAIT)

    def wait_for(self, event: str, match: Callable[[Any], bool] = lambda _data: True) -> Any:
        def found() -> Any:
            return next((d for name, d in self.heard if name == event and match(d)), None)

        with self._news:
            if not self._news.wait_for(lambda: found() is not None, timeout=SOCKET_WAIT):
                pytest.fail(f"no {event} within {SOCKET_WAIT} s; heard {self.heard}")
            return found()
