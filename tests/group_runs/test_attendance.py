"""Attendance: a logged run that matches a group run in time and place is "ran together"."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.activities import imports
from community.activities import services as runs
from community.clubs.models import Club
from community.extensions import db
from community.group_runs import attendance, scheduling
from community.group_runs import services as rsvps
from community.group_runs.models import Attendance, GroupRun, RsvpStatus
from tests.activities.trackfiles import gpx_bytes, make_points
from tests.helpers import add_member, log_in, make_club, make_runner, submit, text

# Recent, so that the club page counts it among the last 90 days.
START = (datetime.now(UTC) - timedelta(days=2)).replace(second=0, microsecond=0)
BANDSTAND = (51.4790, -0.1570)


@pytest.fixture
def club_id(app):
    people = {name: make_runner(app, name) for name in ("olivia", "ana", "ben")}
    club_id = make_club(app, people["olivia"], slug="riverside")
    add_member(app, club_id, people["ana"])
    return club_id


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def group_run(club_id: int, *, at: tuple[float, float] | None = BANDSTAND) -> GroupRun:
    run = scheduling.schedule_run(
        user("olivia"),
        db.session.get(Club, club_id),
        title="Tuesday social",
        starts_at=START,
        meeting_point="Bandstand",
        now=START - timedelta(days=1),
        latitude=at[0] if at else None,
        longitude=at[1] if at else None,
    )
    db.session.flush()
    return run


def upload(name: str, *, start: datetime, lat: float, lon: float):
    points = make_points(200, start=start, step_s=3.0, step_m=10.0, lat=lat, lon=lon)
    return imports.import_file(
        user(name), f"{name}.gpx", gpx_bytes(points), now=START + timedelta(days=1)
    )


def linked(group: GroupRun) -> list[str]:
    return [a.user.username for a in attendance.attendees(group.id)]


def test_a_run_from_the_meeting_point_at_the_start_time_is_linked(club_id, ctx):
    group = group_run(club_id)
    upload("ana", start=START + timedelta(minutes=4), lat=BANDSTAND[0] + 0.001, lon=BANDSTAND[1])
    assert linked(group) == ["ana"]


def test_a_run_elsewhere_or_at_another_time_is_not_linked(club_id, ctx):
    group = group_run(club_id)
    upload("ana", start=START + timedelta(minutes=5), lat=51.60, lon=-0.20)  # 15 km away
    upload("ana", start=START + timedelta(hours=2), lat=BANDSTAND[0], lon=BANDSTAND[1])
    assert linked(group) == []


def test_runs_of_people_outside_the_club_are_not_linked(club_id, ctx):
    group = group_run(club_id)
    upload("ben", start=START, lat=BANDSTAND[0], lon=BANDSTAND[1])
    assert linked(group) == []


def test_without_positions_a_runner_who_said_going_is_linked_by_time(club_id, ctx):
    group = group_run(club_id, at=None)
    rsvps.rsvp(user("ana"), group, RsvpStatus.GOING, now=START - timedelta(hours=5))
    runs.log_run(
        user("ana"),
        runs.RunDetails(start_time=START + timedelta(minutes=10), distance_m=5000, duration_s=1800),
        now=START + timedelta(days=1),
    )
    assert linked(group) == ["ana"]


def test_runners_link_and_unlink_their_own_runs(app, club_id):
    with app.app_context():
        group_id = group_run(club_id, at=None).id
        activity = runs.log_run(
            user("ana"),
            runs.RunDetails(start_time=START, distance_m=5000, duration_s=1800),
            now=START + timedelta(days=1),
        )
        db.session.commit()
        activity_id = activity.id
    ana = app.test_client()
    log_in(ana, "ana")
    page = text(ana.get(f"/group-runs/{group_id}"))
    assert "I was there: link my run" in page
    submit(
        ana, f"/group-runs/{group_id}/attendance", {"activity": str(activity_id)}, page="/dashboard"
    )
    assert "Ana · their run" in text(ana.get(f"/group-runs/{group_id}"))
    assert "Regulars" in text(ana.get("/clubs/riverside"))
    submit(ana, f"/group-runs/{group_id}/attendance", {"remove": "1"}, page="/dashboard")
    with app.app_context():
        assert db.session.scalar(select(Attendance)) is None


def test_nobody_links_someone_elses_run(app, club_id):
    with app.app_context():
        group = group_run(club_id, at=None)
        activity = runs.log_run(
            user("ana"),
            runs.RunDetails(start_time=START, distance_m=5000, duration_s=1800),
            now=START + timedelta(days=1),
        )
        db.session.commit()
        with pytest.raises(rsvps.GroupRunError, match="your own runs"):
            attendance.link(user("olivia"), group, activity.id)


def test_regulars_are_counted_per_club(club_id, ctx):
    group = group_run(club_id)
    upload("ana", start=START, lat=BANDSTAND[0], lon=BANDSTAND[1])
    [(runner, count)] = attendance.regulars(club_id, since=START - timedelta(days=90))
    assert (runner.username, count) == ("ana", 1)
    assert attendance.attendance_count(user("ana").id) == 1
    assert group.id
