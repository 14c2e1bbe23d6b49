import pytest

from community.accounts import passwords
from community.accounts.models import User
from community.extensions import db
from tests.helpers import PASSWORD, log_in, make_runner, submit, text


def test_log_in_by_username_or_email_in_any_case(app, client):
    make_runner(app, "ana", email="ana@example.com")
    assert log_in(client, "ANA").headers["Location"] == "/dashboard"
    submit(client, "/logout", page="/dashboard")
    assert log_in(client, "Ana@Example.COM").headers["Location"] == "/dashboard"


@pytest.mark.parametrize("login,password", [("ana", "wrong password"), ("nobody", PASSWORD)])
def test_wrong_login_gets_one_generic_message(app, client, login, password):
    make_runner(app, "ana")
    response = log_in(client, login, password)
    assert response.status_code == 400
    assert "Wrong username, e-mail or password." in text(response)
    assert client.get("/dashboard").status_code == 302


def test_login_redirects_only_to_local_paths(app, client):
    make_runner(app, "ana")
    response = submit(client, "/login?next=/settings", {"login": "ana", "password": PASSWORD})
    assert response.headers["Location"] == "/settings"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_ignores_foreign_redirect_targets(app, client, target):
    make_runner(app, "ana")
    response = submit(client, f"/login?next={target}", {"login": "ana", "password": PASSWORD})
    assert response.headers["Location"] == "/dashboard"


def test_pages_behind_login_send_anonymous_visitors_to_log_in(client):
    response = client.get("/settings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_remember_me_sets_a_long_lived_httponly_cookie(app, client):
    make_runner(app, "ana")
    response = log_in(client, remember="y")
    cookie = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires=" in cookie


def test_remember_me_cookie_alone_restores_the_session(app, client):
    make_runner(app, "ana")
    log_in(client, remember="y")
    client.delete_cookie("session")
    assert client.get("/dashboard").status_code == 200


def test_login_rehashes_a_password_stored_with_old_parameters(app, client):
    user = make_runner(app, "ana")
    app.config["ARGON2_TIME_COST"] = 2
    log_in(client)
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
        assert "t=2" in stored
        assert passwords.verify_password(stored, PASSWORD)


def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    make_runner(app, "ana")
    response = log_in(client)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
