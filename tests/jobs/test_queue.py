"""Jobs leave the request: sent only once the transaction commits, run in the process
without Redis, and on Redis by a worker, retried when they fail."""

import os
import secrets
from pathlib import Path

import pytest
from dramatiq.brokers.redis import RedisBroker
from flask import Flask

from community import config as settings
from community import create_app
from community.extensions import db
from community.jobs import queue
from community.jobs.queue import job
from tests.helpers import make_runner, require

DONE: list[str] = []
FAILURES_LEFT: dict[str, int] = {}


@job("test.record", max_retries=3)
def record(word: str) -> None:
    if FAILURES_LEFT.get(word, 0) > 0:
        FAILURES_LEFT[word] -= 1
        raise ConnectionError(f"{word}: not yet")
    DONE.append(word)


@pytest.fixture(autouse=True)
def clean() -> None:
    DONE.clear()
    FAILURES_LEFT.clear()


def test_a_job_goes_only_once_its_transaction_commits(ctx):
    queue.enqueue("test.record", word="after")
    assert DONE == []

    db.session.commit()

    assert DONE == ["after"]


def test_a_rolled_back_transaction_sends_nothing(ctx):
    queue.enqueue("test.record", word="never")

    db.session.rollback()
    db.session.commit()

    assert DONE == []


def test_a_job_asked_before_any_sql_goes_at_the_commit(app):
    with app.app_context():
        queue.enqueue("test.record", word="later")
        assert DONE == []

        db.session.commit()

        assert DONE == ["later"]


def test_without_redis_a_failing_job_is_logged_and_what_committed_stands(ctx, caplog):
    FAILURES_LEFT["broken"] = 1
    queue.enqueue("test.record", word="broken")

    db.session.commit()

    assert DONE == []
    assert "job test.record failed" in caplog.text


def test_an_unknown_job_is_refused(ctx):
    with pytest.raises(KeyError):
        queue.enqueue("test.nothing", word="x")


@pytest.fixture
def on_redis(app: Flask, tmp_path: Path):
    """The app (on the `app` fixture's database) with its jobs on a real Redis, a namespace
    of its own, and a worker."""
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        require("TEST_REDIS_URL is not set; the job queue needs a real Redis")
    config = settings.testing(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    name = f"jobs-test-{secrets.token_hex(4)}"
    config.update(REDIS_URL=redis_url, JOBS_ON_REDIS=True, SOCKETIO_CHANNEL=name)
    on_redis = create_app(config)
    broker: RedisBroker = on_redis.extensions["jobs"].broker
    worker = queue.work(on_redis, threads=2)
    try:
        yield on_redis, broker
    finally:
        worker.stop()
        for key in broker.client.scan_iter(f"{name}-jobs*"):
            broker.client.delete(key)
        broker.close()
        with on_redis.app_context():
            db.engine.dispose()  # this app's connections, the worker's included


def test_on_redis_a_worker_runs_the_job(on_redis):
    app, broker = on_redis
    with app.app_context():
        queue.enqueue("test.record", word="queued")
        assert DONE == []
        db.session.commit()

    broker.join(queue.QUEUE, timeout=20_000)

    assert DONE == ["queued"]


def test_on_redis_a_failing_job_is_retried_with_backoff(on_redis):
    app, broker = on_redis
    FAILURES_LEFT["flaky"] = 1
    with app.app_context():
        queue.enqueue("test.record", word="flaky")
        db.session.commit()

    broker.join(queue.QUEUE, timeout=30_000)

    assert DONE == ["flaky"]


def test_on_redis_the_password_reset_mail_is_sent_by_the_worker(on_redis):
    app, broker = on_redis
    make_runner(app, "ana")
    client = app.test_client()
    page = client.get("/forgot-password").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]

    client.post("/forgot-password", data={"csrf_token": token, "email": "ana@example.com"})
    broker.join(queue.QUEUE, timeout=20_000)

    mails = list(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    assert len(mails) == 1
    assert "Reset your Runhive password" in mails[0].read_text()


def test_a_worker_without_a_queue_says_what_it_needs(app):
    from click.testing import CliRunner

    from community.cli import worker_command

    with app.app_context():
        result = CliRunner().invoke(worker_command, [])

    assert result.exit_code == 1
    assert "set REDIS_URL" in result.output
