"""Text no column stores (NUL, lone surrogates) is refused at the door, on every route and
socket event alike: a 400 with the reason, the same on both engines, and nothing written."""

import io
import time

import pytest
import socketio as socketio_client
from sqlalchemy import func, select

from community.clubs.models import Club
from community.extensions import db, socketio
from community.feed.models import Comment
from community.params import TEXT_REFUSED, all_storable, storable
from tests.feed.builders import log_run
from tests.helpers import as_, make_club, make_runner, submit, text
from tests.servers import connect, demo_server, logged_in, new_client


@pytest.mark.parametrize(
    ("value", "ok"),
    [("Riverside", True), ("Zoë 🏃", True), ("a\x00b", False), ("\ud800", False), ("", True)],
)
def test_storable_text_has_no_nul_and_no_lone_surrogate(value, ok):
    assert storable(value) is ok


def test_every_string_in_a_payload_counts_keys_included():
    assert all_storable({"items": [1, "x"], "feed": "home"})
    assert not all_storable({"items": [1, "\x00"]})
    assert not all_storable({"\ud83d": 1})


def test_a_nul_in_a_query_parameter_is_a_400_with_the_reason(app):
    make_runner(app, "ana")
    response = as_(app, "ana").get("/clubs/?q=%00")
    assert response.status_code == 400
    assert TEXT_REFUSED in text(response)


def test_a_nul_in_a_path_is_a_400(app):
    make_runner(app, "ana")
    assert as_(app, "ana").get("/clubs/river%00side").status_code == 400


def test_a_nul_in_a_form_field_is_a_400_and_nothing_is_kept(app):
    make_runner(app, "ana")
    make_runner(app, "ben")
    item = log_run(app, "ana")
    ben = as_(app, "ben")
    response = submit(ben, f"/feed/items/{item}/comments", {"body": "Nice\x00run"}, page="/u/ana")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_a_nul_in_a_field_name_is_a_400(app):
    make_runner(app, "ana")
    response = submit(as_(app, "ana"), "/settings", {"display\x00name": "Ana"}, page="/settings")
    assert response.status_code == 400


def test_a_nul_in_an_uploaded_file_name_is_a_400(app):
    make_runner(app, "ana")
    ana = as_(app, "ana")
    upload = (io.BytesIO(b"<gpx/>"), "morning\x00.gpx")
    response = submit(ana, "/runs/upload", {"files": upload}, page="/runs/upload")
    assert response.status_code == 400


def test_a_nul_in_club_settings_changes_nothing(app):
    owner = make_runner(app, "olivia")
    make_club(app, owner, slug="riverside")
    olivia = as_(app, "olivia")
    response = submit(
        olivia,
        "/clubs/riverside/manage",
        {"name": "River\x00side", "description": "x"},
        page="/clubs/riverside",
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Club.name)) == "Riverside"


def connected(app, username):
    client = as_(app, username)
    return socketio.test_client(app, flask_test_client=client)


def test_a_socket_event_with_unstorable_text_is_refused(app):
    make_runner(app, "ana")
    socket = connected(app, "ana")
    answer = socket.emit("feed:watch", {"feed": "home\x00", "items": []}, callback=True)
    assert answer == {"ok": False, "error": TEXT_REFUSED}


@pytest.mark.parametrize("bad", [2**70, 2**31, -1, True, 1.5, "1", None, [1], {"a": 1}])
@pytest.mark.parametrize(
    ("event", "key"),
    [("club:watch", "club_id"), ("run:watch", "run_id"), ("challenge:watch", "challenge_id")],
)
def test_a_watch_event_with_no_id_is_not_allowed(app, event, key, bad):
    make_runner(app, "ana")
    socket = connected(app, "ana")
    assert socket.emit(event, {key: bad}, callback=True) == {"ok": False, "error": "Not allowed."}


@pytest.mark.parametrize("bad", [2**70, True, "1", [1]])
def test_a_feed_watch_with_no_id_is_not_allowed(app, bad):
    make_runner(app, "ana")
    socket = connected(app, "ana")
    answer = socket.emit("feed:watch", {"feed": "club", "id": bad}, callback=True)
    assert answer == {"ok": False, "error": "Not allowed."}


def test_a_socket_flooding_events_is_disconnected_and_others_are_not(app):
    make_runner(app, "ana")
    make_runner(app, "ben")
    flood, calm = connected(app, "ana"), connected(app, "ben")
    limit = int(app.config["SOCKETIO_EVENT_LIMIT"].split()[0])
    answers = [flood.emit("feed:watch", {"feed": "home"}, callback=True) for _ in range(limit)]
    assert all(answer["ok"] for answer in answers)
    assert flood.emit("feed:watch", {"feed": "home"}, callback=True) == {
        "ok": False,
        "error": "Too many events: this connection is closed.",
    }
    assert not flood.is_connected()
    assert calm.emit("feed:watch", {"feed": "home"}, callback=True)["ok"]


def test_a_flood_on_the_real_server_leaves_other_sockets_answered_at_once(tmp_path):
    """8,000 events sent without waiting, to `python app.py` (gevent: one loop for every
    socket). Without a limit another runner's acknowledgement waited 17.3 s behind them;
    the flooding connection is now closed after its allowance and the others stay prompt."""
    with demo_server(tmp_path) as url, logged_in(url, "ana") as ana, logged_in(url, "ben") as ben:
        flood = connect(url, ana.cookies.get_dict(), new_client())
        calm = connect(url, ben.cookies.get_dict(), new_client())
        try:
            for _ in range(8000):
                if not flood.connected:
                    break
                try:
                    flood.emit("feed:watch", {"feed": "home"})
                except socketio_client.exceptions.BadNamespaceError:
                    break
            waits = []
            for _ in range(5):
                started = time.monotonic()
                assert calm.call("feed:watch", {"feed": "home"}, timeout=30)["ok"]
                waits.append(time.monotonic() - started)
            flood.sleep(0.5)
            assert not flood.connected
            assert max(waits) < 3, waits
        finally:
            flood.disconnect()
            calm.disconnect()
