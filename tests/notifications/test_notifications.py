"""Notifications: stored, counted on the bell, pushed live, read; made from domain events."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db, socketio
from community.group_runs import scheduling
from community.group_runs import services as rsvps
from community.group_runs.models import RsvpStatus
from community.notifications import services
from community.notifications.models import Notification
from tests.helpers import add_member, html, log_in, make_club, make_runner, submit, text


@pytest.fixture
def club_id(app):
    people = {name: make_runner(app, name) for name in ("olivia", "ana", "ben")}
    club_id = make_club(app, people["olivia"], slug="riverside")
    for name in ("ana", "ben"):
        add_member(app, club_id, people[name])
    return club_id


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def texts(name: str) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.text)
            .where(Notification.user_id == user(name).id)
            .order_by(Notification.id)
        )
    )


def one_place_run(club_id: int):
    return scheduling.schedule_run(
        user("olivia"),
        db.session.get(Club, club_id),
        title="Track night",
        starts_at=utcnow() + timedelta(days=1),
        meeting_point="Track",
        now=utcnow(),
        capacity=1,
    )


def test_a_promoted_runner_gets_a_notification(club_id, ctx):
    run = one_place_run(club_id)
    rsvps.rsvp(user("ana"), run, RsvpStatus.GOING, now=utcnow())
    rsvps.rsvp(user("ben"), run, RsvpStatus.GOING, now=utcnow())
    rsvps.rsvp(user("ana"), run, RsvpStatus.NOT_GOING, now=utcnow())
    assert texts("ben") == ["A place opened up: you're going to Track night."]
    assert texts("ana") == []


def test_everyone_going_or_waiting_hears_of_a_cancellation(club_id, ctx):
    run = one_place_run(club_id)
    rsvps.rsvp(user("ana"), run, RsvpStatus.GOING, now=utcnow())
    rsvps.rsvp(user("ben"), run, RsvpStatus.GOING, now=utcnow())
    scheduling.cancel_run(user("olivia"), run, now=utcnow())
    assert texts("ana") == texts("ben") == ["Track night is cancelled."]
    assert texts("olivia") == []


def test_the_bell_counts_unread_and_the_page_marks_them_read(app, club_id):
    with app.app_context():
        services.notify(user("ana").id, "test", "Hello from the club", "/clubs/riverside")
        db.session.commit()
    ana = app.test_client()
    log_in(ana, "ana")
    assert 'aria-label="Notifications, 1 unread"' in html(ana.get("/dashboard"))
    page = text(ana.get("/notifications/"))
    assert "Hello from the club" in page and "New" in page
    submit(ana, "/notifications/read", page="/notifications/")
    assert 'aria-label="Notifications, 0 unread"' in html(ana.get("/dashboard"))


def test_a_notification_is_pushed_live_with_the_new_count_to_its_runner_only(app, club_id):
    ana, ben = app.test_client(), app.test_client()
    log_in(ana, "ana")
    log_in(ben, "ben")
    ana_socket = socketio.test_client(app, flask_test_client=ana)
    ben_socket = socketio.test_client(app, flask_test_client=ben)
    with app.app_context():
        services.notify(user("ana").id, "test", "Kudos!")
        db.session.commit()
    [event] = [e for e in ana_socket.get_received() if e["name"] == "notification:new"]
    assert event["args"][0]["unread"] == 1
    assert ben_socket.get_received() == []


def test_nobody_reads_another_runners_notifications(app, club_id):
    with app.app_context():
        services.notify(user("ana").id, "test", "Private to Ana")
        db.session.commit()
    ben = app.test_client()
    log_in(ben, "ben")
    assert "Private to Ana" not in text(ben.get("/notifications/"))
    assert app.test_client().get("/notifications/").status_code == 302
