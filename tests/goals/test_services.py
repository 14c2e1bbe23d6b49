"""A goal is specific, measurable and time-bound, or it is refused with the field at
fault; the database holds the same rules. Whether it is achievable is advice (rules)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.extensions import db
from community.goals import services
from community.goals.models import Goal, GoalKind, Measure
from community.goals.services import GoalError, GoalSpec, NotYours
from tests.helpers import add_member, make_club, make_runner

TODAY = date(2027, 1, 4)
TEN_K = GoalSpec(
    kind="race", target=50 * 60, starts_on=TODAY, ends_on=date(2027, 3, 1), race_label="10 km"
)


@pytest.fixture
def ana(app):
    ana = make_runner(app, "ana", timezone="Europe/Berlin")
    make_runner(app, "ben")
    return ana


def runner(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def create(spec: GoalSpec, name: str = "ana") -> Goal:
    return services.create_goal(runner(name), spec, TODAY)


def refused(spec: GoalSpec) -> GoalError:
    with pytest.raises(GoalError) as caught:
        create(spec)
    return caught.value


def test_a_race_goal_is_kept_with_its_distance_and_its_window_in_the_runners_zone(ctx, ana):
    goal = create(GoalSpec(**{**TEN_K.__dict__, "timezone": "Europe/Berlin"}))

    assert (goal.kind, goal.race_label, goal.race_distance_m, goal.measure) == (
        "race",
        "10 km",
        10_000.0,
        None,
    )
    assert goal.starts_at == datetime(2027, 1, 3, 23, 0, tzinfo=UTC)  # Berlin midnight
    assert goal.ends_at == datetime(2027, 3, 1, 23, 0, tzinfo=UTC)  # after the last day


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "someday"}, "kind"),
        ({"kind": "total", "measure": None}, "measure"),
        ({"kind": "weekly", "measure": "runs"}, "measure"),
        ({"target": 0}, "target"),
        ({"target": -5}, "target"),
        ({"kind": "habit", "target": 15}, "target"),
        ({"kind": "habit", "target": 2.5}, "target"),
        ({"kind": "total", "measure": "runs", "target": 10.5}, "target"),
        ({"race_label": "12 km"}, "race_label"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"ends_on": date(2027, 1, 3)}, "ends_on"),
        ({"starts_on": date(2026, 12, 1), "ends_on": date(2027, 1, 3)}, "ends_on"),
        ({"ends_on": date(2029, 1, 5)}, "ends_on"),
    ],
)
def test_a_goal_that_is_not_smart_is_refused_with_the_field_at_fault(ctx, ana, changes, field):
    error = refused(GoalSpec(**{**TEN_K.__dict__, **changes}))

    assert error.field == field
    assert db.session.scalars(select(Goal)).all() == []


def test_a_goal_is_shared_only_with_a_club_the_runner_is_in(app, ana):
    club_id = make_club(app, make_runner(app, "cleo"))
    with app.app_context():
        assert refused(GoalSpec(**{**TEN_K.__dict__, "club_id": club_id})).field == "club_id"
    add_member(app, club_id, ana)
    with app.app_context():
        assert create(GoalSpec(**{**TEN_K.__dict__, "club_id": club_id})).club_id == club_id


def test_only_its_runner_changes_or_deletes_a_goal(ctx, ana):
    goal = create(TEN_K)

    with pytest.raises(NotYours):
        services.update_goal(runner("ben"), goal, TEN_K, TODAY)
    with pytest.raises(NotYours):
        services.delete_goal(runner("ben"), goal)
    with pytest.raises(NotYours):
        services.create_goal(runner("ben"), TEN_K, TODAY, parent=goal)
    assert db.session.get(Goal, goal.id) is not None


def test_deleting_a_goal_deletes_its_steps(ctx, ana):
    year = create(
        GoalSpec("total", 1_000_000, date(2027, 1, 1), date(2027, 12, 31), Measure.DISTANCE)
    )
    for step in services.suggest_steps(year)[:3]:
        services.create_goal(runner("ana"), step, TODAY, parent=year)

    services.delete_goal(runner("ana"), year)

    assert db.session.scalars(select(Goal)).all() == []


def test_a_year_total_is_stepped_by_month_with_the_target_shared_by_days(ctx, ana):
    year = create(
        GoalSpec("total", 1_000_000, date(2027, 1, 1), date(2027, 12, 31), Measure.DISTANCE)
    )

    steps = services.suggest_steps(year)

    assert len(steps) == 12
    assert (steps[1].starts_on, steps[1].ends_on) == (date(2027, 2, 1), date(2027, 2, 28))
    assert steps[1].target == pytest.approx(1_000_000 * 28 / 365)
    assert sum(step.target for step in steps) == pytest.approx(1_000_000)


def test_a_month_of_runs_is_stepped_by_week_in_whole_runs(ctx, ana):
    month = create(GoalSpec("total", 12, date(2027, 1, 4), date(2027, 1, 31), Measure.RUNS))

    steps = services.suggest_steps(month)

    assert [step.target for step in steps] == [3, 3, 3, 3]
    assert services.suggest_steps(create(TEN_K)) == []


@pytest.mark.parametrize(
    "columns",
    [
        {"kind": "total", "measure": None},
        {"kind": "weekly", "measure": "runs"},
        {"kind": "race", "race_label": None, "race_distance_m": None},
        {"kind": "habit", "target": 20},
        {"target": 0},
        {"ends_on": date(2027, 1, 1)},
    ],
)
def test_the_database_refuses_a_goal_the_rules_refuse(ctx, ana, columns):
    row = {
        "user_id": runner("ana").id,
        "kind": GoalKind.HABIT.value,
        "measure": None,
        "target": 3,
        "timezone": "UTC",
        "starts_on": TODAY,
        "ends_on": date(2027, 2, 1),
        "starts_at": datetime(2027, 1, 4, tzinfo=UTC),
        "ends_at": datetime(2027, 2, 2, tzinfo=UTC),
    }
    db.session.add(Goal(**{**row, **columns}))

    with pytest.raises(IntegrityError):
        db.session.flush()
