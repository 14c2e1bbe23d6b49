"""Logging a run stays cheap with milestones: a run after every other of its runner costs a
fixed number of statements, however long their history."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.activities import services as activities
from community.activities.services import RunDetails
from community.extensions import db
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
