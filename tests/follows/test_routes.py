"""Following over HTTP: one test per access rule, and the profile's button and counts."""

from sqlalchemy import func, select

from community.accounts.models import User
from community.extensions import db
from community.follows import queries
from community.follows.models import Follow
from tests.helpers import as_, make_runner, submit, text


def follows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Follow.id)))


def act(client, path):
    return submit(client, path, page="/dashboard")


def approving(app, username):
    with app.app_context():
        db.session.scalar(select(User).where(User.username == username)).approves_followers = True
        db.session.commit()


def test_visitors_must_log_in_to_follow(app):
    make_runner(app, "ben")
    response = submit(app.test_client(), "/u/ben/follow")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert follows(app) == 0


def test_following_needs_the_forms_token(app):
    make_runner(app, "ana")
    make_runner(app, "ben")
    assert as_(app, "ana").post("/u/ben/follow").status_code == 400
    assert follows(app) == 0


def test_following_an_unknown_runner_is_404(app):
    make_runner(app, "ana")
    assert act(as_(app, "ana"), "/u/nobody/follow").status_code == 404


def test_a_runner_follows_and_unfollows_from_the_profile(app):
    make_runner(app, "ana")
    make_runner(app, "ben")
    ana = as_(app, "ana")
    assert "Follow" in text(ana.get("/u/ben"))
    act(ana, "/u/ben/follow")
    page = text(ana.get("/u/ben"))
    assert "You follow Ben." in page
    assert "1 follower" in page
    assert "Unfollow" in page
    act(ana, "/u/ben/unfollow")
    assert "0 followers" in text(ana.get("/u/ben"))


def test_a_private_profile_shows_ask_to_follow_then_request_sent(app):
    make_runner(app, "ana")
    make_runner(app, "ben")
    approving(app, "ben")
    ana = as_(app, "ana")
    assert "Ask to follow" in text(ana.get("/u/ben"))
    act(ana, "/u/ben/follow")
    page = text(ana.get("/u/ben"))
    assert "Request sent" in page
    assert "0 followers" in page


def test_only_the_asked_runner_sees_and_answers_a_request(app):
    for name in ("ana", "ben", "cleo"):
        make_runner(app, name)
    approving(app, "ben")
    act(as_(app, "ana"), "/u/ben/follow")
    with app.app_context():
        ana_id = db.session.scalar(select(User.id).where(User.username == "ana"))
        ben_id = db.session.scalar(select(User.id).where(User.username == "ben"))
    cleo = as_(app, "cleo")
    assert "Ana" not in text(cleo.get("/follows/requests"))
    # Cleo answers "her" request from Ana: there is none, and Ben's stays waiting.
    assert "no longer waiting" in text(
        submit(
            cleo, f"/follows/requests/{ana_id}/approve", page="/dashboard", follow_redirects=True
        )
    )
    act(cleo, f"/follows/requests/{ana_id}/decline")
    with app.app_context():
        assert queries.status_of(ana_id, ben_id) == "pending"
    ben = as_(app, "ben")
    assert "Ana" in text(ben.get("/follows/requests"))
    act(ben, f"/follows/requests/{ana_id}/approve")
    with app.app_context():
        assert queries.status_of(ana_id, ben_id) == "accepted"


def test_the_requests_page_needs_a_login(app):
    assert app.test_client().get("/follows/requests").status_code == 302


def test_the_settings_switch_on_approving_each_follower(app):
    make_runner(app, "ben")
    ben = as_(app, "ben")
    form = {
        "display_name": "Ben",
        "bio": "",
        "units": "km",
        "timezone": "UTC",
        "default_visibility": "public",
        "approves_followers": "y",
    }
    submit(ben, "/settings", form, page="/settings")
    with app.app_context():
        assert db.session.scalar(select(User.approves_followers).where(User.username == "ben"))
