"""The dashboard, the runner's home: this week against last week, the week streak, the next
group runs with the place in the queue, and the first steps for a newcomer."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.activities.models import Run
from community.activities.progress import streak_of, week_starts
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from community.follows import services as follows
from community.group_runs import scheduling
from community.group_runs import services as group_runs
from community.group_runs.models import RsvpStatus
from community.group_runs.scheduling import PaceGroupSpec
from community.home.queries import SPAN_S, dashboard
from tests.feed.builders import log_run
from tests.helpers import add_member, as_, make_club, make_runner, text

NOW = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)  # a Wednesday; Monday 30 March began the week


def runner(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def add_run(user: User, start: datetime, km: float, minutes: float) -> None:
    db.session.add(
        Run(
            user_id=user.id,
            title="run",
            start_time=start,
            distance_m=km * 1000,
            duration_s=minutes * 60,
        )
    )
    db.session.flush()


@pytest.fixture
def ana(app):
    return make_runner(app, "ana", timezone="Europe/Berlin")


def test_this_week_is_counted_from_monday_in_the_runners_zone_against_last_week(ctx, ana):
    ana = runner("ana")
    add_run(ana, datetime(2026, 3, 29, 22, 30, tzinfo=UTC), km=10, minutes=55)  # Mon 00:30 CEST
    add_run(ana, datetime(2026, 3, 31, 6, 0, tzinfo=UTC), km=5, minutes=25)
    add_run(ana, datetime(2026, 3, 29, 21, 30, tzinfo=UTC), km=12, minutes=60)  # Sun 23:30
    add_run(ana, datetime(2026, 3, 25, 6, 0, tzinfo=UTC), km=6, minutes=30)

    home = dashboard(ana, NOW)

    assert (home.week.distance_m, home.week.duration_s, home.week.runs) == (15_000, 4800, 2)
    assert (home.week.last_distance_m, home.week.last_runs) == (18_000, 2)
    assert home.week.ahead_of_last_m == -3_000
    assert home.streak_weeks == 2


def test_runs_before_last_week_leave_both_weeks_empty_and_end_the_streak(ctx, ana):
    ana = runner("ana")
    add_run(ana, datetime(2026, 3, 16, 7, 0, tzinfo=UTC), km=9, minutes=50)  # two weeks before
    add_run(ana, datetime(2026, 3, 10, 7, 0, tzinfo=UTC), km=7, minutes=40)

    home = dashboard(ana, NOW)

    assert (home.week.distance_m, home.week.duration_s, home.week.runs) == (0, 0, 0)
    assert (home.week.last_distance_m, home.week.last_runs) == (0, 0)
    assert home.has_runs and home.streak_weeks == 0


def test_a_run_in_the_last_second_of_sunday_keeps_its_week_for_the_streak(ctx, ana):
    ana = runner("ana")
    sunday_last_second = datetime(2026, 3, 29, 21, 59, 59, 600_000, tzinfo=UTC)  # 23:59:59.6
    add_run(ana, sunday_last_second, km=5, minutes=25)
    add_run(ana, datetime(2026, 3, 31, 6, 0, tzinfo=UTC), km=5, minutes=25)

    home = dashboard(ana, NOW)

    assert (home.week.runs, home.week.last_runs) == (1, 1)
    assert home.streak_weeks == 2


def test_a_runner_with_runs_sees_them_this_week_not_log_your_first_run(app, ana):
    with app.app_context():
        now = utcnow()
        monday = week_starts(now, ZoneInfo("Europe/Berlin"), 1)[0]  # not last week's, at 00:10
        add_run(runner("ana"), max(now - timedelta(minutes=30), monday), km=8.4, minutes=44)
        db.session.commit()

    page = text(as_(app, "ana").get("/dashboard"))

    assert "Log your first run" not in page
    assert "This week 8.40 km 1 run · 44:00" in page


def test_a_new_runner_sees_the_three_first_steps_each_one_click_away(app, ana):
    response = as_(app, "ana").get("/dashboard")
    page = text(response)

    assert "Log your first run" in page
    assert "Join a club" in page
    assert "RSVP to a group run" in page
    assert "Enter this month's challenge" in page
    body = response.get_data(as_text=True)
    for target in ('href="/clubs/"', 'href="/group-runs/"', 'href="/challenges/"'):
        assert target in body


def test_a_step_taken_is_ticked_off_and_the_steps_go_once_all_are_done(app, ana):
    ben = make_runner(app, "ben")
    club = make_club(app, ben, "riverside")
    add_member(app, club, ana)

    page = text(as_(app, "ana").get("/dashboard"))

    assert "Done: You joined a club." in page
    assert "RSVP to a group run" in page


def test_the_next_group_runs_show_going_and_the_place_in_the_waitlist(app, ana):
    ben, cleo = make_runner(app, "ben"), make_runner(app, "cleo")
    club_id = make_club(app, ben, "riverside", timezone="Europe/London")
    add_member(app, club_id, ana)
    add_member(app, club_id, cleo)
    with app.app_context():
        now = utcnow()
        club = db.session.get(Club, club_id)
        full = scheduling.schedule_run(
            runner("ben"),
            club,
            title="Track session",
            starts_at=now + timedelta(days=2),
            meeting_point="The track",
            now=now,
            pace_groups=[PaceGroupSpec("Fast", 1)],
        )
        social = scheduling.schedule_run(
            runner("ben"),
            club,
            title="Sunday social",
            starts_at=now + timedelta(days=4),
            meeting_point="The bandstand",
            now=now,
        )
        db.session.flush()
        group = full.pace_groups[0].id
        group_runs.rsvp(runner("cleo"), full, RsvpStatus.GOING, now=now, pace_group_id=group)
        group_runs.rsvp(runner("ana"), full, RsvpStatus.GOING, now=now, pace_group_id=group)
        group_runs.rsvp(
            runner("ana"), social, RsvpStatus.GOING, now=now, pace_group_id=social.pace_groups[0].id
        )
        db.session.commit()

    page = text(as_(app, "ana").get("/dashboard"))

    assert "Track session Riverside" in page
    assert "Waitlisted · number 1 in the queue" in page
    assert "Sunday social Riverside" in page
    assert page.index("Track session") < page.index("Sunday social")
    assert "(Europe/Berlin time)" in page  # the club runs on London time


def test_a_cancelled_run_and_one_already_run_are_not_next(app, ana):
    ben = make_runner(app, "ben")
    club_id = make_club(app, ben, "riverside")
    add_member(app, club_id, ana)
    with app.app_context():
        club, then = db.session.get(Club, club_id), NOW - timedelta(days=7)
        runs = [
            scheduling.schedule_run(
                runner("ben"),
                club,
                title=title,
                starts_at=NOW + timedelta(days=days),
                meeting_point="The track",
                now=then,
            )
            for title, days in (("Yesterday's", -1), ("Called off", 2))
        ]
        db.session.flush()
        for run in runs:
            group_runs.rsvp(
                runner("ana"), run, RsvpStatus.GOING, now=then, pace_group_id=run.pace_groups[0].id
            )
        scheduling.cancel_run(runner("ben"), runs[1], now=then)
        db.session.flush()

        assert dashboard(runner("ana"), NOW).next_runs == []


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/New_York", "Asia/Kolkata"])
def test_the_streak_is_the_one_every_start_time_gives_though_fewer_are_read(ctx, ana, zone):
    """A run every few days, at any hour, over DST changes, with two weeks off in the
    middle: the dashboard reads each span's first and last start, and gets the streak that
    walking every run gives."""
    rng = random.Random(zone)
    ana = runner("ana")
    ana.timezone = zone
    starts, back = [], timedelta(minutes=rng.randrange(600))
    while back < timedelta(days=300):
        if not timedelta(days=90) <= back < timedelta(days=104):  # two weeks off
            starts.append(NOW - back)
        back += timedelta(days=rng.choice([1, 3, 5, 6]), minutes=rng.randrange(-600, 600))
    for start in starts:
        add_run(ana, start, km=5, minutes=30)
    every = sorted((int(start.timestamp()) for start in starts), reverse=True)

    streak = dashboard(ana, NOW).streak_weeks

    assert streak == streak_of(every, NOW, ZoneInfo(zone))
    assert streak >= 4


def test_runs_either_side_of_monday_in_one_span_read_count_both_weeks(ctx, ana):
    # The span the dashboard reads as one (its first and last start) around this Monday.
    ana = runner("ana")
    monday = int(week_starts(NOW, ZoneInfo("Europe/Berlin"), 1)[0].timestamp())
    span = monday - monday % SPAN_S
    before, after = span + 60, min(span + SPAN_S - 60, int(NOW.timestamp()) - 60)
    assert before < monday <= after
    for at in (before, after):
        add_run(ana, datetime.fromtimestamp(at, UTC), km=5, minutes=30)

    assert dashboard(ana, NOW).streak_weeks == 2


def test_the_dashboard_feed_shows_whom_the_runner_follows_and_their_club_mates(app, ana):
    make_runner(app, "ben")
    cleo = make_runner(app, "cleo")
    with app.app_context():
        follows.follow(runner("ana"), runner("ben"), now=utcnow())
        db.session.commit()
    log_run(app, "ben", km=7.5)
    assert "7.50 km" in text(as_(app, "ana").get("/dashboard"))  # in no club: by follows

    club_id = make_club(app, cleo, "riverside")
    add_member(app, club_id, ana)
    log_run(app, "cleo", km=4.2)
    page = text(as_(app, "ana").get("/dashboard"))
    assert "4.20 km" in page and "7.50 km" in page
