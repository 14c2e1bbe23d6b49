"""Jobs that leave the request: on Redis through Dramatiq when REDIS_URL is set, else run in
this process, so that `make run` needs nothing new.

Dramatiq rather than RQ: retries with exponential backoff and time limits come with it (mail
to a server that is down, and the webhooks to come, need them), its workers run jobs in
threads (no fork per job), and it is what FitTrackee runs its jobs on.

A job is a plain function of JSON-able keyword arguments, registered with `@job(name)`.
`enqueue(name, **kwargs)` sends it once the session's transaction commits (a rolled back
request sends nothing). With Redis, `flask jobs worker` (any
number of them, on any host) runs it, retried with backoff when it raises; without, it runs
right after the commit in this process, in an app context of its own. Either way each run
has its own app context and session, and is counted (ops.metrics).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from community.extensions import db
from community.ops import metrics

log = logging.getLogger("runhive.jobs")
QUEUE = "runhive"
_PENDING = "jobs.pending"
_REGISTRY: dict[str, "Job"] = {}


@dataclass(frozen=True)
class Job:
    name: str
    fn: Callable[..., None]
    max_retries: int


def job(name: str, *, max_retries: int = 5) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register `fn` as the job `name` (retried up to `max_retries` times on Redis)."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        _REGISTRY[name] = Job(name, fn, max_retries)
        return fn

    return register


def run(app: Flask, name: str, kwargs: dict[str, Any]) -> None:
    """Run one job in an app context (and a session) of its own; commit what it did."""
    with app.app_context():
        try:
            _REGISTRY[name].fn(**kwargs)
            db.session.commit()
        except Exception:
            db.session.rollback()
            metrics.JOBS.labels(name, "failed").inc()
            raise
        finally:
            db.session.remove()
    metrics.JOBS.labels(name, "run").inc()


@dataclass
class Jobs:
    """An app's jobs: its Dramatiq broker and actors, or none (run in the process)."""

    app: Flask
    broker: RedisBroker | None
    actors: dict[str, dramatiq.Actor] = field(default_factory=dict)

    def send(self, name: str, kwargs: dict[str, Any]) -> None:
        metrics.JOBS.labels(name, "queued").inc()
        if self.broker is not None:
            self.actors[name].send(**kwargs)
            return
        try:
            run(self.app, name, kwargs)
        except Exception:  # after the commit: the request stands; the failure is logged
            log.exception("job %s failed", name)


def enqueue(name: str, **kwargs: Any) -> None:
    """Send the job once the session's transaction commits (begun here if none is: a
    transaction costs nothing until it sends SQL)."""
    if name not in _REGISTRY:
        raise KeyError(f"no job named {name!r}")
    jobs: Jobs = current_app.extensions["jobs"]
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_PENDING, []).append((jobs, name, kwargs))


def _send_pending(session: Session) -> None:
    for jobs, name, kwargs in session.info.pop(_PENDING, []):
        jobs.send(name, kwargs)


def _drop_pending(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def broker_for(app: Flask) -> RedisBroker | None:
    url = app.config["REDIS_URL"]
    if not url or not app.config["JOBS_ON_REDIS"]:
        return None
    # Its own name on a shared Redis, as live events have theirs.
    return RedisBroker(url=url, namespace=f"{app.config['SOCKETIO_CHANNEL']}-jobs")


def init_app(app: Flask) -> None:
    from community.jobs import tasks  # noqa: F401  (registers the jobs)

    broker = broker_for(app)
    jobs = Jobs(app, broker)
    if broker is not None:
        for spec in _REGISTRY.values():
            jobs.actors[spec.name] = dramatiq.actor(
                _runner(app, spec.name),
                broker=broker,
                actor_name=spec.name,
                queue_name=QUEUE,
                max_retries=spec.max_retries,
                min_backoff=1_000,
                max_backoff=300_000,
            )
    app.extensions["jobs"] = jobs
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_commit", _send_pending):
        event.listen(session_class, "after_commit", _send_pending)
        event.listen(session_class, "after_soft_rollback", _drop_pending)


def _runner(app: Flask, name: str) -> Callable[..., None]:
    def perform(**kwargs: Any) -> None:
        run(app, name, kwargs)

    perform.__name__ = name.replace(".", "_")
    return perform


def work(app: Flask, threads: int) -> dramatiq.Worker:
    """A worker for the app's queue, started (the caller stops it)."""
    jobs: Jobs = app.extensions["jobs"]
    if jobs.broker is None:
        raise RuntimeError("no job queue: set REDIS_URL (without it, jobs run in the process)")
    worker = dramatiq.Worker(jobs.broker, queues={QUEUE}, worker_threads=threads)
    worker.start()
    return worker
