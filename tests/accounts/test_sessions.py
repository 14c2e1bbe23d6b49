"""Ending a session ends it everywhere: old cookies stop working, sockets are closed."""

from community.accounts.models import User
from community.extensions import db, socketio
from tests.helpers import PASSWORD, log_in, make_runner, submit


def test_logout_is_a_post_with_csrf_not_a_get(app, client):
    make_runner(app, "ana")
    log_in(client)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200


def test_old_session_cookie_no_longer_works_after_logout(app, client):
    make_runner(app, "ana")
    log_in(client, remember="y")
    stolen = {c.key: c.value for c in client._cookies.values()}
    submit(client, "/logout", page="/dashboard")

    replay = app.test_client()
    for name, value in stolen.items():
        replay.set_cookie(name, value)
    assert replay.get("/dashboard").status_code == 302


def test_logout_ends_the_runners_sessions_on_other_devices(app, client):
    make_runner(app, "ana")
    phone = app.test_client()
    log_in(phone)
    log_in(client)
    submit(client, "/logout", page="/dashboard")
    assert phone.get("/dashboard").status_code == 302


def test_logout_disconnects_the_runners_sockets(app, client):
    make_runner(app, "ana")
    log_in(client)
    socket = socketio.test_client(app, flask_test_client=client)
    assert socket.is_connected()
    submit(client, "/logout", page="/dashboard")
    assert not socket.is_connected()


def test_a_new_session_on_login_discards_what_the_old_one_held(app, client):
    make_runner(app, "ana")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    log_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_delete_account_needs_password_and_confirmation(app, client):
    user = make_runner(app, "ana")
    log_in(client)
    response = submit(
        client, "/settings/delete", {"password": PASSWORD, "confirm": "yes"}, page="/settings"
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, user.id) is not None


def test_delete_account_removes_the_user_and_ends_the_session(app, client):
    user = make_runner(app, "ana")
    log_in(client)
    response = submit(
        client,
        "/settings/delete",
        {"password": PASSWORD, "confirm": "delete my account"},
        page="/settings",
    )
    assert response.headers["Location"] == "/"
    with app.app_context():
        assert db.session.get(User, user.id) is None
    assert client.get("/dashboard").status_code == 302
    assert log_in(app.test_client()).status_code == 400
