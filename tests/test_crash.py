"""A server killed (SIGKILL) in the middle of a burst of writes loses at most the requests
it was serving: after a restart every counter still matches its rows, and SQLite's file
is whole. On SQLite, or with TEST_DATABASE_URL on a PostgreSQL database of its own."""

import itertools
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from tests.servers import (
    ROOT,
    flask,
    free_port,
    log_run,
    logged_in,
    own_database_url,
    server_env,
    start,
    submit,
    wait_until_serving,
)

RUNNERS = ("ana", "ben", "chloe", "dev")  # the demo's Riverside Runners


def demo_targets(database_url: str) -> tuple[int, int, int, int]:
    """A Riverside group run, its first pace group, a challenge with entrants, and an item
    of Emma's (who is not in the burst) to give kudos on."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            run_id, group_id = connection.execute(
                text(
                    "SELECT r.id, g.id FROM group_runs r JOIN pace_groups g ON g.run_id = r.id"
                    " JOIN clubs c ON c.id = r.club_id WHERE c.slug = 'riverside-runners'"
                    " ORDER BY r.id, g.id LIMIT 1"
                )
            ).one()
            challenge_id = connection.execute(
                text("SELECT challenge_id FROM challenge_entries ORDER BY id LIMIT 1")
            ).scalar_one()
            item_id = connection.execute(
                text(
                    "SELECT i.id FROM feed_items i JOIN users u ON u.id = i.actor_id"
                    " WHERE u.username = 'emma' ORDER BY i.id LIMIT 1"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return run_id, group_id, challenge_id, item_id


def writes(
    server: str,
    username: str,
    targets: tuple[int, ...],
    stop: threading.Event,
    rounds: threading.Semaphore,
) -> int:
    """One runner's writes, round and round, until stopped or the server is gone; `rounds`
    is released after each round."""
    run_id, group_id, challenge_id, item_id = targets
    done = 0
    try:
        with logged_in(server, username) as http:
            for turn in itertools.count():
                if stop.is_set():
                    break
                log_run(http, server, username)
                kudos = "kudos" if turn % 2 == 0 else "kudos/delete"
                submit(http, server, f"/feed/items/{item_id}/{kudos}")
                status = "going" if turn % 2 == 0 else "not_going"
                rsvp = {"status": status, "pace_group": str(group_id)}
                submit(http, server, f"/group-runs/{run_id}/rsvp", rsvp)
                action = "leave" if turn % 2 == 0 else "join"
                submit(http, server, f"/challenges/{challenge_id}/{action}")
                done += 1
                rounds.release()
    except (requests.RequestException, AssertionError):
        pass  # the server was killed under this runner's feet
    return done


def check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_server_killed_mid_burst_leaves_every_counter_true(tmp_path: Path):
    database_url = own_database_url(tmp_path, "crash")
    env = server_env(tmp_path, free_port(), database_url=database_url)
    cli_env = {k: v for k, v in env.items() if k not in ("SOCKETIO_ASYNC_MODE", "PORT")}
    flask(cli_env, "db", "upgrade")
    flask(cli_env, "seed-demo")
    targets = demo_targets(database_url)
    log = tmp_path / "server.log"
    server = start(env, log)
    url = f"http://{env['HOST']}:{env['PORT']}"
    try:
        wait_until_serving(url, server, log)
        stop = threading.Event()
        rounds = threading.Semaphore(0)
        counts: list[int] = []
        threads = [
            threading.Thread(
                target=lambda u=u: counts.append(writes(url, u, targets, stop, rounds))
            )
            for u in RUNNERS
        ]
        for thread in threads:
            thread.start()
        # The burst is under way once the runners have finished as many rounds as there are
        # runners. Counted, not slept for: on a busy machine a fixed 4 s can end before any
        # round has (four log-ins with the real password hash come first).
        deadline = time.monotonic() + 60
        for _ in RUNNERS:
            assert rounds.acquire(timeout=max(deadline - time.monotonic(), 0)), "no burst"
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert sum(counts) > 0, "no write finished before the kill"
        checked = check(cli_env)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        if database_url.startswith("sqlite"):
            path = database_url.removeprefix("sqlite:///")
            with closing(sqlite3.connect(path)) as connection:
                assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        server = start(env, log)
        wait_until_serving(url, server, log)
        with logged_in(url, "ana") as http:
            assert log_run(http, url, "ana") > 0
        assert check(cli_env).returncode == 0
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)
