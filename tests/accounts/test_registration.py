from sqlalchemy import func, select

from community.accounts.models import User
from community.extensions import db
from tests.helpers import PASSWORD, html, make_runner, submit, text


def register(client, **overrides):
    data = {
        "username": "ana",
        "email": "ana@example.com",
        "display_name": "Ana Moreno",
        "password": PASSWORD,
        **overrides,
    }
    return submit(client, "/register", data, page="/register")


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_registering_logs_the_runner_in_and_shows_the_dashboard(client):
    response = register(client, username="Ana_M")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard")
    assert "Hello, Ana Moreno" in text(page)


def test_username_and_email_are_stored_folded_to_lowercase(app, client):
    register(client, username="Ana_M", email="Ana@Example.COM")
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.username, user.email) == ("ana_m", "ana@example.com")


def test_duplicate_username_in_other_case_is_a_field_error(app, client):
    make_runner(app, "ana")
    response = register(client, username="ANA", email="other@example.com")
    assert response.status_code == 400
    assert "This username is taken." in text(response)
    assert user_count(app) == 1


def test_duplicate_email_in_other_case_is_a_field_error(app, client):
    make_runner(app, "ana", email="ana@example.com")
    response = register(client, username="ana2", email="ANA@example.com")
    assert response.status_code == 400
    assert "An account with this e-mail already exists." in text(response)
    assert user_count(app) == 1


def test_short_password_is_refused(app, client):
    response = register(client, password="short")
    assert response.status_code == 400
    assert "at least 8 characters" in text(response)
    assert user_count(app) == 0


def test_common_password_is_refused(app, client):
    response = register(client, password="password123")
    assert response.status_code == 400
    assert "one of the most common passwords" in text(response)
    assert user_count(app) == 0


def test_long_passphrase_without_digits_or_symbols_is_accepted(app, client):
    response = register(client, password="the river runs past the old mill every morning " * 3)
    assert response.status_code == 302
    assert user_count(app) == 1


def test_invalid_username_and_email_are_field_errors(app, client):
    response = register(client, username="a b!", email="not-an-email")
    body = text(response)
    assert response.status_code == 400
    assert "Use 3 to 30 letters" in body
    assert "Invalid email address" in body
    assert 'aria-invalid="true"' in html(response)
    assert user_count(app) == 0


def test_registration_without_csrf_token_is_refused(app, client):
    response = client.post(
        "/register",
        data={
            "username": "ana",
            "email": "a@example.com",
            "display_name": "A",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "This form has expired" in text(response)
    assert user_count(app) == 0
