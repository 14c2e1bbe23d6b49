"""Periodic work runs when it is due, once however many hosts run it at once, and a task
that fails is tried again at the next tick."""

import threading
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner
from sqlalchemy import func, select

from community.challenges.models import Challenge
from community.cli import periodic_command
from community.extensions import db
from community.jobs import periodic
from community.jobs.models import PeriodicRun
from tests.helpers import each_at_once, statements_run

NOW = datetime(2027, 3, 14, 9, 0, tzinfo=UTC)


def counting_task(calls: list[datetime], every: timedelta = timedelta(hours=1)) -> periodic.Task:
    def run(now: datetime) -> str:
        calls.append(now)
        return f"call {len(calls)}"

    return periodic.Task("counting", every, run)


def test_a_due_task_runs_then_waits_its_interval(ctx):
    calls: list[datetime] = []
    task = counting_task(calls)

    assert periodic.run_due(NOW, (task,)) == {"counting": "call 1"}
    assert periodic.run_due(NOW + timedelta(minutes=59), (task,)) == {}
    assert periodic.run_due(NOW + timedelta(hours=1), (task,)) == {"counting": "call 2"}
    row = db.session.get(PeriodicRun, "counting")
    assert (row.started_at, row.outcome) == (NOW + timedelta(hours=1), "call 2")


def test_a_task_that_fails_leaves_nothing_and_runs_at_the_next_tick(ctx):
    attempts: list[datetime] = []

    def flaky(now: datetime) -> str:
        attempts.append(now)
        if len(attempts) == 1:
            raise RuntimeError("the mail server went away")
        return "done"

    task = periodic.Task("flaky", timedelta(days=1), flaky)

    assert periodic.run_due(NOW, (task,)) == {}
    assert db.session.get(PeriodicRun, "flaky").started_at is None
    assert periodic.run_due(NOW + timedelta(minutes=1), (task,)) == {"flaky": "done"}


def test_hosts_running_the_periodic_work_at_once_create_the_months_challenge_once(app):
    results, errors = each_at_once(app, [lambda: periodic.run_due(NOW)] * 3)

    assert errors == []
    assert [r["monthly-challenges"] for r in results if "monthly-challenges" in r] == [
        "1 monthly challenges created"
    ]
    with app.app_context():
        created = db.session.scalar(
            select(func.count()).select_from(Challenge).where(Challenge.monthly_key.is_not(None))
        )
        assert created == 1


def test_a_host_skips_a_task_another_host_is_running(app):
    running, may_finish = threading.Event(), threading.Event()
    calls: list[datetime] = []

    def slow(now: datetime) -> str:
        calls.append(now)
        running.set()
        may_finish.wait(timeout=30)
        return "slow done"

    task = periodic.Task("slow", timedelta(hours=1), slow)

    def first() -> dict[str, str]:
        return periodic.run_due(NOW, (task,))

    def second() -> dict[str, str]:
        running.wait(timeout=30)
        try:
            return periodic.run_due(NOW + timedelta(seconds=5), (task,))
        finally:
            may_finish.set()

    results, errors = each_at_once(app, [first, second])

    assert errors == []
    assert sorted(results, key=len) == [{}, {"slow": "slow done"}]
    assert len(calls) == 1


def test_the_command_says_what_it_ran_then_that_nothing_is_due(app):
    runner = CliRunner()
    with app.app_context():
        first = runner.invoke(periodic_command, [])
        again = runner.invoke(periodic_command, [])

    assert "monthly-challenges: 1 monthly challenges created" in first.output
    assert "recurring-runs: 0 group runs created" in first.output
    assert again.output.strip() == "Nothing due."


def test_a_tick_with_nothing_due_only_reads(app):
    with app.app_context():
        periodic.run_due(NOW)

    with app.app_context(), statements_run(app) as seen:
        assert periodic.run_due(NOW + timedelta(minutes=1)) == {}

    assert seen and all(statement.lstrip().startswith("SELECT") for statement in seen), seen
