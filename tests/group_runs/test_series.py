"""Recurring runs: expansion over a rolling horizon, daylight saving, edits of the series."""

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.clubs.models import Club
from community.extensions import db
from community.group_runs import scheduling, series
from community.group_runs.models import GroupRun, RunSeries
from community.group_runs.services import GroupRunError
from tests.helpers import make_club, make_runner

# Wednesday 14 October 2026, before British Summer Time ends on Sunday 25 October.
NOW = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)
FIRST_TUESDAY = date(2026, 10, 20)


@pytest.fixture
def club_id(app):
    return make_club(app, make_runner(app, "olivia"), slug="riverside", timezone="Europe/London")


def olivia() -> User:
    return db.session.scalar(select(User).where(User.username == "olivia"))


def tuesdays(club_id: int, **kwargs) -> RunSeries:
    values = {
        "title": "Tuesday social",
        "first_date": FIRST_TUESDAY,
        "local_time": time(18, 30),
        "meeting_point": "Bandstand",
        "now": NOW,
        **kwargs,
    }
    return series.create_series(olivia(), db.session.get(Club, club_id), **values)


def occurrences(s: RunSeries | int) -> list[GroupRun]:
    series_id = s if isinstance(s, int) else s.id
    return list(
        db.session.scalars(
            select(GroupRun).where(GroupRun.series_id == series_id).order_by(GroupRun.starts_at)
        )
    )


def london(run: GroupRun) -> str:
    return run.starts_at.astimezone(run.club.zone).strftime("%a %d %b %H:%M")


def test_a_weekly_series_fills_the_next_eight_weeks(club_id, ctx):
    runs = occurrences(tuesdays(club_id))
    assert len(runs) == 8  # 20 Oct to 8 Dec: the horizon ends 9 Dec
    assert [r.occurrence_date for r in runs][:3] == [
        date(2026, 10, 20),
        date(2026, 10, 27),
        date(2026, 11, 3),
    ]


def test_the_clock_time_holds_across_the_end_of_summer_time(club_id, ctx):
    before, after = occurrences(tuesdays(club_id))[:2]
    assert (london(before), london(after)) == ("Tue 20 Oct 18:30", "Tue 27 Oct 18:30")
    assert before.starts_at.hour == 17 and after.starts_at.hour == 18  # in UTC


def test_extending_again_creates_nothing_new(club_id, ctx):
    s = tuesdays(club_id)
    assert series.extend_series(s, now=NOW) == []
    assert series.extend_all(now=NOW) == 0


def test_the_horizon_rolls_forward_with_time(club_id, ctx):
    s = tuesdays(club_id)
    later = NOW + timedelta(weeks=2)
    assert [r.occurrence_date for r in series.extend_series(s, now=later)] == [
        date(2026, 12, 15),
        date(2026, 12, 22),
    ]


def test_fortnightly_until_a_date(club_id, ctx):
    runs = occurrences(tuesdays(club_id, interval_weeks=2, until_date=date(2026, 11, 20)))
    assert [r.occurrence_date for r in runs] == [
        date(2026, 10, 20),
        date(2026, 11, 3),
        date(2026, 11, 17),
    ]


def test_a_cancelled_occurrence_is_not_made_again(club_id, ctx):
    s = tuesdays(club_id)
    first = occurrences(s)[0]
    scheduling.cancel_run(olivia(), first, now=NOW)
    series.extend_series(s, now=NOW)
    runs = occurrences(s)
    assert len(runs) == 8 and runs[0].is_cancelled


def test_changing_this_one_leaves_the_others_alone(club_id, ctx):
    runs = occurrences(tuesdays(club_id))
    moved = runs[1].starts_at + timedelta(minutes=30)
    scheduling.change_run(
        olivia(),
        runs[1],
        scheduling.RunChanges(title="Special", starts_at=moved, meeting_point="Cafe"),
        now=NOW,
    )
    runs = occurrences(runs[0].series_id)
    assert [r.title for r in runs[:3]] == ["Tuesday social", "Special", "Tuesday social"]
    assert runs[1].sequence == 1 and runs[2].sequence == 0


def test_changing_this_and_following_splits_the_series(club_id, ctx):
    s = tuesdays(club_id)
    third = occurrences(s)[2]
    at_seven = datetime.combine(third.occurrence_date, time(19, 0), tzinfo=third.club.zone)
    series.change_following(
        olivia(),
        third,
        scheduling.RunChanges(
            title="Tuesday tempo", starts_at=at_seven.astimezone(UTC), meeting_point="Track"
        ),
        now=NOW,
    )
    old, new = db.session.scalars(select(RunSeries).order_by(RunSeries.id)).all()
    assert old.until_date == date(2026, 11, 2)
    assert [london(r) for r in occurrences(old)] == ["Tue 20 Oct 18:30", "Tue 27 Oct 18:30"]
    assert [london(r) for r in occurrences(new)][:2] == ["Tue 03 Nov 19:00", "Tue 10 Nov 19:00"]
    assert {r.title for r in occurrences(new)} == {"Tuesday tempo"}
    later = series.extend_series(new, now=NOW + timedelta(weeks=1))
    assert [london(r) for r in later] == ["Tue 15 Dec 19:00"]
    assert series.extend_series(old, now=NOW + timedelta(weeks=1)) == []


def test_moving_the_following_runs_to_another_day_is_refused(club_id, ctx):
    third = occurrences(tuesdays(club_id))[2]
    with pytest.raises(GroupRunError, match="another day"):
        series.change_following(
            olivia(),
            third,
            scheduling.RunChanges(
                title="x", starts_at=third.starts_at + timedelta(days=1), meeting_point="x"
            ),
            now=NOW,
        )


def test_a_series_ending_before_it_starts_is_refused(club_id, ctx):
    with pytest.raises(GroupRunError) as refused:
        tuesdays(club_id, until_date=date(2026, 10, 1))
    assert refused.value.field == "repeat_until"


def test_two_processes_extending_at_once_make_each_occurrence_once(app, club_id):
    with app.app_context():
        s = tuesdays(club_id, first_date=date(2026, 10, 20))
        db.session.commit()
        series_id = s.id
    later = NOW + timedelta(weeks=4)
    barrier = threading.Barrier(3)

    def extend() -> None:
        with app.app_context():
            barrier.wait()
            series.extend_series(db.session.get(RunSeries, series_id), now=later)
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=extend) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with app.app_context():
        count = db.session.scalar(
            select(func.count(GroupRun.id)).where(GroupRun.series_id == series_id)
        )
        assert count == 12
