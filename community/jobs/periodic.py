"""Periodic work, safe when several hosts run it at once.

Every server process runs `loop` (and cron may run `flask periodic`): each minute, each
task that is due is claimed, run and recorded. The claim is a conditional UPDATE of the
task's row in `periodic_runs`, committed at once: of hosts claiming together, the first sets
the task's start to now and the others find it not due, so they skip it without waiting
for it to finish (what an advisory lock would do, on SQLite too). A task that fails gives
its claim back and is tried again at the next tick; a host that dies mid-task leaves it
claimed until its interval has passed.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from community.db_types import utcnow
from community.extensions import db
from community.jobs.models import PeriodicRun
from community.ops import metrics

log = logging.getLogger("runhive.periodic")
TICK_S = 60
NEVER = datetime.min.replace(tzinfo=UTC)  # a claim's previous start, when it had none


@dataclass(frozen=True)
class Task:
    name: str
    every: timedelta
    run: Callable[[datetime], str]  # does the work (flushes, never commits); says what it did


def _monthly_challenges(now: datetime) -> str:
    from community.challenges import services as challenges

    return f"{len(challenges.ensure_monthly(now))} monthly challenges created"


def _recurring_runs(now: datetime) -> str:
    from community.group_runs.series import extend_all

    return f"{extend_all(now=now)} group runs created"


def _run_reminders(now: datetime) -> str:
    from community.reminders.services import send_run_reminders

    return send_run_reminders(now)


def _challenge_endings(now: datetime) -> str:
    from community.reminders.services import send_challenge_endings

    return send_challenge_endings(now)


def _weekly_digests(now: datetime) -> str:
    from community.reminders.digest import send_digests

    return send_digests(now)


TASKS: tuple[Task, ...] = (
    Task("monthly-challenges", timedelta(hours=1), _monthly_challenges),
    Task("recurring-runs", timedelta(hours=6), _recurring_runs),
    Task("run-reminders", timedelta(minutes=10), _run_reminders),
    Task("challenge-endings", timedelta(minutes=30), _challenge_endings),
    Task("weekly-digests", timedelta(minutes=30), _weekly_digests),
)


def claim(task: Task, now: datetime) -> datetime | None:
    """Take the task for this host if it is due; commits. Returns the start it replaced
    (to give back if the task fails), or None when it was not due or another host has it.

    Each tick of each process asks of every task: a read first, so that a task not due (the
    usual answer) costs no write (on SQLite, no wait for the write lock)."""
    started = db.session.execute(
        select(PeriodicRun.started_at).where(PeriodicRun.name == task.name)
    ).first()
    if started is not None and started[0] is not None and started[0] > now - task.every:
        db.session.commit()
        return None
    build = (
        postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    db.session.execute(
        build(PeriodicRun).values(name=task.name, outcome="").on_conflict_do_nothing()
    )
    previous = db.session.scalar(
        select(PeriodicRun.started_at).where(PeriodicRun.name == task.name)
    )
    taken = db.session.execute(
        update(PeriodicRun)
        .where(
            PeriodicRun.name == task.name,
            or_(PeriodicRun.started_at.is_(None), PeriodicRun.started_at <= now - task.every),
        )
        .values(started_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    return previous or NEVER


def _give_back(task: Task, now: datetime, previous: datetime) -> None:
    db.session.execute(
        update(PeriodicRun)
        .where(PeriodicRun.name == task.name, PeriodicRun.started_at == now)
        .values(started_at=None if previous == NEVER else previous)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def run_due(now: datetime, tasks: tuple[Task, ...] = TASKS) -> dict[str, str]:
    """Run each task that is due and that no other host has claimed, each in a transaction
    of its own, committed here; what each one did."""
    done = {}
    for task in tasks:
        previous = claim(task, now)
        if previous is None:
            continue
        try:
            outcome = task.run(now)
            db.session.execute(
                update(PeriodicRun)
                .where(PeriodicRun.name == task.name)
                .values(finished_at=utcnow(), outcome=outcome[:200])
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
        except Exception:
            db.session.rollback()
            _give_back(task, now, previous)
            log.exception("periodic task %s failed; tried again at the next tick", task.name)
            metrics.JOBS.labels(f"periodic:{task.name}", "failed").inc()
            continue
        metrics.JOBS.labels(f"periodic:{task.name}", "run").inc()
        done[task.name] = outcome
        log.info("%s: %s", task.name, outcome)
    return done


def loop(app: Flask, sleep: Callable[[float], None]) -> None:
    """Forever: the due tasks, then a tick's sleep (`sleep`: the server's own, so that a
    gevent server goes on serving meanwhile)."""
    while True:
        with app.app_context():
            try:
                run_due(utcnow())
            finally:
                db.session.remove()
        sleep(TICK_S)
