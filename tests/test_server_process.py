"""The real server process, `python app.py` with gevent: HTTP log-in, then live websockets."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio

from tests.servers import connect, csrf_token, demo_server, logged_in, new_client


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the server keeps its database and writes its output (server.log)."""
    return tmp_path_factory.mktemp("server")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[str]:
    """`python app.py` on a free port, with a freshly migrated and seeded SQLite database."""
    with demo_server(folder) as url:
        yield url


def test_the_server_says_where_to_open_it_when_it_starts(server, folder):
    assert f"Runhive is serving on {server}" in (folder / "server.log").read_text()


@pytest.fixture
def http(server: str) -> Iterator[requests.Session]:
    """A browser-like HTTP session, logged in as the demo runner ana."""
    with logged_in(server, "ana") as session:
        yield session


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
