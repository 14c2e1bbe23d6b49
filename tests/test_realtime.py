"""Socket.IO: only logged-in users connect; events leave only after the commit."""

import pytest
import socketio as socketio_client

from community.extensions import db, socketio
from community.realtime import emit_after_commit, user_room
from tests.helpers import log_in, make_runner, submit


def connect(app, client):
    return socketio.test_client(app, flask_test_client=client)


def test_anonymous_sockets_are_refused(app, client):
    assert not connect(app, client).is_connected()


def test_logged_in_runner_connects(app, client):
    make_runner(app, "ana")
    log_in(client)
    assert connect(app, client).is_connected()


def test_settings_change_is_pushed_live_to_the_runners_own_sockets_only(app, client):
    make_runner(app, "ana")
    make_runner(app, "ben")
    ben_client = app.test_client()
    log_in(client, "ana")
    log_in(ben_client, "ben")
    ana_socket, ben_socket = connect(app, client), connect(app, ben_client)

    submit(
        client,
        "/settings",
        {
            "display_name": "Ana the Fast",
            "bio": "",
            "units": "km",
            "timezone": "UTC",
            "default_visibility": "public",
        },
        page="/settings",
    )

    assert ana_socket.get_received() == [
        {"name": "account:updated", "args": [{"display_name": "Ana the Fast"}], "namespace": "/"}
    ]
    assert ben_socket.get_received() == []


def test_events_are_sent_on_commit(app, client):
    user = make_runner(app, "ana")
    log_in(client)
    socket = connect(app, client)
    with app.app_context():
        emit_after_commit("smoke", {"n": 1}, room=user_room(user.id))
        assert socket.get_received() == []
        db.session.commit()
    assert [event["name"] for event in socket.get_received()] == ["smoke"]


def test_an_event_for_no_room_reaches_nobody(app, client):
    # An item nobody else may see has an empty audience: that is nobody, not everybody.
    make_runner(app, "ana")
    log_in(client)
    socket = connect(app, client)
    with app.app_context():
        emit_after_commit("nobody", {"n": 1}, room=())
        db.session.commit()
    assert socket.get_received() == []


def test_an_event_skips_the_sockets_in_a_skipped_room(app, client):
    ana, ben = make_runner(app, "ana"), make_runner(app, "ben")
    log_in(client)
    ben_client = app.test_client()
    log_in(ben_client, "ben")
    ana_socket, ben_socket = connect(app, client), connect(app, ben_client)
    with app.app_context():
        rooms = (user_room(ana.id), user_room(ben.id))
        emit_after_commit("news", {"n": 1}, room=rooms, skip=(user_room(ben.id),))
        db.session.commit()
    assert [event["name"] for event in ana_socket.get_received()] == ["news"]
    assert ben_socket.get_received() == []


def test_events_of_a_rolled_back_transaction_are_dropped(app, client):
    user = make_runner(app, "ana")
    log_in(client)
    socket = connect(app, client)
    with app.app_context():
        emit_after_commit("smoke", {"n": 1}, room=user_room(user.id))
        db.session.rollback()
        db.session.commit()
    assert socket.get_received() == []


def real_client_connect(live_server, **headers):
    client = socketio_client.Client(reconnection=False)
    client.connect(live_server, headers=headers, transports=["polling"], wait_timeout=5)
    return client


def test_sockets_from_a_foreign_origin_are_refused(app, live_server):
    with pytest.raises(socketio_client.exceptions.ConnectionError):
        real_client_connect(live_server, Origin="http://evil.example.com")


def test_anonymous_real_client_is_refused(app, live_server):
    with pytest.raises(socketio_client.exceptions.ConnectionError):
        real_client_connect(live_server, Origin=live_server)


def test_logged_in_real_client_connects_from_the_same_origin(app, client, live_server):
    make_runner(app, "ana")
    log_in(client)
    session_cookie = client.get_cookie("session").value
    socket = real_client_connect(
        live_server, Origin=live_server, Cookie=f"session={session_cookie}"
    )
    try:
        assert socket.connected
    finally:
        socket.disconnect()
