"""`make cluster` for real: nginx in front of two app processes sharing one database and one
Redis (deploy/cluster.py, as the Makefile runs it). A browser stays on the process nginx
chose for it (the cookie nginx sets), and what a runner does on one process reaches the
sockets on the other: an RSVP, a kudos.

The database is a SQLite file shared by both processes, or, with TEST_DATABASE_URL, a
database of its own (`<name>_nginx`) on that PostgreSQL server.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.helpers import require
from tests.servers import (
    ROOT,
    START_TIMEOUT,
    Socket,
    connect,
    csrf_token,
    flask,
    free_port,
    give_kudos,
    log_run,
    new_client,
    own_database_url,
    server_env,
    submit,
)
from tests.test_cluster import DEFAULT_REDIS_URL, _redis

pytestmark = pytest.mark.redis
PASSWORD = "runhive-demo-2026"


@dataclass
class Cluster:
    url: str  # nginx
    ports: list[int]  # the app processes, behind it
    run: Path  # where the processes and nginx write their logs
    database_url: str

    def served_by(self, request_id: str) -> list[int]:
        """The app ports whose request log names this request."""
        return [p for p in self.ports if request_id in (self.run / f"app-{p}.log").read_text()]


def nginx_installed() -> None:
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        require("nginx is not installed (Debian: apt-get install nginx)")


def free_pair() -> int:
    """A port that is free, with the next one free too (deploy/cluster.py counts up)."""
    for _ in range(100):
        first = free_port()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", first + 1))
            except OSError:
                continue
        return first
    pytest.fail("no two free ports in a row")


def wait_for_both(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the cluster stopped:\n{log.read_text()}")
        try:
            answers = [
                requests.get(f"{url}/readyz", cookies={"runhive_node": n}, timeout=2).status_code
                for n in ("1", "2")
            ]
            if answers == [200, 200]:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    pytest.fail(f"the cluster did not answer within {START_TIMEOUT} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    nginx_installed()
    folder = tmp_path_factory.mktemp("nginx")
    redis_url = os.environ.get("TEST_REDIS_URL") or DEFAULT_REDIS_URL
    _redis(redis_url).close()
    database_url = own_database_url(folder, "nginx")
    env = server_env(
        folder,
        0,
        database_url=database_url,
        redis_url=redis_url,
        secret_key=secrets.token_urlsafe(32),
    )
    for setting in ("PORT", "SOCKETIO_ASYNC_MODE"):
        env.pop(setting)
    flask(env, "db", "upgrade")
    flask(env, "seed-demo")
    first, listen, run = free_pair(), free_port(), folder / "run"
    command = [sys.executable, "deploy/cluster.py", "--processes", "2", "--port", str(listen)]
    command += ["--first-port", str(first), "--run-dir", str(run)]
    log = folder / "cluster.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{listen}"
    try:
        wait_for_both(url, process, log)
        yield Cluster(url, [first, first + 1], run, database_url)
    finally:
        process.terminate()  # cluster.py stops nginx and the app processes
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def browser(cluster: Cluster, node: str | None = None) -> requests.Session:
    session = requests.Session()
    if node:
        session.cookies.set("runhive_node", node, domain="127.0.0.1", path="/")
    return session


def log_in(cluster: Cluster, session: requests.Session, username: str) -> requests.Response:
    form = {"login": username, "password": PASSWORD}
    form["csrf_token"] = csrf_token(session, f"{cluster.url}/login")
    response = session.post(f"{cluster.url}/login", data=form, allow_redirects=False, timeout=5)
    assert response.status_code == 302, f"{username} could not log in through nginx"
    return response


def open_socket(cluster: Cluster, session: requests.Session) -> Socket:
    watcher = Socket(new_client())
    connect(cluster.url, session.cookies.get_dict(), watcher.client)
    return watcher


def close(*sockets: Socket) -> None:
    closing = [threading.Thread(target=s.client.disconnect) for s in sockets]
    for thread in closing:
        thread.start()
    for thread in closing:
        thread.join(timeout=10)


def test_a_browser_stays_on_the_process_nginx_chose_for_it(cluster):
    session = browser(cluster)

    first = session.get(f"{cluster.url}/login", timeout=5)
    node = session.cookies.get("runhive_node")
    later = [session.get(f"{cluster.url}/login", timeout=5) for _ in range(4)]

    assert node in {"1", "2"}
    served = {p for r in [first, *later] for p in cluster.served_by(r.headers["X-Request-ID"])}
    assert served == {cluster.ports[int(node) - 1]}


def test_each_process_reports_the_metrics_of_both(cluster):
    """Any process's /metrics (on its own port, from the host) adds up every process's."""
    for port in cluster.ports:  # a request each, which their logs name
        requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    served = sum(
        (cluster.run / f"app-{port}.log").read_text().count(" GET /healthz 200 ")
        for port in cluster.ports
    )

    counts = [healthz_count(port) for port in cluster.ports]

    assert counts == [served, served]


def healthz_count(port: int) -> float:
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    name = 'runhive_request_duration_seconds_count{endpoint="ops.healthz",method="GET"}'
    return next(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name))


def test_an_rsvp_on_one_process_reaches_a_watcher_on_the_other(cluster):
    ana, chloe = browser(cluster, "1"), browser(cluster, "2")
    logins = [log_in(cluster, ana, "ana"), log_in(cluster, chloe, "chloe")]
    assert [cluster.served_by(r.headers["X-Request-ID"]) for r in logins] == [
        [cluster.ports[0]],
        [cluster.ports[1]],
    ]
    run_id, answer = upcoming_run_of_anas_club(cluster)
    watcher = open_socket(cluster, chloe)
    try:
        assert watcher.client.call("run:watch", {"run_id": run_id}, timeout=10) == {"ok": True}

        answered = submit(ana, cluster.url, f"/group-runs/{run_id}/rsvp", {"status": answer})

        assert answered.status_code == 302
        assert watcher.wait_for("run:roster_changed") == {"run_id": run_id}
    finally:
        close(watcher)


def test_kudos_on_one_process_reach_the_runner_on_the_other(cluster):
    ana, ben = browser(cluster, "1"), browser(cluster, "2")
    log_in(cluster, ana, "ana")
    log_in(cluster, ben, "ben")
    item = log_run(ana, cluster.url, "ana")
    runner = open_socket(cluster, ana)
    try:
        give_kudos(ben, cluster.url, item)

        notification = runner.wait_for("notification:new")
        assert notification["text"] == "Ben Okafor gave you kudos."
    finally:
        close(runner)


def upcoming_run_of_anas_club(cluster: Cluster) -> tuple[int, str]:
    """A group run to come, of a public club of Ana's (Chloé may watch it), and an answer
    that changes Ana's."""
    engine = create_engine(cluster.database_url)
    try:
        with engine.connect() as connection:
            run_id, status = connection.execute(
                text(
                    """
                    SELECT g.id, r.status FROM group_runs g
                    JOIN clubs k ON k.id = g.club_id AND k.visibility = 'public'
                    JOIN memberships m ON m.club_id = g.club_id
                    JOIN users u ON u.id = m.user_id AND u.username = 'ana'
                    LEFT JOIN rsvps r ON r.run_id = g.id AND r.user_id = u.id
                    WHERE g.cancelled_at IS NULL AND g.starts_at > :now
                    ORDER BY g.starts_at LIMIT 1
                    """
                ),
                {"now": datetime.now(UTC)},
            ).one()
    finally:
        engine.dispose()
    return run_id, "maybe" if status == "going" else "going"
