"""Progress: weeks from Monday and months in the runner's time zone, totals, streaks."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from community.activities import progress
from community.activities.models import Run
from community.extensions import db
from tests.helpers import log_in, make_runner, text

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def runner_id(app):
    return make_runner(app, "ana", timezone="Europe/Berlin").id


def add_run(user_id: int, start: datetime, km: float = 5.0, minutes: float = 30.0) -> None:
    db.session.add(
        Run(
            user_id=user_id,
            title="run",
            start_time=start,
            distance_m=km * 1000,
            duration_s=minutes * 60,
        )
    )
    db.session.flush()


def test_weeks_start_on_monday_midnight_local_time_across_daylight_saving(ctx):
    starts = progress.week_starts(NOW, BERLIN, 3)
    assert [s.isoformat() for s in starts] == [
        "2026-03-16T00:00:00+01:00",
        "2026-03-23T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00",  # summer time began on 29 March
        "2026-04-06T00:00:00+02:00",
    ]


def test_a_sunday_night_run_in_berlin_counts_in_that_week_not_the_next(ctx, runner_id):
    sunday_2330_local = datetime(2026, 3, 29, 21, 30, tzinfo=UTC)  # 23:30 CEST
    add_run(runner_id, sunday_2330_local)
    weeks = progress.bucket_totals(runner_id, progress.week_starts(NOW, BERLIN, 2))
    assert [w.runs for w in weeks] == [1, 0]


def test_weekly_totals_sum_distance_time_and_runs(ctx, runner_id):
    monday_morning = datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    add_run(runner_id, monday_morning, km=10, minutes=50)
    add_run(runner_id, monday_morning + timedelta(days=1), km=5, minutes=25)
    add_run(runner_id, monday_morning - timedelta(days=3), km=8, minutes=40)
    this_week = progress.bucket_totals(runner_id, progress.week_starts(NOW, BERLIN, 1))[0]
    assert (this_week.distance_m, this_week.duration_s, this_week.runs) == (15_000, 4500, 2)


def test_months_follow_the_calendar_in_local_time(ctx, runner_id):
    march_31_2330_local = datetime(2026, 3, 31, 21, 30, tzinfo=UTC)
    add_run(runner_id, march_31_2330_local)
    months = progress.bucket_totals(runner_id, progress.month_starts(NOW, BERLIN, 2))
    assert [(m.start.month, m.runs) for m in months] == [(3, 1), (4, 0)]


def test_month_starts_cross_the_new_year(ctx):
    starts = progress.month_starts(datetime(2026, 2, 10, tzinfo=UTC), BERLIN, 3)
    assert [(s.year, s.month) for s in starts] == [(2025, 12), (2026, 1), (2026, 2), (2026, 3)]


def test_totals_for_week_month_year_and_all_time(ctx, runner_id):
    add_run(runner_id, datetime(2026, 3, 31, 6, tzinfo=UTC), km=10)
    add_run(runner_id, datetime(2026, 1, 5, 6, tzinfo=UTC), km=20)
    add_run(runner_id, datetime(2025, 6, 1, 6, tzinfo=UTC), km=30)
    starts = {
        "week": progress.week_starts(NOW, BERLIN, 1)[0],
        "year": datetime(2026, 1, 1, tzinfo=BERLIN),
        "all": None,
    }
    totals = progress.totals_since(runner_id, starts)
    assert {k: t.distance_m for k, t in totals.items()} == {
        "week": 10_000,
        "year": 30_000,
        "all": 60_000,
    }
    assert totals["all"].runs == 3


def test_streak_counts_weeks_in_a_row_and_survives_until_sunday(ctx, runner_id):
    for weeks_ago in (1, 2, 3, 5):
        add_run(runner_id, NOW - timedelta(weeks=weeks_ago))
    assert progress.week_streak(runner_id, NOW, BERLIN) == 3
    add_run(runner_id, NOW - timedelta(hours=1))
    assert progress.week_streak(runner_id, NOW, BERLIN) == 4


def test_a_long_streak_is_counted_past_the_first_batch_of_weeks(ctx, runner_id):
    for weeks_ago in range(0, 60):
        add_run(runner_id, NOW - timedelta(weeks=weeks_ago))
    assert progress.week_streak(runner_id, NOW, BERLIN) == 60


def test_no_runs_no_streak(ctx, runner_id):
    assert progress.week_streak(runner_id, NOW, BERLIN) == 0


def test_progress_page_shows_charts_and_totals(app, runner_id):
    with app.app_context():
        add_run(runner_id, datetime.now(UTC) - timedelta(hours=2), km=7.5)
        db.session.commit()
    client = app.test_client()
    log_in(client, "ana")
    page = client.get("/runs/progress")
    assert page.status_code == 200
    assert "Distance per week" in text(page)
    assert "7.50 km" in text(page)
    assert "<svg" in page.get_data(as_text=True)
