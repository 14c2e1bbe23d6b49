"""A goal's progress is a recount of the runner's runs in its window: edited and deleted
runs move it, weeks are the goal's own in its zone, a race is won by a best effort or a
whole run, and the verdict says why with the numbers."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.activities.models import BestEffort, Run
from community.extensions import db
from community.goals import services
from community.goals.models import Goal, Measure
from community.goals.progress import Counted, Status, counts, progress
from community.goals.rules import RaceVerdict
from community.goals.services import GoalSpec
from tests.helpers import make_runner, statements_run

KM = 1000.0


@pytest.fixture
def ana(app):
    return make_runner(app, "ana", timezone="Europe/Berlin")


def runner() -> User:
    return db.session.scalar(select(User).where(User.username == "ana"))


def goal(spec: GoalSpec) -> Goal:
    return services.create_goal(runner(), spec, spec.starts_on)


def run(at: datetime, km: float, minutes: float, **fields: object) -> Run:
    logged = Run(
        user_id=runner().id,
        title="run",
        start_time=at,
        distance_m=km * KM,
        duration_s=minutes * 60,
        **fields,
    )
    db.session.add(logged)
    db.session.flush()
    return logged


def counted(one: Goal) -> Counted:
    return counts([one])[one.id]


def test_a_total_counts_the_runs_in_its_window_and_follows_edits_and_deletes(ctx, ana):
    month = goal(
        GoalSpec(
            "total",
            100 * KM,
            date(2027, 3, 1),
            date(2027, 3, 31),
            Measure.DISTANCE,
            timezone="Europe/Berlin",
        )
    )
    run(datetime(2027, 2, 28, 23, 30, tzinfo=UTC), 10, 60)  # 1 March 00:30 in Berlin
    edited = run(datetime(2027, 3, 10, 7, 0, tzinfo=UTC), 12, 70, visibility="private")
    deleted = run(datetime(2027, 3, 12, 7, 0, tzinfo=UTC), 8, 45)
    run(datetime(2027, 3, 31, 22, 30, tzinfo=UTC), 30, 180)  # 1 April in Berlin: outside

    assert counted(month).distance_m == 30 * KM
    edited.distance_m = 20 * KM
    db.session.delete(deleted)
    db.session.flush()

    assert (counted(month).distance_m, counted(month).runs) == (30 * KM, 2)


def test_a_total_on_an_even_pace_is_on_track_and_says_what_each_week_needs(ctx, ana):
    month = goal(GoalSpec("total", 100 * KM, date(2027, 3, 1), date(2027, 3, 28), Measure.DISTANCE))
    for day in range(1, 15):
        run(datetime(2027, 3, day, 7, 0, tzinfo=UTC), 3.6, 20)

    standing = progress(month, counted(month), datetime(2027, 3, 14, 20, 0, tzinfo=UTC))

    assert standing.status == Status.ON_TRACK
    assert standing.done == pytest.approx(50.4 * KM)
    assert standing.expected == pytest.approx(50 * KM)  # 14 of 28 days begun
    assert standing.projected == pytest.approx(100.8 * KM)
    assert standing.days_left == 15  # today is still to run
    assert standing.needed_per_week == pytest.approx(49.6 * KM / (15 / 7))


def test_a_total_behind_its_pace_is_behind_and_one_past_its_target_is_reached(ctx, ana):
    month = goal(GoalSpec("total", 10, date(2027, 3, 1), date(2027, 3, 28), Measure.RUNS))
    run(datetime(2027, 3, 2, 7, 0, tzinfo=UTC), 5, 30)
    middle = datetime(2027, 3, 14, 20, 0, tzinfo=UTC)

    assert progress(month, counted(month), middle).status == Status.BEHIND
    for day in range(3, 12):
        run(datetime(2027, 3, day, 7, 0, tzinfo=UTC), 5, 30)
    reached = progress(month, counted(month), middle)
    assert (reached.status, reached.fraction) == (Status.REACHED, 1.0)


def test_a_weekly_goal_counts_its_own_weeks_in_its_zone_across_a_clock_change(ctx, ana):
    # Berlin moves to summer time on Sunday 28 March 2027; the goal's weeks start Mondays.
    weekly = goal(
        GoalSpec(
            "weekly",
            20 * KM,
            date(2027, 3, 22),
            date(2027, 4, 4),
            Measure.DISTANCE,
            timezone="Europe/Berlin",
        )
    )
    run(datetime(2027, 3, 22, 7, 0, tzinfo=UTC), 20, 110)
    run(datetime(2027, 3, 28, 21, 30, tzinfo=UTC), 15, 80)  # Sunday 23:30 CEST: week 1
    run(datetime(2027, 3, 28, 22, 30, tzinfo=UTC), 9, 50)  # Monday 00:30 CEST: week 2

    weeks = counted(weekly).weeks
    assert [weeks[0][0], weeks[1][0]] == [35 * KM, 9 * KM]
    standing = progress(weekly, counted(weekly), datetime(2027, 3, 31, 12, 0, tzinfo=UTC))
    assert (standing.status, standing.weeks_met, standing.weeks_due) == (Status.ON_TRACK, 1, 1)
    assert standing.this_week == 9 * KM


def test_a_habit_missed_one_week_is_behind_and_missed_when_it_ends(ctx, ana):
    habit = goal(GoalSpec("habit", 3, date(2027, 3, 1), date(2027, 3, 14)))
    for day in (1, 3, 5, 9):
        run(datetime(2027, 3, day, 7, 0, tzinfo=UTC), 5, 30)

    during = progress(habit, counted(habit), datetime(2027, 3, 10, 12, 0, tzinfo=UTC))
    after = progress(habit, counted(habit), datetime(2027, 3, 20, 12, 0, tzinfo=UTC))

    assert (during.status, during.weeks_met, during.this_week) == (Status.ON_TRACK, 1, 1)
    assert (after.status, after.weeks_met, after.weeks_due) == (Status.MISSED, 1, 2)


def test_a_race_goal_is_reached_by_a_best_effort_or_a_whole_run_but_not_a_suspect_one(ctx, ana):
    ten_k = goal(GoalSpec("race", 50 * 60, date(2027, 3, 1), date(2027, 5, 1), race_label="10 km"))
    suspect = run(datetime(2027, 3, 3, 7, 0, tzinfo=UTC), 10, 20, suspect_reason="too fast")
    long_run = run(datetime(2027, 3, 5, 7, 0, tzinfo=UTC), 12, 62)
    assert counted(ten_k).best_s == 62 * 60

    run(datetime(2027, 3, 7, 7, 0, tzinfo=UTC), 10.2, 49.5)  # a race logged by hand
    assert counted(ten_k).best_s == 49.5 * 60
    db.session.add(
        BestEffort(
            run_id=long_run.id,
            user_id=long_run.user_id,
            label="10 km",
            distance_m=10 * KM,
            duration_s=48 * 60,
            achieved_at=long_run.start_time,
        )
    )
    db.session.flush()

    standing = progress(ten_k, counted(ten_k), datetime(2027, 3, 8, tzinfo=UTC))
    assert (standing.status, standing.best_s) == (Status.REACHED, 48 * 60)
    assert suspect.id is not None


def test_a_race_goal_not_yet_run_is_judged_by_the_predicted_time(ctx, ana):
    ten_k = goal(GoalSpec("race", 50 * 60, date(2027, 3, 1), date(2027, 5, 1), race_label="10 km"))
    now = datetime(2027, 3, 8, tzinfo=UTC)

    def status(predicted: float | None, fits: bool | None) -> Status:
        return progress(ten_k, counted(ten_k), now, RaceVerdict(predicted, fits)).status

    assert status(None, None) == Status.UNKNOWN
    assert status(49 * 60, True) == Status.AHEAD
    assert status(51 * 60, True) == Status.ON_TRACK
    assert status(60 * 60, False) == Status.BEHIND


def test_every_goal_of_a_runner_is_counted_in_one_statement(app, ana):
    with app.app_context():
        start = date(2027, 3, 1)
        made = [
            goal(GoalSpec("total", 100 * KM, start, date(2027, 3, 31), Measure.DISTANCE)),
            goal(GoalSpec("weekly", 20 * KM, start, date(2027, 3, 28), Measure.TIME)),
            goal(GoalSpec("habit", 3, start, date(2027, 3, 28))),
            goal(GoalSpec("race", 3000, start, date(2027, 3, 31), race_label="10 km")),
        ]
        run(datetime(2027, 3, 2, 7, 0, tzinfo=UTC), 10.5, 49)
        db.session.commit()
        assert all(g.starts_at for g in made)  # loaded again after the commit
        with statements_run(app) as seen:
            found = counts(made)
        assert len(seen) == 1
        assert [found[g.id].runs for g in made[:3]] == [1, 1, 1]
        assert found[made[3].id].best_s == 49 * 60
        assert timedelta(0) < made[0].ends_at - made[0].starts_at
