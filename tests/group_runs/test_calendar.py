"""Calendar export: each .ics parsed back with the icalendar library."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from community.accounts.models import User
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from community.group_runs import scheduling
from community.group_runs.models import CalendarFeed, GroupRun
from tests.helpers import add_member, as_, make_club, make_runner, submit


@pytest.fixture
def people(app):
    return {name: make_runner(app, name) for name in ("olivia", "ana", "stranger")}


@pytest.fixture
def club_id(app, people):
    club_id = make_club(
        app, people["olivia"], slug="riverside", visibility="private", timezone="Europe/London"
    )
    add_member(app, club_id, people["ana"])
    return club_id


def a_run(app, people, club_id, starts_at=None, **kwargs) -> int:
    with app.app_context():
        run = scheduling.schedule_run(
            people["olivia"],
            db.session.get(Club, club_id),
            title="Tuesday tempo",
            starts_at=starts_at or utcnow() + timedelta(days=2),
            meeting_point="Bandstand",
            now=utcnow(),
            latitude=51.48,
            longitude=-0.16,
            **kwargs,
        )
        db.session.commit()
        return run.id


def events(response) -> list:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data).walk("VEVENT")


def test_a_runs_ics_has_a_stable_uid_utc_times_and_the_place(app, people, club_id):
    summer_evening = datetime(2027, 7, 6, 17, 30, tzinfo=UTC)  # 18:30 in London (BST)
    run_id = a_run(app, people, club_id, starts_at=summer_evening, planned_distance_m=5000)
    ana = as_(app, "ana")
    [event] = events(ana.get(f"/group-runs/{run_id}.ics"))
    assert str(event["uid"]) == f"group-run-{run_id}@runhive"
    assert event.decoded("dtstart") == summer_evening
    assert event.decoded("dtend") == summer_evening + timedelta(minutes=30)
    assert str(event["location"]) == "Bandstand"
    assert event["geo"].latitude == pytest.approx(51.48)
    assert int(event["sequence"]) == 0
    assert str(event["status"]) == "CONFIRMED"
    [again] = events(ana.get(f"/group-runs/{run_id}.ics"))
    assert again["uid"] == event["uid"]


def test_a_run_in_the_calendar_rings_an_hour_before(app, people, club_id):
    run_id = a_run(app, people, club_id)

    [event] = events(as_(app, "ana").get(f"/group-runs/{run_id}.ics"))

    [alarm] = event.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == -timedelta(hours=1)


def test_cancelling_bumps_the_sequence_and_marks_the_event_cancelled(app, people, club_id):
    run_id = a_run(app, people, club_id)
    olivia = as_(app, "olivia")
    submit(olivia, f"/group-runs/{run_id}/cancel", page="/dashboard")
    [event] = events(olivia.get(f"/group-runs/{run_id}.ics"))
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 1


def test_members_only_cancel_nothing(app, people, club_id):
    run_id = a_run(app, people, club_id)
    assert (
        submit(as_(app, "ana"), f"/group-runs/{run_id}/cancel", page="/dashboard").status_code
        == 403
    )
    with app.app_context():
        assert db.session.get(GroupRun, run_id).cancelled_at is None


def test_a_private_clubs_run_ics_is_not_for_outsiders(app, people, club_id):
    run_id = a_run(app, people, club_id)
    assert as_(app, "stranger").get(f"/group-runs/{run_id}.ics").status_code == 404


def feed_url(app, username: str) -> str:
    with app.app_context():
        token = db.session.scalar(
            select(CalendarFeed.token)
            .join(User, User.id == CalendarFeed.user_id)
            .where(User.username == username)
        )
    return f"/calendar/{token}.ics"


def test_the_subscription_feed_lists_runs_i_go_to_and_wait_for(app, people, club_id):
    going = a_run(app, people, club_id, capacity=1)
    waiting_run = a_run(app, people, club_id, capacity=0)
    maybe_run = a_run(app, people, club_id)
    ana = as_(app, "ana")
    submit(ana, f"/group-runs/{going}/rsvp", {"status": "going"}, page="/dashboard")
    submit(ana, f"/group-runs/{waiting_run}/rsvp", {"status": "going"}, page="/dashboard")
    submit(ana, f"/group-runs/{maybe_run}/rsvp", {"status": "maybe"}, page="/dashboard")
    submit(ana, "/calendar/feed", page="/dashboard")
    url = feed_url(app, "ana")
    feed = {str(e["uid"]): str(e["status"]) for e in events(app.test_client().get(url))}
    assert feed == {
        f"group-run-{going}@runhive": "CONFIRMED",
        f"group-run-{waiting_run}@runhive": "TENTATIVE",
    }


def test_a_new_link_revokes_the_old_one_and_turning_it_off_revokes_it(app, people, club_id):
    ana = as_(app, "ana")
    submit(ana, "/calendar/feed", page="/dashboard")
    first = feed_url(app, "ana")
    submit(ana, "/calendar/feed", page="/dashboard")
    second = feed_url(app, "ana")
    assert first != second
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200
    submit(ana, "/calendar/feed/revoke", page="/dashboard")
    assert app.test_client().get(second).status_code == 404
