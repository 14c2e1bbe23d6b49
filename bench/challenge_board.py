"""A challenge board at scale: its page, the bare SQL it needs, throughput, logging a run.

    .venv/bin/python bench/challenge_board.py --entrants 2000 --runs 60000   # quick, SQLite
    .venv/bin/python bench/challenge_board.py --redis-url redis://127.0.0.1:6379/9
                                            # 100,000 entrants, 3,000,000 runs, 2 servers
    createdb -h 127.0.0.1 -U postgres runhive_bench     # once; its schema is rebuilt each run
    .venv/bin/python bench/challenge_board.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/runhive_bench

Data: the schema from the migrations (on PostgreSQL after DROP SCHEMA public CASCADE);
--entrants runners (bulk-loaded through the driver: executemany on SQLite with
synchronous=OFF, COPY on PostgreSQL); --runs runs in time order, 97 % in December 2026 and
3 % in the week before (outside the window), each runner's share drawn from a log-normal
(2 % never run); three site challenges over December 2026 in Europe/London (distance with
a 100 km goal, time, number of runs: the last with many tied scores); every runner entered
in all three, the entries filled by one grouped INSERT ... SELECT per challenge (the sum
`tally._summed_from_scratch` makes), 3 % hidden (the runner's leaderboard privacy); then
ANALYZE (VACUUM ANALYZE on PostgreSQL). A sample of entries is checked against
`counting.standing_of`, the per-entrant path. --reuse measures what an earlier run left.

Measured, each after a warm-up that is not counted:

1. Query layer: `queries.board(challenge, viewer, 1)` + `queries.my_standing(challenge,
   viewer)` for --calls random entrants per challenge, each in a fresh session (the time
   includes taking a pooled connection and beginning the transaction). Every statement they
   send is recorded (before_cursor_execute) and sent again straight through the driver's
   cursor (execute + fetchall, then an untimed rollback): that is the bare SQL. Ratio:
   query layer / bare SQL, p50 to p50. "SQL in call": the driver's own time inside the
   call (before_cursor_execute to after_cursor_execute), the rest being Python.
2. The page, GET /challenges/<id> (PAGE_PATH) with Flask's test client, logged in as each
   viewer; skipped with a message while no such route is registered. Its SQL is replayed
   the same way.
3. Throughput: --processes `python app.py` (gevent) subprocesses on free ports (with
   --redis-url as their REDIS_URL: several processes share the board cache through it),
   --clients aiohttp clients (one keep-alive connection and one logged-in runner each,
   client n on server n mod processes, as sticky sessions behind a balancer) fetch the page
   in a loop: --warmup-seconds, then --seconds measured; pages/s, latency, and the servers'
   CPU per page. Needs the route.
4. Logging a run: `activities.services.log_run(user, RunDetails(...), now=CLOCK)` then
   `db.session.commit()` for --log-runs random entrants (each is in all three challenges;
   the recorded UPDATEs of challenge_entries are counted), timed from log_run to commit.
   Before the timing, each logger is given --goals open goals that the run advances (the
   first five: 1,000 km in 2026, 30 km a week for 8 weeks, 3 runs a week for 12 weeks, 10 km
   under 50:00 by March, 25 runs in December) through `goals.services.create_goal`; with
   --earn each run is the runner's longest so far, which earns the "longest run" milestone
   (checked: each timed run inserts one).

Percentiles are nearest-rank. The CPU other processes used during each phase (not this
script, its server, or PostgreSQL) is printed, since the machine is shared.
"""

import argparse
import asyncio
import itertools
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import flask_migrate
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from sqlalchemy import (
    Engine,
    and_,
    case,
    event,
    func,
    insert,
    literal,
    null,
    select,
    text,
)
from werkzeug.test import TestResponse

from community import config as settings
from community import create_app
from community.accounts import services as accounts
from community.accounts.models import User
from community.activities import services as activities
from community.activities.models import Run
from community.challenges import counting, histogram, queries, tally
from community.challenges import services as challenges
from community.challenges.models import Challenge, ChallengeEntry
from community.db_types import UTCDateTime
from community.extensions import db
from community.goals import services as goals
from community.milestones import rules
from community.milestones import services as milestones

ROOT = Path(__file__).resolve().parent.parent
PAGE_PATH = "/challenges/{id}"
FLOOR_PATH = "/_floor/challenge/{id}"  # bench/floor_server.py
ZONE = "Europe/London"
FIRST_DAY, LAST_DAY = date(2026, 12, 1), date(2026, 12, 31)
# The clock for the data and for logging runs: the month's last evening, before the end.
CLOCK = datetime(2026, 12, 31, 21, 0, tzinfo=UTC)
KINDS = (("distance", 100_000.0), ("time", None), ("runs", None))
HIDDEN_SHARE, IDLE_SHARE, OUTSIDE_SHARE = 0.03, 0.02, 0.03
TARGET_PAGE_MS, TARGET_RATE, TARGET_LOG_MS = 20.0, 500.0, 10.0


# --- data ------------------------------------------------------------------------------


def build(database_url: str, instance: Path) -> Flask:
    app = create_app(settings.testing(database_url, instance))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()
    return app


class Loader:
    """Rows straight through the driver: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.sqlite = engine.dialect.name == "sqlite"
        self.raw = engine.raw_connection()
        self.driver: Any = self.raw.driver_connection
        # SQLAlchemy's SQLite format for UTCDateTime (naive UTC text); PostgreSQL parses ISO.
        self.suffix = ".000000" if self.sqlite else "+00"
        if self.sqlite:
            cursor = self.driver.cursor()
            cursor.execute("PRAGMA synchronous = OFF")  # a bench file: losing it costs nothing
            cursor.execute("PRAGMA cache_size = -1000000")  # 1 GB while the indexes grow

    def moment(self, seconds: int) -> str:
        """A UTC epoch second as the column text, without a datetime per row."""
        day, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{_day_text(day)} {hours:02d}:{minutes:02d}:{secs:02d}{self.suffix}"

    def load(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
        names = ", ".join(columns)
        if self.sqlite:
            cursor = self.driver.cursor()
            cursor.execute("BEGIN")
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
            cursor.execute("COMMIT")
            return
        with (
            self.driver.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        self.driver.commit()

    def close(self) -> None:
        # Dropped, not pooled: the pragmas above must not reach the measured connections.
        self.raw.invalidate()


_DAYS: dict[int, str] = {}


def _day_text(day: int) -> str:
    if day not in _DAYS:
        _DAYS[day] = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day)).strftime("%Y-%m-%d")
    return _DAYS[day]


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


USER_COLUMNS = (
    "username",
    "email",
    "display_name",
    "password_hash",
    "bio",
    "units",
    "timezone",
    "default_visibility",
    "session_version",
    "leaderboard_hidden",
    "is_site_admin",
    "created_at",
)
RUN_COLUMNS = (
    "user_id",
    "title",
    "notes",
    "run_type",
    "visibility",
    "start_time",
    "distance_m",
    "duration_s",
    "elevation_gain_m",
    "source",
    "created_at",
    "updated_at",
)


def user_rows(loader: Loader, count: int, rng: random.Random) -> Iterator[tuple]:
    joined = loader.moment(epoch(datetime(2026, 1, 1, tzinfo=UTC)))
    for n in range(count):
        hidden = rng.random() < HIDDEN_SHARE
        yield (
            f"runner{n}",
            f"runner{n}@example.com",
            f"Runner {n}",
            "unused",
            "",
            "km",
            ZONE,
            "public",
            1,
            hidden,
            False,
            joined,
        )


def run_rows(
    loader: Loader, user_ids: list[int], count: int, rng: random.Random
) -> Iterator[tuple]:
    """`count` runs in time order, day by day, each runner's share log-normal."""
    weights = [0.0 if rng.random() < IDLE_SHARE else rng.lognormvariate(0, 0.75) for _ in user_ids]
    cumulative = list(itertools.accumulate(weights))
    window_start = epoch(datetime(2026, 12, 1, tzinfo=UTC))  # London is on UTC in December
    before = [window_start - 86400 * d for d in range(7, 0, -1)]
    inside = [window_start + 86400 * d for d in range(31)]
    outside_runs = round(count * OUTSIDE_SHARE)
    plan = [(day, outside_runs // 7) for day in before]
    per_day = (count - sum(n for _, n in plan)) // 31
    plan += [(day, per_day) for day in inside]
    plan[-1] = (plan[-1][0], count - sum(n for _, n in plan[:-1]))
    for day, runs in plan:
        runners = rng.choices(user_ids, cum_weights=cumulative, k=runs)
        # Between 05:00 and 20:00 local, in time order (run ids grow with start times).
        starts = sorted((day + rng.randrange(5 * 3600, 20 * 3600), uid) for uid in runners)
        for start, uid in starts:
            distance = min(42_195, 1000 + int(rng.gammavariate(3.0, 2800.0)))
            duration = int(distance * rng.uniform(0.26, 0.42))
            created = min(start + duration + rng.randrange(60, 6 * 3600), epoch(CLOCK))
            elevation = int(distance * rng.random() / 100) if rng.random() < 0.7 else None
            created_text = loader.moment(created)
            yield (
                uid,
                "Bench run",
                "",
                "easy",
                "public",
                loader.moment(start),
                float(distance),
                float(duration),
                elevation,
                "manual",
                created_text,
                created_text,
            )


def fill_entries(challenge: Challenge, first_id: int, last_id: int) -> None:
    """Every runner's entry in one grouped INSERT ... SELECT over the runs that count."""
    value = {
        "time": Run.duration_s,
        "runs": case((Run.id.is_not(None), 1.0)),
    }.get(challenge.kind, Run.distance_m)
    total = tally.milli_sum_sql(value)  # the rebuild's sum, in whole thousandths
    joined = literal(challenge.starts_at, UTCDateTime)
    reached = func.coalesce(func.max(case((value > 0, Run.start_time))), joined)
    goal = challenge.goal
    completed = case((total >= goal, reached)) if goal is not None else null()
    rows = (
        select(
            literal(challenge.id),
            User.id,
            total,
            total,
            reached,
            User.leaderboard_hidden,
            joined,
            completed,
        )
        .select_from(User)
        .outerjoin(
            Run,
            and_(
                Run.user_id == User.id,
                Run.start_time >= challenge.starts_at,
                Run.start_time < challenge.ends_at,
                Run.created_at <= challenge.closes_at,
            ),
        )
        .where(User.id.between(first_id, last_id))
        .group_by(User.id, User.leaderboard_hidden)
    )
    columns = [
        "challenge_id",
        "user_id",
        "total",
        "score",
        "reached_at",
        "hidden",
        "joined_at",
        "completed_at",
    ]
    db.session.execute(insert(ChallengeEntry).from_select(columns, rows))
    # A bulk insert passes by the ORM's flushes: the score histogram is counted afterwards.
    histogram.recount(challenge.id)


def populate(app: Flask, entrants: int, runs: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    with app.app_context():
        started = time.perf_counter()
        admin = register_organiser()
        db.session.flush()
        created = []
        for kind, goal in KINDS:
            spec = challenges.ChallengeSpec(
                title=f"December {kind}",
                kind=kind,
                starts_on=FIRST_DAY,
                ends_on=LAST_DAY,
                timezone=ZONE,
                goal=goal,
            )
            opens = datetime(2026, 12, 1, tzinfo=UTC)
            created.append(challenges.create_challenge(admin, None, spec, now=opens).id)
        db.session.commit()
        loader = Loader(db.engine)
        loader.load("users", USER_COLUMNS, user_rows(loader, entrants, rng))
        ids = list(
            db.session.scalars(
                select(User.id).where(User.username.startswith("runner")).order_by(User.id)
            )
        )
        db.session.commit()
        timings["users"] = time.perf_counter() - started
        started = time.perf_counter()
        loader.load("runs", RUN_COLUMNS, run_rows(loader, ids, runs, rng))
        loader.close()
        timings["runs"] = time.perf_counter() - started
        for challenge_id in created:
            started = time.perf_counter()
            challenge = db.session.get(Challenge, challenge_id)
            fill_entries(challenge, ids[0], ids[-1])
            challenge.entrants = len(ids)  # the counter join() keeps, for these bulk joins
            db.session.commit()
            timings[f"entries {challenge_id}"] = time.perf_counter() - started
        started = time.perf_counter()
        analyse(db.engine)
        timings["analyze"] = time.perf_counter() - started
        db.session.remove()
    return {"challenges": created, "entrants": ids, "timings": timings}


def analyse(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # autocommit: the app's engine rules turn it on
        cursor = raw.driver_connection.cursor()
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def check_entries(app: Flask, challenge_ids: list[int], ids: list[int], rng: random.Random) -> int:
    """Compare a sample of the stored entries with the per-entrant rule; return how many."""
    checked = 0
    with app.app_context():
        idle = list(
            db.session.scalars(
                select(User.id)
                .where(
                    User.username.startswith("runner"),
                    ~select(Run.id).where(Run.user_id == User.id).exists(),
                )
                .limit(10)
            )
        )
        for challenge_id in challenge_ids:
            challenge = db.session.get(Challenge, challenge_id)
            for uid in [*rng.sample(ids, min(40, len(ids))), *idle]:
                entry = challenges.entry_of(challenge_id, uid)
                assert entry is not None, f"runner {uid} has no entry in {challenge_id}"
                expected = counting.standing_of(challenge, uid, entry.joined_at)
                got = (entry.total, entry.score, entry.reached_at)
                want = (expected.total, expected.score, expected.reached_at)
                assert got == want, f"challenge {challenge_id} runner {uid}: {got} != {want}"
                checked += 1
        db.session.remove()
    return checked


# --- measuring -------------------------------------------------------------------------


class Recorder:
    """Every statement the app sends while recording: its driver parameters and time."""

    def __init__(self, engine: Engine) -> None:
        self.active = False
        self.statements: list[tuple[str, Any]] = []
        self.driver_ms: list[float] = []
        self._started = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if self.active:
            self.statements.append((statement, parameters))
            self._started = time.perf_counter()

    def _after(self, *_: Any) -> None:
        if self.active:
            self.driver_ms.append((time.perf_counter() - self._started) * 1000)

    @contextmanager
    def recording(self) -> Iterator[list[tuple[str, Any]]]:
        self.statements, self.driver_ms = [], []
        self.active = True
        try:
            yield self.statements
        finally:
            self.active = False


def register_organiser() -> Any:
    """The site admin who runs the data's challenges (flushed by the register service)."""
    organiser = accounts.register_user(
        username="organiser",
        email="organiser@example.com",
        display_name="Organiser",
        password="a long bench password",
    )
    organiser.is_site_admin = True
    return organiser


@dataclass
class Call:
    """One timed GET through Flask's test client, with the SQL it sent."""

    response: TestResponse
    ms: float
    statements: list[tuple[str, Any]]
    # The driver's time inside the call, statement by statement.
    driver_ms: list[float]


def timed_get(client: FlaskClient, path: str, viewer_id: int, recorder: Recorder) -> Call:
    """GET `path` logged in as `viewer_id` (the session Flask-Login writes), timed, its SQL
    recorded."""
    with client.session_transaction() as session:
        session["_user_id"] = f"{viewer_id}:1"  # User.get_id(): id and session_version
        session["_fresh"] = True
    with recorder.recording() as recorded:
        started = time.perf_counter()
        response = client.get(path)
        took = (time.perf_counter() - started) * 1000
    return Call(response, took, recorded, recorder.driver_ms)


class Replayer:
    """Sends recorded statements again through the driver alone, one timing per statement."""

    def __init__(self, engine: Engine) -> None:
        self.sqlite = engine.dialect.name == "sqlite"
        self.raw = engine.raw_connection()
        self.driver: Any = self.raw.driver_connection

    def run(self, statements: list[tuple[str, Any]]) -> list[float]:
        cursor = self.driver.cursor()
        timings = []
        for statement, parameters in statements:
            started = time.perf_counter()
            if isinstance(parameters, list):  # an executemany
                cursor.executemany(statement, parameters)
            else:
                cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
        if self.sqlite:
            if self.driver.in_transaction:
                cursor.execute("ROLLBACK")
        else:
            self.driver.rollback()
        cursor.close()
        return timings

    def run_again(self, statements: list[tuple[str, Any]], run_id: int) -> list[float]:
        """A logged run's statements again: the run is inserted anew, and what referred to
        `run_id` (its feed item, one per run) refers to the new one."""
        cursor = self.driver.cursor()
        timings, new_id = [], None
        for statement, parameters in statements:
            if new_id is not None:
                parameters = self._new_run_id(statement, parameters, run_id, new_id)
            started = time.perf_counter()
            if isinstance(parameters, list):  # an executemany
                cursor.executemany(statement, parameters)
            else:
                cursor.execute(statement, parameters)
            rows = cursor.fetchall() if cursor.description is not None else []
            timings.append((time.perf_counter() - started) * 1000)
            if statement.startswith("INSERT INTO runs "):
                new_id = rows[0][0] if rows else cursor.lastrowid
        self.driver.rollback()
        cursor.close()
        return timings

    @staticmethod
    def _new_run_id(statement: str, parameters: Any, old: int, new: int) -> Any:
        """The parameters with the run's id replaced where a column named run_id takes
        it: by name (PostgreSQL's named parameters), or by the position of run_id in an
        INSERT's column list (SQLite's positional ones, a row after another)."""
        if isinstance(parameters, dict):
            return {
                key: new if "run_id" in key and value == old else value
                for key, value in parameters.items()
            }
        if not statement.startswith("INSERT INTO ") or not isinstance(parameters, tuple):
            return parameters
        columns = [
            name.strip().strip('"')
            for name in statement.split("(", 1)[1].split(")", 1)[0].split(",")
        ]
        return tuple(
            new if columns[n % len(columns)] == "run_id" and value == old else value
            for n, value in enumerate(parameters)
        )

    def committed_write(self, user_id: int) -> float:
        """The least a transaction that writes costs to commit: one row updated to the value
        it has, committed (on PostgreSQL, the WAL flushed to disk)."""
        cursor = self.driver.cursor()
        write = (
            "UPDATE users SET timezone = timezone WHERE id = ?"
            if self.sqlite
            else "UPDATE users SET timezone = timezone WHERE id = %s"
        )
        started = time.perf_counter()
        if self.sqlite:
            cursor.execute("BEGIN")
        cursor.execute(write, (user_id,))
        self.driver.commit()
        took = (time.perf_counter() - started) * 1000
        cursor.close()
        return took

    def explain(self, statement: str, parameters: Any) -> list[str]:
        cursor = self.driver.cursor()
        if self.sqlite:
            cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            lines = [f"{row[3]}" for row in cursor.fetchall()]
        else:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            lines = [row[0] for row in cursor.fetchall()]
            self.driver.rollback()
        cursor.close()
        return lines

    def close(self) -> None:
        self.raw.close()


@dataclass
class Series:
    """One measured thing: a time per call, the bare SQL per call, and per statement."""

    name: str
    ms: list[float] = field(default_factory=list)
    bare_ms: list[float] = field(default_factory=list)
    in_call_ms: list[float] = field(default_factory=list)  # in the driver, during the call
    statements: list[int] = field(default_factory=list)
    per_statement: dict[tuple[int, str], list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )
    slowest: tuple[float, list[tuple[str, Any]]] = (0.0, [])

    def add(
        self, ms: float, recorded: list[tuple[str, Any]], bare: list[float], in_call: float
    ) -> None:
        self.ms.append(ms)
        self.bare_ms.append(sum(bare))
        self.in_call_ms.append(in_call)
        self.statements.append(len(recorded))
        for position, ((statement, _), took) in enumerate(zip(recorded, bare, strict=True), 1):
            self.per_statement[(position, statement)].append(took)
        if ms > self.slowest[0]:
            self.slowest = (ms, list(recorded))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else float("nan")


def measure_queries(
    app: Flask, challenge_id: int, viewers: list[int], warmup: int, recorder: Recorder
) -> Series:
    """board(page 1) + my_standing for each viewer, each in a fresh session."""
    series = Series(f"board + my_standing, challenge {challenge_id}")
    with app.app_context():
        replayer = Replayer(db.engine)
        for number, viewer in enumerate(viewers):
            with recorder.recording() as recorded:
                started = time.perf_counter()
                challenge = db.session.get(Challenge, challenge_id)
                queries.board(challenge, viewer, 1)
                mine = queries.my_standing(challenge, viewer)
                took = (time.perf_counter() - started) * 1000
            in_call = sum(recorder.driver_ms)
            assert mine is not None and mine.rank is not None
            db.session.remove()
            bare = replayer.run(recorded)
            if number >= warmup:
                series.add(took, recorded, bare, in_call)
        replayer.close()
    return series


def page_rule(app: Flask) -> str | None:
    """The challenge page's URL rule, once the route exists."""
    for rule in app.url_map.iter_rules():
        if re.fullmatch(r"/challenges/<(int:)?\w+>", rule.rule) and "GET" in (rule.methods or ()):
            return rule.rule
    return None


def measure_page(
    app: Flask, challenge_id: int, viewers: list[int], warmup: int, recorder: Recorder
) -> Series:
    """GET PAGE_PATH in-process (routing, queries, template), logged in as each viewer."""
    series = Series(f"GET {PAGE_PATH.format(id=challenge_id)}")
    client = app.test_client()
    path = PAGE_PATH.format(id=challenge_id)
    with app.app_context():
        replayer = Replayer(db.engine)
        names = {u.id: u.display_name for u in db.session.scalars(select(User))}
        db.session.remove()
    for number, viewer in enumerate(viewers):
        call = timed_get(client, path, viewer, recorder)
        response, took, recorded, in_call = (
            call.response,
            call.ms,
            call.statements,
            sum(call.driver_ms),
        )
        assert response.status_code == 200, (path, response.status_code)
        assert names[viewer] in response.get_data(as_text=True), "the viewer's own row"
        with app.app_context():
            bare = replayer.run(recorded)
        if number >= warmup:
            series.add(took, recorded, bare, in_call)
    with app.app_context():
        replayer.close()
    return series


@dataclass
class Logged:
    log_run_ms: list[float] = field(default_factory=list)
    commit_ms: list[float] = field(default_factory=list)
    driver_ms: list[float] = field(default_factory=list)  # SQL in the driver, before commit
    statements: list[int] = field(default_factory=list)
    updates: list[int] = field(default_factory=list)  # UPDATEs of challenge_entries
    earned: list[int] = field(default_factory=list)  # INSERTs of milestones
    # The floor: the same statements sent again through the driver alone (rolled back),
    # and the commit of a one-row write.
    bare_ms: list[float] = field(default_factory=list)
    bare_commit_ms: list[float] = field(default_factory=list)

    @property
    def floor_ms(self) -> list[float]:
        return [a + b for a, b in zip(self.bare_ms, self.bare_commit_ms, strict=True)]

    @property
    def total_ms(self) -> list[float]:
        return [a + b for a, b in zip(self.log_run_ms, self.commit_ms, strict=True)]


GOALS = (
    goals.GoalSpec("total", 1_000_000.0, date(2026, 1, 1), LAST_DAY, "distance_m"),
    goals.GoalSpec("weekly", 30_000.0, date(2026, 11, 16), date(2027, 1, 10), "distance_m"),
    goals.GoalSpec("habit", 3, date(2026, 11, 2), date(2027, 1, 24)),
    goals.GoalSpec("race", 3000.0, FIRST_DAY, date(2027, 3, 1), race_label="10 km"),
    goals.GoalSpec("total", 25, FIRST_DAY, LAST_DAY, "runs"),
)


def choose_loggers(app: Flask, entrants: list[int], count: int, rng: random.Random) -> list[int]:
    """`count` random entrants with enough runs behind them that a longer one is news."""
    sample = rng.sample(entrants, min(len(entrants), 2 * count))
    with app.app_context():
        enough = set(
            db.session.scalars(
                select(Run.user_id)
                .where(Run.user_id.in_(sample))
                .group_by(Run.user_id)
                .having(func.count() > rules.LONGEST_AFTER)
            )
        )
    chosen = [uid for uid in sample if uid in enough][:count]
    assert len(chosen) == count, "too few entrants with runs"
    return chosen


def prepare_loggers(app: Flask, loggers: list[int], goal_count: int) -> dict[int, float]:
    """Give each logger their goals, work their milestones out (generated rows bypass the
    services: a runner's first logged run would otherwise earn all of theirs at once), and
    return each one's longest run so far, in metres. Not timed."""
    specs = [GOALS[n % len(GOALS)] for n in range(goal_count)]
    with app.app_context():
        for uid in loggers:
            user = db.session.get_one(User, uid)
            for spec in specs:
                goals.create_goal(user, replace(spec, timezone=ZONE), CLOCK.date())
            milestones.recompute(user, CLOCK)
        db.session.commit()
        longest = dict(
            db.session.execute(
                select(Run.user_id, func.max(Run.distance_m))
                .where(Run.user_id.in_(loggers))
                .group_by(Run.user_id)
            ).all()
        )
    return {uid: float(longest.get(uid) or 0.0) for uid in loggers}


def measure_log_run(
    app: Flask,
    entrants: list[int],
    count: int,
    warmup: int,
    recorder: Recorder,
    rng: random.Random,
    latest: bool = False,
    goal_count: int = 0,
    earn: bool = False,
) -> Logged:
    """log_run then commit for random entrants (each in all three challenges), each with
    `goal_count` goals; with `earn` each run is the runner's longest."""
    logged = Logged()
    loggers = choose_loggers(app, entrants, count + warmup, rng)
    longest = prepare_loggers(app, loggers, goal_count)
    with app.app_context():
        replayer = Replayer(db.engine)
    for number, uid in enumerate(loggers):
        with app.app_context():
            user = db.session.get(User, uid)
            km = longest[uid] / 1000 + rng.uniform(1, 3) if earn else rng.uniform(3, 15)
            details = activities.RunDetails(
                # The generated runs start by 20:00 on the last day: 20:30 comes after them all.
                start_time=CLOCK - timedelta(minutes=30)
                if latest
                else CLOCK - timedelta(hours=rng.uniform(2, 240)),
                distance_m=round(km * 1000),
                duration_s=round(km * rng.uniform(270, 400)),
                title="Bench run",
            )
            with recorder.recording() as recorded:
                started = time.perf_counter()
                run_id = activities.log_run(user, details, now=CLOCK).id
                flushed = time.perf_counter()
                db.session.commit()
                committed = time.perf_counter()
            db.session.remove()
            bare = replayer.run_again(recorded, run_id)
            bare_commit = replayer.committed_write(uid)
        if number >= warmup:
            logged.bare_ms.append(sum(bare))
            logged.bare_commit_ms.append(bare_commit)
            logged.log_run_ms.append((flushed - started) * 1000)
            logged.commit_ms.append((committed - flushed) * 1000)
            logged.driver_ms.append(sum(recorder.driver_ms))
            logged.statements.append(len(recorded))
            logged.updates.append(
                sum(1 for s, _ in recorded if s.lstrip().startswith("UPDATE challenge_entries"))
            )
            logged.earned.append(
                sum(1 for s, _ in recorded if s.lstrip().startswith("INSERT INTO milestones"))
            )
            if earn:
                assert logged.earned[-1] >= 1, "the longest run so far earns its milestone"
    with app.app_context():
        replayer.close()
    return logged


# --- throughput ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_cookie(secret: str, user_id: int) -> str:
    """What the app's session cookie holds for a logged-in runner, signed with `secret`."""
    signer = Flask("cookie")
    signer.secret_key = secret
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer)
    assert serializer is not None
    return serializer.dumps({"_user_id": f"{user_id}:1", "_fresh": True})


@contextmanager
def server(
    database_url: str,
    secret: str,
    log: Path,
    redis_url: str | None = None,
    script: str = "app.py",
) -> Iterator[tuple[int, int]]:
    """`python app.py` as a real deployment runs it (gevent); yields (port, pid). `script`
    (relative to the repository) may be a wrapper that runs app.py, such as
    floor_server.py."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "MAIL_", "RUNHIVE_", "SOCKETIO_"))
    }
    env.update(DATABASE_URL=database_url, SECRET_KEY=secret, PORT=str(port), HOST="127.0.0.1")
    if redis_url:
        env["REDIS_URL"] = redis_url  # shared board cache and Socket.IO message queue
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
            [sys.executable, script], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Hammered:
    latencies: list[float] = field(default_factory=list)  # sent and answered in the window
    completed: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)  # measured responses by status
    # Every request answered in the window, whenever it was sent: `latencies` leaves out
    # those sent before it, so a slow page's long waits count less the longer they are.
    answered_ms: list[float] = field(default_factory=list)
    # How long each request still unanswered at the end of the window had waited by then.
    waiting_ms: list[float] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # per client, in the window
    server_cpu_s: float = 0.0
    postgres_cpu_s: float = 0.0


async def hammer(
    servers: list[tuple[int, int]],
    path: str,
    cookies: list[str],
    warmup_s: float,
    seconds: float,
    database: str | None = None,
) -> Hammered:
    """Each client fetches `path` in a loop on one keep-alive connection to one server.

    With several servers, client n sticks to server n mod count, as behind a load balancer
    with sticky sessions. `database`: count only PostgreSQL's backends connected to it.
    """
    import aiohttp
    from yarl import URL

    begin = time.perf_counter() + warmup_s
    end = begin + seconds
    result = Hammered(answers=[0] * len(cookies))
    ticks = os.sysconf("SC_CLK_TCK")

    async def cpu() -> None:
        """The server's and PostgreSQL's CPU time over the measured window."""
        await asyncio.sleep(max(0.0, begin - time.perf_counter()))
        pids = [pid for _, pid in servers]
        server, postgres = sum(map(_jiffies, pids)), PostgresCpu(True, database)
        await asyncio.sleep(max(0.0, end - time.perf_counter()))
        result.server_cpu_s = (sum(map(_jiffies, pids)) - server) / ticks
        result.postgres_cpu_s = postgres.stop() / ticks

    async def client(number: int, cookie: str) -> None:
        base = URL(f"http://127.0.0.1:{servers[number % len(servers)][0]}/")
        jar = aiohttp.CookieJar(unsafe=True)
        jar.update_cookies({"session": cookie}, base)
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(base, cookie_jar=jar, connector=connector) as http:
            while (started := time.perf_counter()) < end:
                async with http.get(path, allow_redirects=False) as response:
                    await response.read()
                    status = response.status
                finished = time.perf_counter()
                if finished > end:
                    result.waiting_ms.append((end - started) * 1000)
                if begin <= finished <= end:
                    result.completed += 1
                    result.answers[number] += 1
                    result.answered_ms.append((finished - started) * 1000)
                    if started >= begin:
                        result.latencies.append((finished - started) * 1000)
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status != 200:
                        result.errors += 1

    await asyncio.gather(cpu(), *(client(n, cookie) for n, cookie in enumerate(cookies)))
    return result


# --- load on the machine ---------------------------------------------------------------


def _jiffies(pid: int | str) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _postgres_by_pid(database: str | None = None) -> dict[str, int]:
    """Every PostgreSQL process, or with `database` the backends connected to it (their
    title: "postgres: 15/main: user database host(port) state")."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() != "postgres":
                    continue
                if database and f" {database} " not in (entry / "cmdline").read_text():
                    continue
                found[entry.name] = _jiffies(entry.name)
            except OSError:
                continue
    return found


class PostgresCpu:
    """PostgreSQL's CPU over a span. Backends come and go (a pool's overflow connections),
    so with `sample` every process is read every 0.2 s and its last value kept. With
    `database`, only the backends connected to it (others may share the server)."""

    def __init__(self, sample: bool = False, database: str | None = None) -> None:
        self.database = database
        self.first = _postgres_by_pid(database)
        self.last = dict(self.first)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True) if sample else None
        if self._thread:
            self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.last.update(_postgres_by_pid(self.database))

    def stop(self) -> int:
        """Jiffies used since the start."""
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.last.update(_postgres_by_pid(self.database))
        return sum(value - self.first.get(pid, 0) for pid, value in self.last.items())


def _cpu() -> tuple[int, int]:
    """(busy, idle) jiffies of the whole machine; steal (the hypervisor's) is neither."""
    user, nice, system, idle, iowait, irq, softirq = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]
    )
    return user + nice + system + irq + softirq, idle + iowait


def wait_for_quiet(limit_s: float, window_s: float = 5.0) -> float:
    """Wait until the CPU was at least 90 % idle for `window_s` (at most `limit_s`)."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        busy, idle = _cpu()
        time.sleep(window_s)
        busy_after, idle_after = _cpu()
        if (idle_after - idle) >= 0.9 * ((idle_after - idle) + (busy_after - busy)):
            break
    return time.monotonic() - started


class Load:
    """CPU used by other processes than ours (this script, its server, PostgreSQL)."""

    def __init__(self, quiet_s: float, database: str | None = None) -> None:
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.quiet_s = quiet_s
        self.database = database  # PostgreSQL: only its backends are ours
        self.phases: list[tuple[str, float, float, float]] = []

    @contextmanager
    def phase(
        self, name: str, server_pids: tuple[int, ...] = (), *, sample: bool = False
    ) -> Iterator[None]:
        """Time a phase. PostgreSQL backends that end inside it (a server's overflow
        connections, the loader's) are only counted when sampled: `sample`, or a server."""
        waited = wait_for_quiet(self.quiet_s) if self.quiet_s else 0.0

        def processes() -> int:
            return _jiffies(os.getpid()) + sum(_jiffies(pid) for pid in server_pids)

        busy, mine, started = _cpu()[0], processes(), time.monotonic()
        postgres = PostgresCpu(sample or bool(server_pids), self.database)
        try:
            yield
        finally:
            ours = processes() - mine + postgres.stop()
            other = _cpu()[0] - busy - ours
            wall = time.monotonic() - started
            self.phases.append((name, max(0, other) / self.ticks, wall, waited))

    def print_phases(self, whose: str) -> None:
        print(f"CPU used by other processes (not {whose})")
        for name, other, wall, waited in self.phases:
            quiet = f" (after waiting {waited:.0f} s for a quiet machine)" if waited else ""
            print(f"  {name}: {other:.1f} CPU-s over {wall:.1f} s{quiet}")


T = TypeVar("T")


def check_reuse(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    sqlite_file = (args.database_url or "").removeprefix("sqlite:///")
    if sqlite_file != (args.database_url or "") and Path(sqlite_file).exists() != args.reuse:
        parser.error("--reuse needs an existing SQLite file, and a new run a file not there yet")


def open_data(
    args: argparse.Namespace,
    folder: Path,
    filename: str,
    existing: Callable[[Flask], T],
    generate: Callable[[Flask], T],
) -> tuple[Flask, T]:
    """The app on --database-url (default: SQLite `filename` in `folder`) and its data:
    what an earlier run left there with --reuse, else generated now (a timed phase)."""
    url = settings.normalise_database_url(args.database_url or f"sqlite:///{folder / filename}")
    if args.reuse:
        app = create_app(settings.testing(url, folder))
        with app.app_context():
            flask_migrate.upgrade()  # data left by an older version: its schema brought up
        return app, existing(app)
    app = build(url, folder)
    with args.load.phase("generation", sample=True):
        return app, generate(app)


def engine_label() -> str:
    """ "SQLite 3.40.1" or "PostgreSQL 15.20" (in an app context)."""
    name = "SQLite" if db.engine.dialect.name == "sqlite" else "PostgreSQL"
    return f"{name} {'.'.join(str(part) for part in db.engine.dialect.server_version_info)}"


# --- report ----------------------------------------------------------------------------


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")


def short_sql(statement: str) -> str:
    flat = re.sub(r"\s+", " ", statement).strip()
    flat = re.sub(r"^SELECT (?!count).*? FROM", "SELECT … FROM", flat)
    flat = re.sub(
        r"LEFT OUTER JOIN users AS users_1 ON users_1.id = challenge_entries.user_id ",
        "⋈users ",
        flat,
    )
    flat = flat.replace("challenge_entries.", "").replace("challenge_entries", "entries")
    return flat[:150] + ("…" if len(flat) > 150 else "")


def summary_row(label: str, engine: str, series: Series) -> tuple[str, ...]:
    p50, bare50 = statistics.median(series.ms), statistics.median(series.bare_ms)
    return (
        label,
        engine,
        str(len(series.ms)),
        f"{p50:.2f}",
        f"{percentile(series.ms, 0.95):.2f}",
        f"{percentile(series.ms, 0.99):.2f}",
        f"{max(series.ms):.2f}",
        f"{bare50:.2f}",
        f"{percentile(series.bare_ms, 0.95):.2f}",
        f"{p50 / bare50:.2f}",
        f"{statistics.median(series.in_call_ms):.2f}",
        f"{statistics.median(series.statements):.0f}",
    )


def statement_rows(series: Series) -> list[tuple[str, ...]]:
    total = sum(sum(v) for v in series.per_statement.values()) or 1.0
    rows = []
    for (position, statement), took in sorted(series.per_statement.items()):
        if len(took) < len(series.ms) // 10:
            continue  # a statement only a few viewers send
        rows.append(
            (
                str(position),
                str(len(took)),
                f"{statistics.median(took):.3f}",
                f"{percentile(took, 0.95):.3f}",
                f"{100 * sum(took) / total:.0f} %",
                short_sql(statement),
            )
        )
    return rows


def existing_data(app: Flask) -> dict[str, Any]:
    """What an earlier run left in the database (--reuse)."""
    with app.app_context():
        found = list(
            db.session.scalars(
                select(Challenge.id)
                .where(Challenge.title.startswith("December "))
                .order_by(Challenge.id)
            )
        )
        ids = list(
            db.session.scalars(
                select(User.id).where(User.username.startswith("runner")).order_by(User.id)
            )
        )
        db.session.remove()
    assert len(found) == len(KINDS) and ids, "nothing to reuse: run once without --reuse"
    return {"challenges": found, "entrants": ids, "timings": {}}


def describe_data(label: str, args: argparse.Namespace, data: dict[str, Any]) -> None:
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in data["timings"].items())
    total = sum(data["timings"].values())
    made = f"generated in {total:.1f} s ({timings})" if timings else "reused"
    print(f"{label}: {len(data['entrants']):,} entrants, 3 challenges; {made}")
    tied = db.session.execute(
        select(ChallengeEntry.challenge_id, func.count(func.distinct(ChallengeEntry.score)))
        .where(ChallengeEntry.hidden.is_(False))
        .group_by(ChallengeEntry.challenge_id)
    ).all()
    hidden = db.session.scalar(select(func.count()).where(ChallengeEntry.hidden.is_(True)))
    runs = db.session.scalar(select(func.count()).select_from(Run))
    print(
        f"  {runs:,} runs; distinct visible scores per challenge: "
        + ", ".join(f"{cid}: {n:,}" for cid, n in tied)
        + f"; hidden entries in all: {hidden:,}"
    )


def report_boards(results: list[tuple[str, Series]], label: str, args: argparse.Namespace) -> None:
    header = (
        "measured",
        "engine",
        "calls",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "bare SQL p50",
        "bare SQL p95",
        "ratio p50",
        "SQL in call p50",
        "statements",
    )
    table(header, [summary_row(name, label, s) for name, s in results])
    if args.statements:
        for name, series in results:
            print(f"\n{name}: bare SQL per statement (position in the call)")
            table(("#", "calls", "p50 ms", "p95 ms", "share", "SQL"), statement_rows(series))
    if args.explain:
        replayer = Replayer(db.engine)
        for name, series in results:
            took, recorded = series.slowest
            print(f"\n{name}: plans of the slowest call ({took:.1f} ms)")
            for position, (statement, parameters) in enumerate(recorded, 1):
                if statement.lstrip().upper().startswith("SELECT"):
                    print(f"  [{position}] {short_sql(statement)}")
                    for line in replayer.explain(statement, parameters):
                        print(f"      {line}")
        replayer.close()


def throughput(
    url: str, folder: Path, challenges: dict[int, str], viewers: list[int], label: str, args: Any
) -> list[tuple[str, ...]]:
    """Each board's page, then its floor (`floor_server.py`'s bare page of the same
    challenge's top 50 for the same logged-in runners), on the same servers."""
    secret = os.urandom(24).hex()
    cookies = [session_cookie(secret, uid) for uid in viewers[: args.clients]]
    rows = []
    for challenge_id, kind in challenges.items():
        for path, what in (
            (PAGE_PATH.format(id=challenge_id), kind),
            (FLOOR_PATH.format(id=challenge_id), f"{kind}, floor"),
        ):
            with ExitStack() as stack:
                running = [
                    stack.enter_context(
                        server(
                            url,
                            secret,
                            folder / f"server{n}.log",
                            args.redis_url,
                            script="bench/floor_server.py",
                        )
                    )
                    for n in range(args.processes)
                ]
                phase = args.load.phase(
                    f"throughput {what}", server_pids=tuple(pid for _, pid in running)
                )
                with phase:
                    got = asyncio.run(
                        hammer(running, path, cookies, args.warmup_seconds, args.seconds)
                    )
            pages = max(got.completed, 1)
            rows.append(
                (
                    f"GET {path} ({what})",
                    label,
                    str(args.processes),
                    str(args.clients),
                    f"{got.completed / args.seconds:.0f}",
                    f"{statistics.median(got.latencies):.1f}" if got.latencies else "-",
                    f"{percentile(got.latencies, 0.95):.1f}",
                    f"{percentile(got.latencies, 0.99):.1f}",
                    str(got.errors),
                    f"{1000 * got.server_cpu_s / pages:.1f}",
                    f"{1000 * got.postgres_cpu_s / pages:.1f}",
                )
            )
    return rows


def code_version() -> str:
    """The commit measured, and whether the files the page runs on differ from it."""

    def git(*arguments: str) -> str:
        done = subprocess.run(  # noqa: S603
            ["git", *arguments],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()

    changed = git("status", "--porcelain", "community", "templates", "migrations").splitlines()
    return f"{git('rev-parse', '--short', 'HEAD')}" + (
        f" + {len(changed)} uncommitted files in community/, templates/, migrations/"
        if changed
        else ""
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--entrants", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the data a run left there")
    parser.add_argument("--calls", type=int, default=300, help="viewers per challenge")
    parser.add_argument("--warmup", type=int, default=20, help="calls not counted")
    parser.add_argument("--clients", type=int, default=50, help="concurrent page clients")
    parser.add_argument("--processes", type=int, default=2, help="server processes (throughput)")
    parser.add_argument("--redis-url", help="REDIS_URL for the servers (needed by several)")
    parser.add_argument("--seconds", type=float, default=10.0, help="throughput: measured")
    parser.add_argument("--warmup-seconds", type=float, default=3.0)
    parser.add_argument("--log-runs", type=int, default=300)
    parser.add_argument(
        "--log-latest",
        action="store_true",
        help="log each run after the runner's others (as most are), not up to 10 days back",
    )
    parser.add_argument("--goals", type=int, default=5, help="open goals of each logger")
    parser.add_argument(
        "--earn", action="store_true", help="each logged run is the runner's longest so far"
    )
    parser.add_argument("--quiet", type=float, default=0, help="wait up to N s for idle CPU")
    parser.add_argument("--skip", default="", help="comma-separated: queries,page,http,log")
    parser.add_argument("--explain", action="store_true", help="plans of the slowest call")
    parser.add_argument("--statements", action="store_true", help="time per statement")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.entrants < 100 or args.runs < args.entrants:
        parser.error("use at least 100 entrants and at least one run per entrant")
    check_reuse(parser, args)
    skip = set(filter(None, args.skip.split(",")))
    rng = random.Random(args.seed)
    args.load = load = Load(args.quiet)
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC, load average {os.getloadavg()[0]:.2f};"
        f" code: {code_version()}"
    )
    with tempfile.TemporaryDirectory() as folder:
        app, data = open_data(
            args,
            Path(folder),
            "bench.db",
            existing_data,
            lambda app: populate(app, args.entrants, args.runs, args.seed),
        )
        checked = check_entries(app, data["challenges"], data["entrants"], rng)
        with app.app_context():
            label = engine_label()
            describe_data(label, args, data)
            print(f"  {checked} entries checked against counting.standing_of: all equal")
            recorder = Recorder(db.engine)
            db.session.remove()
        calls = min(args.calls + args.warmup, len(data["entrants"]))
        viewers = rng.sample(data["entrants"], calls)
        kinds = dict(zip(data["challenges"], (k for k, _ in KINDS), strict=True))
        results: list[tuple[str, Series]] = []
        if "queries" not in skip:
            with load.phase("query layer"):
                for challenge_id, kind in kinds.items():
                    series = measure_queries(app, challenge_id, viewers, args.warmup, recorder)
                    results.append((f"query layer, {kind}", series))
        rule = page_rule(app)
        if rule is None:
            print(f"no GET {PAGE_PATH} route registered yet: page and throughput skipped")
        elif "page" not in skip:
            with load.phase("page (test client)"):
                for challenge_id, kind in kinds.items():
                    series = measure_page(app, challenge_id, viewers, args.warmup, recorder)
                    results.append((f"page, {kind}", series))
        with app.app_context():
            if results:
                report_boards(results, label, args)
            db.engine.dispose()  # nothing of ours holds the database while the server runs
        rates: list[tuple[str, ...]] = []
        if rule is not None and "http" not in skip:
            url = app.config["SQLALCHEMY_DATABASE_URI"]
            rates = throughput(url, Path(folder), kinds, viewers, label, args)
            shared = f", REDIS_URL {args.redis_url}" if args.redis_url else ""
            print(f"\nthroughput, python app.py (gevent){shared}, {args.seconds:.0f} s measured")
            header = (
                "page",
                "engine",
                "processes",
                "clients",
                "pages/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
            )
            table((*header, "non-200", "server CPU ms/page", "PostgreSQL CPU ms/page"), rates)
        logged = None
        if "log" not in skip:
            with load.phase("log_run"):
                logged = measure_log_run(
                    app,
                    data["entrants"],
                    args.log_runs,
                    args.warmup,
                    recorder,
                    rng,
                    args.log_latest,
                    args.goals,
                    args.earn,
                )
            total = logged.total_ms
            when = "each after the runner's others" if args.log_latest else "up to 10 days back"
            when += f", {args.goals} open goals each"
            if args.earn:
                when += ", each the runner's longest so far (a milestone)"
            print(
                f"\nlog_run + commit, {len(total)} runs ({when}), {label}:"
                f" p50 {statistics.median(total):.2f} ms, p95 {percentile(total, 0.95):.2f} ms,"
                f" p99 {percentile(total, 0.99):.2f} ms, max {max(total):.2f} ms;"
                f" log_run alone p50 {statistics.median(logged.log_run_ms):.2f} ms"
                f" (SQL in the driver {statistics.median(logged.driver_ms):.2f} ms),"
                f" commit p50 {statistics.median(logged.commit_ms):.2f} ms;"
                f" statements per run {statistics.median(logged.statements):.0f},"
                f" UPDATE statements for challenge_entries per run (an executemany is one)"
                f" {sorted(set(logged.updates))}"
            )
            floor = logged.floor_ms
            print(
                f"  floor (the same statements through the driver alone, rolled back, then"
                f" a one-row write committed): p50 {statistics.median(floor):.2f} ms,"
                f" p95 {percentile(floor, 0.95):.2f} ms (statements p50"
                f" {statistics.median(logged.bare_ms):.2f} ms, commit p50"
                f" {statistics.median(logged.bare_commit_ms):.2f} ms);"
                f" ratio p50 {statistics.median(total) / statistics.median(floor):.2f},"
                f" p95 {percentile(total, 0.95) / percentile(floor, 0.95):.2f}"
            )
        print("\ntargets")
        for name, series in results:
            p95 = percentile(series.ms, 0.95)
            mark = "met" if p95 <= TARGET_PAGE_MS else "MISSED"
            print(f"  {name}: p95 {p95:.2f} ms (target {TARGET_PAGE_MS:.0f} ms) {mark}")
        for row in rates:
            mark = "met" if float(row[4]) >= TARGET_RATE else "MISSED"
            print(
                f"  {row[0]}, {row[2]} processes:"
                f" {row[4]} pages/s (target {TARGET_RATE:.0f}) {mark}"
            )
        if logged is not None:
            p95 = percentile(logged.total_ms, 0.95)
            mark = "met" if p95 <= TARGET_LOG_MS else "MISSED"
            print(f"  log_run + commit: p95 {p95:.2f} ms (target {TARGET_LOG_MS:.0f} ms) {mark}")
        print()
        load.print_phases("this script, its server, PostgreSQL")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
