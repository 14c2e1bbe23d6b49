"""Logging a run stays cheap with milestones: a run after every other of its runner costs a
fixed number of statements, however long their history."""

import os
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.activities import services as activities
from community.activities.services import RunDetails
from community.challenges import services as challenges
from community.extensions import db
from community.goals import services as goals
from community.goals.services import GoalSpec
from tests.challenges import builders
from tests.helpers import make_runner, statements_run

NOW = datetime(2027, 6, 2, 12, 0, tzinfo=UTC)  # a Wednesday
POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
# A run entered by hand, in no challenge: on PostgreSQL the runner locked (two runs of one
# runner logged at once each count the other), the run, the group-run match, the challenges
# it counts in, its feed item and who hears of it (one statement for an item anyone may
# see), and milestones' one summary. A run that earns a milestone adds its insert and the
# badges on its feed item; the first run of a week, while a streak is still to earn, reads
# the weeks before it.
ORDINARY = 6 + POSTGRES
EARNING = ORDINARY + 3
# The hot path: a run that moves three challenges and five goals and earns a milestone.
# The challenges' rows are found, locked and their versions moved by the statement that
# looks for them in any case; their entries add their lock, one UPDATE (an executemany)
# and their score buckets; the goals nothing (milestones' summary counts them); the
# milestone its insert.
IN_CHALLENGES_WITH_GOALS = ORDINARY + 4


def ana() -> User:
    return db.session.scalar(select(User).where(User.username == "ana"))


def statements_to_log(app, start: datetime, km: float) -> list[str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        runner = ana()
        details = RunDetails(start_time=start, distance_m=km * 1000, duration_s=km * 330)
        with statements_run(app) as seen:
            activities.log_run(runner, details, now=NOW)
            db.session.flush()
        db.session.commit()
        return seen


@pytest.fixture(params=[10, 200], ids=["10 runs before", "200 runs before"])
def history(app, request):
    make_runner(app, "ana")
    with app.app_context():
        for n in range(request.param):
            details = RunDetails(
                start_time=NOW - timedelta(days=1, hours=n * 6), distance_m=12_000, duration_s=4000
            )
            activities.log_run(ana(), details, now=NOW)
        db.session.commit()


def test_a_run_that_earns_nothing_costs_one_statement_more(app, history):
    seen = statements_to_log(app, NOW - timedelta(hours=2), km=5)

    assert len(seen) <= ORDINARY, "\n".join(seen)


def test_a_run_that_earns_a_milestone_costs_a_few_more(app, history):
    seen = statements_to_log(app, NOW - timedelta(hours=2), km=30)  # the longest so far

    assert any(statement.startswith("INSERT INTO milestones") for statement in seen)
    assert len(seen) <= EARNING, "\n".join(seen)


def test_a_run_in_three_challenges_with_five_goals_that_earns_a_milestone(app, history):
    with app.app_context():
        organiser = builders.runner("org", is_site_admin=True)
        june = {"starts_on": date(2027, 6, 1), "ends_on": date(2027, 6, 30)}
        for kind in ("distance", "time", "runs"):
            month = builders.challenge(organiser, kind=kind, goal=500_000.0, **june)
            challenges.join(ana(), month, now=NOW - timedelta(days=1))
        for spec in (
            GoalSpec("total", 5_000_000.0, date(2027, 1, 1), date(2027, 12, 31), "distance_m"),
            GoalSpec("weekly", 30_000.0, date(2027, 5, 17), date(2027, 7, 11), "distance_m"),
            GoalSpec("habit", 3, date(2027, 5, 3), date(2027, 7, 25)),
            GoalSpec("race", 3000.0, date(2027, 6, 1), date(2027, 9, 1), race_label="10 km"),
            GoalSpec("total", 25, date(2027, 6, 1), date(2027, 6, 30), "runs"),
        ):
            goals.create_goal(ana(), spec, NOW.date())
        db.session.commit()

    seen = statements_to_log(app, NOW - timedelta(hours=2), km=30)  # the longest so far

    assert sum(s.startswith("UPDATE challenge_entries") for s in seen) == 1, "\n".join(seen)
    assert any(statement.startswith("INSERT INTO milestones") for statement in seen)
    assert len(seen) <= IN_CHALLENGES_WITH_GOALS, "\n".join(seen)
