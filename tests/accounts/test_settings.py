from pathlib import Path

from community.accounts.models import User
from community.extensions import db
from tests.helpers import PASSWORD, html, log_in, make_runner, submit, text


def settings_form(**overrides):
    return {
        "display_name": "Ana M.",
        "bio": "Marathoner",
        "units": "mi",
        "timezone": "Europe/Madrid",
        "default_visibility": "members",
        **overrides,
    }


def stored(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_runner_saves_name_bio_units_time_zone_and_default_privacy(app, client):
    user = make_runner(app, "ana")
    log_in(client)
    response = submit(client, "/settings", settings_form(), page="/settings")
    assert response.headers["Location"] == "/settings"
    saved = stored(app, user.id)
    assert (saved.display_name, saved.bio, saved.units) == ("Ana M.", "Marathoner", "mi")
    assert (saved.timezone, saved.default_visibility) == ("Europe/Madrid", "members")
    assert "Your settings are saved." in text(client.get("/settings"))


def test_unknown_time_zone_or_units_change_nothing(app, client):
    user = make_runner(app, "ana")
    log_in(client)
    response = submit(
        client,
        "/settings",
        settings_form(timezone="Mars/Olympus", units="furlongs"),
        page="/settings",
    )
    assert response.status_code == 400
    assert "Not a valid choice" in text(response)
    assert stored(app, user.id).timezone == "UTC"


def test_profile_page_shows_name_and_bio(app, client):
    make_runner(app, "ana", display_name="Ana Moreno", bio="Chasing sub-3:30")
    response = client.get("/u/ana")
    assert "Ana Moreno" in text(response)
    assert "Chasing sub-3:30" in text(response)
    assert client.get("/u/nobody").status_code == 404


def test_bio_is_escaped_not_rendered_as_html(app, client):
    make_runner(app, "ana", bio="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in html(client.get("/u/ana"))


def test_change_password_needs_the_current_one(app, client):
    make_runner(app, "ana")
    log_in(client)
    response = submit(
        client,
        "/settings/password",
        {"current_password": "not it at all", "new_password": "a brand new passphrase"},
        page="/settings",
    )
    assert response.status_code == 400
    assert "Your current password is not right." in text(response)


def test_change_password_keeps_this_browser_and_ends_other_sessions(app, client):
    make_runner(app, "ana")
    other_device = app.test_client()
    log_in(other_device)
    log_in(client)
    response = submit(
        client,
        "/settings/password",
        {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        page="/settings",
    )
    assert response.headers["Location"] == "/settings"
    assert client.get("/dashboard").status_code == 200
    assert other_device.get("/dashboard").status_code == 302
    assert log_in(app.test_client(), "ana", "a brand new passphrase").status_code == 302


def test_change_email_asks_for_the_password_again(app, client):
    user = make_runner(app, "ana")
    log_in(client)
    response = submit(
        client,
        "/settings/email",
        {"new_email": "new@example.com", "password": "wrong password!"},
        page="/settings",
    )
    assert response.status_code == 400
    assert stored(app, user.id).email == "ana@example.com"


def test_change_email_to_a_taken_address_is_a_field_error(app, client):
    make_runner(app, "ben", email="ben@example.com")
    user = make_runner(app, "ana")
    log_in(client)
    response = submit(
        client,
        "/settings/email",
        {"new_email": "BEN@example.com", "password": PASSWORD},
        page="/settings",
    )
    assert response.status_code == 400
    assert "An account with this e-mail already exists." in text(response)
    assert stored(app, user.id).email == "ana@example.com"


def test_change_email_saves_it_and_tells_the_old_address(app, client):
    user = make_runner(app, "ana")
    log_in(client)
    submit(
        client,
        "/settings/email",
        {"new_email": "Ana.New@example.com", "password": PASSWORD},
        page="/settings",
    )
    assert stored(app, user.id).email == "ana.new@example.com"
    notices = [m.read_text() for m in Path(app.config["MAIL_DIR"]).glob("*ana_at_example.com.eml")]
    assert len(notices) == 1
    assert "is now ana.new@example.com" in notices[0]
