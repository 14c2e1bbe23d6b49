"""Two real server processes on one database and one Redis, as the README's "Running at
scale" runs them: what happens on one process (a request, a CLI command) reaches the
sockets on the other through Flask-SocketIO's Redis message queue, and only those whose
runners may see it.

The database is a SQLite file shared by both processes, or, with TEST_DATABASE_URL, a
database of its own (`<name>_cluster`) on that PostgreSQL server. Redis is TEST_REDIS_URL,
or else the local default below.
"""

import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis
import requests
import socketio
from sqlalchemy import Engine, create_engine, text

from tests.helpers import require
from tests.servers import (
    Socket,
    connect,
    flask,
    free_port,
    give_kudos,
    log_run,
    logged_in,
    new_client,
    own_database_url,
    server_env,
    serving,
    submit,
)

pytestmark = pytest.mark.redis

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
# The cluster's own name on the shared Redis (SOCKETIO_CHANNEL, RATELIMIT_KEY_PREFIX).
CHANNEL = f"runhive-cluster-{secrets.token_hex(4)}"
WAIT = 10  # seconds, for anything to arrive


@dataclass
class Cluster:
    one: str  # the process the requests and commands go to
    two: str  # the process the sockets listen on
    cli_env: dict[str, str]
    database: Engine
    queue: redis.Redis
    # Subscribers to the channel before the servers started: another program's, if any.
    subscribers_before: int
    listening: set[str] = field(default_factory=set)

    def scalar(self, sql: str, **values: Any) -> Any:
        with self.database.connect() as connection:
            return connection.execute(text(sql), values).scalar_one()

    def wait_until_subscribed(self, server: str) -> None:
        """A process subscribes to the queue when its first socket connects (python-socketio
        starts its manager then); until it has, what the others publish passes it by."""
        if server in self.listening:
            return
        self.listening.add(server)
        wanted = self.subscribers_before + len(self.listening)
        for _ in range(WAIT * 20):
            ((_name, count),) = self.queue.pubsub_numsub(CHANNEL)
            if count >= wanted:
                return
            threading.Event().wait(0.05)
        pytest.fail(f"{server} did not subscribe to the Redis channel {CHANNEL!r}")


def _redis(url: str) -> redis.Redis:
    queue = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        queue.ping()
    except redis.RedisError as error:
        queue.close()
        require(f"Redis is not running at {url}: {error}")
    return queue


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("cluster")
    redis_url = os.environ.get("TEST_REDIS_URL") or DEFAULT_REDIS_URL
    queue = _redis(redis_url)
    try:
        shared = {
            "database_url": own_database_url(folder, "cluster"),
            "redis_url": redis_url,
            "secret_key": secrets.token_urlsafe(32),
            "channel": CHANNEL,
        }
        envs = [server_env(folder, free_port(), **shared) for _ in range(2)]
        # A command run by cron: the same settings, no server of its own.
        cli_env = {k: v for k, v in envs[0].items() if k not in ("SOCKETIO_ASYNC_MODE", "PORT")}
        flask(cli_env, "db", "upgrade")
        flask(cli_env, "seed-demo")
        ((_name, subscribers_before),) = queue.pubsub_numsub(CHANNEL)
        database = create_engine(shared["database_url"])
        logs = [folder / f"server-{n}.log" for n in (1, 2)]
        try:
            with serving(*zip(envs, logs, strict=True)) as (one, two):
                yield Cluster(one, two, cli_env, database, queue, subscribers_before)
        finally:
            database.dispose()
    finally:
        queue.close()


@pytest.fixture(scope="module")
def runners(cluster: Cluster) -> Iterator[dict[str, requests.Session]]:
    """Demo runners, each logged in once on process one; their session cookie is good on
    both processes (one secret key, one database), as behind a load balancer."""
    sessions = {name: logged_in(cluster.one, name) for name in ("ana", "ben", "chloe", "dev")}
    yield sessions
    for session in sessions.values():
        session.close()


@pytest.fixture
def open_socket(cluster: Cluster) -> Iterator[Callable[[str, requests.Session], Socket]]:
    opened: list[socketio.Client] = []

    def open_(server: str, http: requests.Session) -> Socket:
        socket = Socket(new_client())
        opened.append(socket.client)
        connect(server, http.cookies.get_dict(), socket.client)
        cluster.wait_until_subscribed(server)
        return socket

    yield open_
    # Together: python-socketio's disconnect often waits websocket-client's 3 s close
    # timeout (its read thread takes the server's close frame), once per socket otherwise.
    closing = [threading.Thread(target=client.disconnect) for client in opened]
    for thread in closing:
        thread.start()
    for thread in closing:
        thread.join(timeout=WAIT)


def test_kudos_given_on_one_process_reach_the_sockets_on_the_other(cluster, runners, open_socket):
    """Ben's kudos, posted to process one, reach Chloé watching the item on process two, and
    Ana, whose run it is, gets her notification there too."""
    item = log_run(runners["ana"], cluster.one, "ana")
    chloe = open_socket(cluster.two, runners["chloe"])
    ana = open_socket(cluster.two, runners["ana"])
    assert chloe.watch(feed="home", id=None, items=[item]) == {"ok": True, "items": [item]}

    give_kudos(runners["ben"], cluster.one, item)

    kudos = chloe.wait_for("feed:kudos")
    assert kudos == {"item_id": item, "count": 1, "summary": "Ben Okafor gave kudos"}
    notification = ana.wait_for("notification:new")
    assert notification["text"] == "Ben Okafor gave you kudos."
    assert notification["unread"] >= 1


def test_a_cli_command_reaches_the_sockets_on_a_server(cluster, runners, open_socket):
    """`flask challenges rebuild`, run beside the servers as cron would, corrects a drifted
    standing and the runner's page on process two hears the corrected one."""
    ana = open_socket(cluster.two, runners["ana"])
    ana_id = cluster.scalar("SELECT id FROM users WHERE username = 'ana'")
    # Drift: a stored total that no run adds up to, which is what the rebuild is for.
    with cluster.database.begin() as connection:
        connection.execute(
            text("UPDATE challenge_entries SET total = 987654 WHERE user_id = :user"),
            {"user": ana_id},
        )

    output = flask(cluster.cli_env, "challenges", "rebuild")

    corrected = re.search(r"(\d+) standings corrected", output)
    assert corrected, output
    assert int(corrected.group(1)) >= 1, output
    standing = ana.wait_for("challenge:standing", lambda data: data["user_id"] == ana_id)
    stored = cluster.scalar(
        "SELECT total FROM challenge_entries WHERE user_id = :user AND challenge_id = :challenge",
        user=ana_id,
        challenge=standing["challenge_id"],
    )
    assert standing["total"] == pytest.approx(stored)
    assert standing["total"] != 987654


def test_a_private_clubs_news_skips_a_non_member_on_the_other_process(
    cluster, runners, open_socket
):
    """Dev joins the private Dawn Patrol through process one; Ana, a member, hears of it and
    of the kudos on process two; Chloé, no member, hears nothing there, even asking by id."""
    dawn = cluster.scalar("SELECT id FROM clubs WHERE slug = 'dawn-patrol'")
    dev_id = cluster.scalar("SELECT id FROM users WHERE username = 'dev'")
    member = open_socket(cluster.two, runners["ana"])
    outsider = open_socket(cluster.two, runners["chloe"])
    assert member.watch(feed="club", id=dawn)["ok"]
    assert outsider.watch(feed="club", id=dawn) == {"ok": False, "error": "Not allowed."}
    assert outsider.watch(feed="home", id=None)["ok"]

    assert submit(runners["dev"], cluster.one, "/clubs/dawn-patrol/request").status_code == 302
    assert member.wait_for("club:request_added") == {"club_id": dawn, "username": "dev"}
    request_id = cluster.scalar(
        "SELECT id FROM join_requests WHERE club_id = :club AND user_id = :user",
        club=dawn,
        user=dev_id,
    )
    approve = f"/clubs/dawn-patrol/requests/{request_id}/approve"
    assert submit(runners["ben"], cluster.one, approve).status_code == 302
    news = member.wait_for("feed:item", lambda data: data["actor_id"] == dev_id)
    item = news["item_id"]
    assert outsider.watch(feed="home", id=None, items=[item]) == {"ok": True, "items": []}
    assert member.watch(feed="club", id=dawn, items=[item]) == {"ok": True, "items": [item]}
    give_kudos(runners["ben"], cluster.one, item)
    assert member.wait_for("feed:kudos")["item_id"] == item

    # Both sockets are on process two, which sends each event of the queue to every socket
    # in its room at once; the outsider's own answer, asked for after the member heard the
    # last one, comes after anything sent to the outsider before it.
    assert outsider.watch(feed="home", id=None)["ok"]
    threading.Event().wait(0.2)
    assert outsider.heard == []


def test_a_runner_blocked_by_a_club_mate_hears_nothing_of_their_run_on_the_other_process(
    cluster, runners, open_socket
):
    """Dev blocks Ben (both in Riverside Runners) and logs a run through process one: Chloé,
    watching the club's feed on process two, hears of it; Ben, watching it there too, does
    not (the skip travels through Redis as a room name, resolved on process two)."""
    riverside = cluster.scalar("SELECT id FROM clubs WHERE slug = 'riverside-runners'")
    dev_id = cluster.scalar("SELECT id FROM users WHERE username = 'dev'")
    assert submit(runners["dev"], cluster.one, "/u/ben/block").status_code == 302
    try:
        chloe = open_socket(cluster.two, runners["chloe"])
        ben = open_socket(cluster.two, runners["ben"])
        assert chloe.watch(feed="club", id=riverside)["ok"]
        assert ben.watch(feed="club", id=riverside)["ok"]

        item = log_run(runners["dev"], cluster.one, "dev")

        assert chloe.wait_for("feed:item", lambda data: data["actor_id"] == dev_id) == {
            "item_id": item,
            "actor_id": dev_id,
        }
        # As above: Ben's own answer comes after anything sent to him before it.
        assert ben.watch(feed="club", id=riverside)["ok"]
        threading.Event().wait(0.2)
        assert [data for name, data in ben.heard if name == "feed:item"] == []
    finally:
        assert submit(runners["dev"], cluster.one, "/u/ben/unblock").status_code == 302
