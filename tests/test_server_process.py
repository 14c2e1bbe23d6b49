"""The real server process, `python app.py` with gevent: HTTP log-in, then live websockets."""

import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "runhive-demo-2026"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
# Settings the developer's shell may hold that would change how the server behaves.
_APP_SETTINGS = ("RUNHIVE_ENV", "REDIS_URL", "SOCKETIO_ALLOWED_ORIGINS", "PROXY_HOPS")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(folder: Path, port: int) -> dict[str, str]:
    """Everything the server writes stays in `folder`: database here, secret key in the env."""
    env = {key: value for key, value in os.environ.items() if key not in _APP_SETTINGS}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'runhive.db'}",
        SECRET_KEY=secrets.token_urlsafe(32),
        SOCKETIO_ASYNC_MODE="gevent",
        HOST="127.0.0.1",
        PORT=str(port),
    )
    return env


def flask(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)  # noqa: S603


def wait_until_serving(url: str, process: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    """Poll /login until it answers; waiting on the process doubles as the pause between polls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/login", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        try:
            process.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
    pytest.fail(f"the server did not answer within {timeout} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python app.py` on a free port, with a freshly migrated and seeded SQLite database."""
    folder = tmp_path_factory.mktemp("server")
    port = free_port()
    env = server_env(folder, port)
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    log = folder / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def csrf_token(http: requests.Session, url: str) -> str:
    match = _TOKEN.search(http.get(url, timeout=5).text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


@pytest.fixture
def http(server: str) -> Iterator[requests.Session]:
    """A browser-like HTTP session, logged in as the demo runner ana."""
    with requests.Session() as session:
        form = {"login": "ana", "password": DEMO_PASSWORD}
        form["csrf_token"] = csrf_token(session, f"{server}/login")
        response = session.post(f"{server}/login", data=form, allow_redirects=False, timeout=5)
        assert response.status_code == 302
        yield session


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


def test_logged_in_runner_connects_a_websocket_to_the_real_server(server, http):
    """The session cookie from an HTTP log-in opens a websocket from the same origin."""
    client = connect(server, http.cookies.get_dict(), new_client())
    try:
        assert client.connected
        assert client.transport() == "websocket"
    finally:
        client.disconnect()


def test_settings_saved_over_http_reach_the_runners_websocket_live(server, http):
    """A POST /settings is pushed, after its commit, to the socket of the same session."""
    names: list[str] = []
    pushed = threading.Event()
    client = new_client()

    @client.on("account:updated")
    def on_updated(data: dict[str, str]) -> None:
        names.append(data["display_name"])
        pushed.set()

    token = csrf_token(http, f"{server}/settings")
    connect(server, http.cookies.get_dict(), client)
    try:
        form = {
            "csrf_token": token,
            "display_name": "Ana on the real server",
            "bio": "",
            "units": "km",
            "timezone": "UTC",
            "default_visibility": "public",
        }
        response = http.post(f"{server}/settings", data=form, allow_redirects=False, timeout=5)
        assert response.status_code == 302
        assert pushed.wait(timeout=10), "no account:updated event within 10 s"
        assert names == ["Ana on the real server"]
    finally:
        client.disconnect()


def test_anonymous_websocket_is_refused_by_the_real_server(server):
    """Without a session the app's connect handler refuses the socket (not the origin check)."""
    client = new_client()
    with pytest.raises(socketio.exceptions.ConnectionError, match="namespaces failed to connect"):
        connect(server, {}, client)
    assert not client.connected
