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
    html = page.get_data(as_text=True)
    assert html.count("data-chart-data") == 6
    assert "uPlot.iife.min.js" in html


# Charts.


def bucket(start: datetime, km: float = 0.0, minutes: float = 0.0, runs: int = 0):
    return progress.Bucket(start.astimezone(BERLIN), km * 1000, minutes * 60, runs)


def test_the_trailing_average_is_the_mean_of_the_values_before_each():
    assert progress.trailing_average([4.0, 8.0, 0.0, 12.0, 6.0, 10.0], 4) == [
        None,
        None,
        None,
        None,
        6.0,  # (4 + 8 + 0 + 12) / 4
        6.5,  # (8 + 0 + 12 + 6) / 4
    ]


def test_distance_chart_in_miles_with_the_previous_four_weeks_average_as_its_line():
    mondays = [datetime(2026, 3, 2, tzinfo=BERLIN) + timedelta(weeks=k) for k in range(6)]
    kms = [16.09344, 8.04672, 0.0, 24.14016, 32.18688, 4.02336]  # 10, 5, 0, 15, 20, 2.5 mi
    buckets = [bucket(monday, km) for monday, km in zip(mondays, kms, strict=True)]

    chart = progress.bucket_chart(
        "week-distance",
        "Distance per week",
        buckets[4:],
        "distance_m",
        units="mi",
        label=lambda b: b.start.strftime("%-d %b"),
        x_title="Week of",
        target=progress.average_target(buckets, "distance_m", 4, "weeks"),
    )

    assert [s.label for s in chart.series] == ["Distance", "Average of the previous 4 weeks"]
    assert chart.series[0].values == [20.0, 2.5]
    assert chart.series[1].values == [7.5, 10.0]  # (10+5+0+15)/4, (5+0+15+20)/4
    assert chart.rows() == [("30 Mar", ["20.00 mi", "7.50 mi"]), ("6 Apr", ["2.50 mi", "10.00 mi"])]
    assert chart.y_title == "mi"


def test_a_chart_without_a_target_draws_only_its_bars():
    chart = progress.bucket_chart(
        "week-time",
        "Time per week",
        [bucket(datetime(2026, 3, 30, tzinfo=BERLIN), minutes=95)],
        "duration_s",
        units="km",
        label=lambda b: b.start.strftime("%-d %b"),
        x_title="Week of",
    )

    assert [s.style for s in chart.series] == ["bars"]
    assert chart.rows() == [("30 Mar", ["1:35:00"])]


def test_charts_put_a_run_just_before_local_midnight_in_its_own_week_and_month(ctx, runner_id):
    # Sunday 29 March, 23:30 in Berlin (21:30 UTC): the last week of March, not the first of
    # April's week, and March, not April.
    add_run(runner_id, datetime(2026, 3, 29, 21, 30, tzinfo=UTC), km=10)
    # Monday 30 March, 00:30 in Berlin (Sunday 22:30 UTC): the new week, still March.
    add_run(runner_id, datetime(2026, 3, 29, 22, 30, tzinfo=UTC), km=4)

    weeks, months = progress.progress_charts(runner_id, NOW, BERLIN, "km")

    distance_per_week = dict(weeks[0].rows())
    assert distance_per_week["23 Mar"] == ["10.00 km", "0.00 km"]
    assert distance_per_week["30 Mar"] == ["4.00 km", "2.50 km"]  # 10 km in the 4 weeks before
    distance_per_month = dict(months[0].rows())
    assert distance_per_month["Mar 2026"] == ["14.00 km", "0.00 km"]
    assert distance_per_month["Apr 2026"] == ["0.00 km", "4.67 km"]  # 14 km over 3 months
    assert [c.title for c in weeks] == ["Distance per week", "Time per week", "Runs per week"]
    assert len(weeks[0].x) == progress.WEEKS_SHOWN
    assert len(months[0].x) == progress.MONTHS_SHOWN
