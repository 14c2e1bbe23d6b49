"""RSVP latency and throughput when many runners answer one popular run at the same moment.

    .venv/bin/python bench/rsvp_contention.py                 # SQLite in a temporary folder
    createdb -h 127.0.0.1 -U postgres runhive_bench      # once; its schema is rebuilt each run
    .venv/bin/python bench/rsvp_contention.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/runhive_bench

Builds the schema from the migrations (on PostgreSQL after DROP SCHEMA public CASCADE), one
club with an owner and a crowd of members (bulk-inserted), then three scenarios, each
repeated --rounds times, every round on a freshly scheduled run with one group of --capacity
places:

- serial (the baseline, no contention): the rush's RSVPs one after another in one thread.
- rush: --clients threads, each with its own app context (so its own session and pooled
  connection) and its own runner, are released together by a barrier; each loads its runner
  and the run, calls `services.rsvp(..., GOING)` and commits.
- churn: the run is first made full with a waitlist (capacity + --waitlist runners say going
  one after the other, not timed); then half the clients cancel (NOT_GOING, runners picked at
  random among those, so some held a place and some were waiting) while the other half,
  new runners, say going, all released together by a barrier.

Latency of one RSVP: in its thread, from the barrier's release to `db.session.commit()`
returning (loading runner and run, `rsvp`, commit, including every wait for a lock and for a
pooled connection). Throughput of a round: its RSVPs / (last commit - first release).
A warm-up rush round (not counted) opens the pool's connections first; the pool holds one
connection per client, so nobody waits for a connection.

After every round the database is checked: overbooked means going > capacity, or the group's
`taken` != going, or taken > capacity, or `taken` != rows holding a place; the waitlist must be
consistent (every answer kept, waiting rows hold no place, never a free place while someone
waits, nobody waiting ahead of a runner going in the waitlist's order, and in churn no new
runner going while an earlier waiter still waits). Any exception in
a thread is counted as an error. All of these must be 0.
"""

import argparse
import math
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask_migrate
from flask import Flask
from sqlalchemy import func, insert, select, text

from community import config as settings
from community import create_app
from community.accounts import services as accounts
from community.accounts.models import User
from community.clubs import services as clubs
from community.clubs.models import Club, Membership
from community.extensions import db
from community.group_runs import services
from community.group_runs.models import ARRIVAL_ORDER, GroupRun, PaceGroup, Rsvp, RsvpStatus
from community.group_runs.scheduling import schedule_run

JOIN_TIMEOUT_S = 120  # per thread; a round that needs longer is broken, not slow


@dataclass
class Round:
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    overbooked: int = 0
    waitlist_problems: list[str] = field(default_factory=list)
    final: tuple[int, int, int] = (0, 0, 0)  # going, waiting, taken


def build(database_url: str, instance: Path, clients: int) -> Flask:
    config = settings.testing(database_url, instance)
    # One pooled connection per client (plus the main thread's), like N requests served by
    # N workers: the numbers measure the database's locking, not a queue for connections.
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_pre_ping": True,
        "pool_size": clients + 2,
        "max_overflow": 5,
        "pool_timeout": 60,
    }
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()
    return app


def populate(app: Flask, size: int) -> tuple[int, int, list[int]]:
    """The club's owner, the club and `size` members (bulk-inserted, passwords unused)."""
    with app.app_context():
        owner = accounts.register_user(
            username="coach",
            email="coach@example.com",
            display_name="Coach",
            password="a long bench password",
        )
        club = clubs.create_club(owner, name="Riverside", slug="riverside")
        db.session.commit()
        now = datetime.now(UTC)
        ids = db.session.scalars(
            insert(User).returning(User.id),
            [
                {
                    "username": f"runner{n}",
                    "email": f"runner{n}@example.com",
                    "display_name": f"Runner {n}",
                    "password_hash": "unused",
                    "bio": "",
                    "units": "km",
                    "timezone": "UTC",
                    "default_visibility": "public",
                    "session_version": 1,
                    "created_at": now,
                }
                for n in range(size)
            ],
        ).all()
        db.session.execute(
            insert(Membership),
            [
                {"club_id": club.id, "user_id": uid, "role": "member", "joined_at": now}
                for uid in ids
            ],
        )
        db.session.commit()
        result = owner.id, club.id, list(ids)
        db.session.remove()
        return result


def schedule(app: Flask, owner_id: int, club_id: int, capacity: int, title: str) -> int:
    with app.app_context():
        now = datetime.now(UTC)
        run = schedule_run(
            db.session.get(User, owner_id),
            db.session.get(Club, club_id),
            title=title,
            starts_at=now + timedelta(days=1),
            meeting_point="Track",
            now=now,
            capacity=capacity,
        )
        db.session.commit()
        run_id = run.id
        db.session.remove()
        return run_id


def answer(run_id: int, user_id: int, status: RsvpStatus) -> Callable[[], None]:
    """What one request does: load the runner and the run, RSVP (`now` is the real time)."""

    def job() -> None:
        services.rsvp(
            db.session.get(User, user_id),
            db.session.get(GroupRun, run_id),
            status,
            now=datetime.now(UTC),
        )

    return job


def at_once(app: Flask, jobs: list[Callable[[], None]], result: Round) -> None:
    """Run every job in its own thread and app context, released together; commit each."""
    barrier = threading.Barrier(len(jobs) + 1)
    starts: list[float] = []
    ends: list[float] = []
    lock = threading.Lock()

    def worker(job: Callable[[], None]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=JOIN_TIMEOUT_S)
                started = time.perf_counter()
                job()
                db.session.commit()
                ended = time.perf_counter()
                with lock:
                    starts.append(started)
                    ends.append(ended)
                    result.latencies_ms.append((ended - started) * 1000)
            except Exception as error:  # counted, reported, and must be 0
                db.session.rollback()
                with lock:
                    result.errors.append(f"{type(error).__name__}: {error}"[:200])
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=JOIN_TIMEOUT_S)  # every thread is ready: release them together
    deadline = time.monotonic() + JOIN_TIMEOUT_S
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        result.errors.append(f"{stuck} threads still running after {JOIN_TIMEOUT_S} s")
    if starts:
        result.seconds = max(ends) - min(starts)


def roster(app: Flask, run_id: int) -> dict:
    with app.app_context():
        group = db.session.scalar(select(PaceGroup).where(PaceGroup.run_id == run_id))
        rows = db.session.execute(
            select(Rsvp.user_id, Rsvp.status, Rsvp.holds_place, Rsvp.pace_group_id)
            .where(Rsvp.run_id == run_id)
            .order_by(*ARRIVAL_ORDER)
        ).all()
        groups = db.session.scalar(
            select(func.count(PaceGroup.id)).where(PaceGroup.run_id == run_id)
        )
        state = {
            "capacity": group.capacity,
            "taken": group.taken,
            "group_id": group.id,
            "groups": groups,
            "rows": rows,  # in waitlist order (ARRIVAL_ORDER)
        }
        db.session.remove()
        return state


def check(state: dict, result: Round, expected_answers: int) -> None:
    rows = state["rows"]
    capacity, taken = state["capacity"], state["taken"]
    going = [r for r in rows if r.status == RsvpStatus.GOING.value]
    waiting = [r for r in rows if r.status == RsvpStatus.WAITLISTED.value]
    holding = sum(1 for r in rows if r.holds_place)
    result.final = (len(going), len(waiting), taken)
    if len(going) > capacity or taken != len(going) or taken > capacity or holding != taken:
        result.overbooked += 1
    problems = result.waitlist_problems
    if len(going) + len(waiting) != expected_answers:
        problems.append(f"{len(going)} going + {len(waiting)} waiting != {expected_answers}")
    if waiting and taken < capacity:
        problems.append(f"{capacity - taken} places free while {len(waiting)} wait")
    queue = [r.status for r in rows if r in going or r in waiting]
    if waiting and RsvpStatus.GOING.value in queue[queue.index(RsvpStatus.WAITLISTED.value) :]:
        problems.append("someone waits ahead (in the waitlist's order) of a runner going")
    if any(r.holds_place or r.pace_group_id != state["group_id"] for r in waiting):
        problems.append("a waiting row holds a place or sits in another group")
    if state["groups"] != 1:
        problems.append(f"{state['groups']} pace groups")


def rush_round(app: Flask, ids: dict, args: argparse.Namespace, number: int) -> Round:
    result = Round()
    run_id = schedule(app, ids["owner"], ids["club"], args.capacity, f"Rush {number}")
    runners = ids["runners"][: args.clients]
    at_once(app, [answer(run_id, uid, RsvpStatus.GOING) for uid in runners], result)
    check(roster(app, run_id), result, expected_answers=len(runners))
    going, waiting, _ = result.final
    if (going, waiting) != (min(args.capacity, len(runners)), max(0, len(runners) - going)):
        result.waitlist_problems.append(f"{going} going, {waiting} waiting")
    return result


def serial_round(app: Flask, ids: dict, args: argparse.Namespace, number: int) -> Round:
    """The rush's RSVPs one after another in one thread: the cost without contention."""
    result = Round()
    run_id = schedule(app, ids["owner"], ids["club"], args.capacity, f"Serial {number}")
    runners = ids["runners"][: args.clients]
    first = time.perf_counter()
    for uid in runners:
        with app.app_context():
            try:
                started = time.perf_counter()
                answer(run_id, uid, RsvpStatus.GOING)()
                db.session.commit()
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
            except Exception as error:  # counted, reported, and must be 0
                db.session.rollback()
                result.errors.append(f"{type(error).__name__}: {error}"[:200])
            finally:
                db.session.remove()
    result.seconds = time.perf_counter() - first
    check(roster(app, run_id), result, expected_answers=len(runners))
    return result


def churn_round(
    app: Flask, ids: dict, args: argparse.Namespace, number: int, rng: random.Random
) -> Round:
    result = Round()
    run_id = schedule(app, ids["owner"], ids["club"], args.capacity, f"Churn {number}")
    prefill = ids["runners"][: ids["prefill"]]
    for uid in prefill:  # one after the other: places first, then the waitlist in this order
        with app.app_context():
            answer(run_id, uid, RsvpStatus.GOING)()
            db.session.commit()
            db.session.remove()
    before = roster(app, run_id)
    first_waiters = [r.user_id for r in before["rows"] if r.status == RsvpStatus.WAITLISTED.value]
    leaving = rng.sample(prefill, args.clients // 2)
    joining = ids["runners"][ids["prefill"] :][: args.clients - len(leaving)]
    jobs = [answer(run_id, uid, RsvpStatus.NOT_GOING) for uid in leaving]
    jobs += [answer(run_id, uid, RsvpStatus.GOING) for uid in joining]
    rng.shuffle(jobs)
    at_once(app, jobs, result)
    after = roster(app, run_id)
    check(after, result, expected_answers=len(prefill) - len(leaving) + len(joining))
    status = {r.user_id: r.status for r in after["rows"]}
    if any(status[uid] != RsvpStatus.NOT_GOING.value for uid in leaving):
        result.waitlist_problems.append("a cancelled runner still holds a place or waits")
    # First come, first served: the earlier waiters who stayed were promoted in their order
    # (those going are a prefix of them), and no new runner goes while one of them waits.
    stayed = [status[uid] for uid in first_waiters if uid not in leaving]
    promoted = sum(1 for s in stayed if s == RsvpStatus.GOING.value)
    if any(s != RsvpStatus.GOING.value for s in stayed[:promoted]):
        result.waitlist_problems.append("waiters promoted out of order")
    still_waiting = any(s == RsvpStatus.WAITLISTED.value for s in stayed)
    if still_waiting and any(status[uid] == RsvpStatus.GOING.value for uid in joining):
        result.waitlist_problems.append("a new runner went ahead of an earlier waiter")
    return result


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(name: str, rounds: list[Round]) -> dict:
    latencies = [ms for r in rounds for ms in r.latencies_ms]
    rates = [len(r.latencies_ms) / r.seconds for r in rounds if r.seconds]
    return {
        "scenario": name,
        "rsvps": len(latencies),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": percentile(latencies, 0.95) if latencies else float("nan"),
        "max": max(latencies, default=float("nan")),
        "rate_median": statistics.median(rates) if rates else float("nan"),
        "rate_overall": len(latencies) / sum(r.seconds for r in rounds) if latencies else 0.0,
        "overbooked": sum(r.overbooked for r in rounds),
        "waitlist": sum(len(r.waitlist_problems) for r in rounds),
        "errors": sum(len(r.errors) for r in rounds),
        "final": sorted({r.final for r in rounds}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--clients", type=int, default=50, help="concurrent RSVPs (threads)")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of each scenario")
    parser.add_argument("--capacity", type=int, default=20, help="places on the run")
    parser.add_argument("--waitlist", type=int, default=10, help="churn: waiting at the start")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--per-round", action="store_true", help="print every round")
    args = parser.parse_args()
    if not 2 <= args.clients <= 90 or not 1 <= args.rounds <= 100 or args.capacity < 1:
        parser.error("use 2-90 clients, 1-100 rounds and a capacity of at least 1")
    rng = random.Random(args.seed)
    prefill = max(args.capacity + args.waitlist, args.clients // 2)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        url = settings.normalise_database_url(url)
        app = build(url, Path(folder), args.clients)
        owner, club, runners = populate(app, max(args.clients, prefill + args.clients))
        ids = {"owner": owner, "club": club, "runners": runners, "prefill": prefill}
        warm_up = rush_round(app, ids, args, 0)
        assert not warm_up.errors, warm_up.errors
        serial = [serial_round(app, ids, args, n) for n in range(1, args.rounds + 1)]
        rush = [rush_round(app, ids, args, n) for n in range(1, args.rounds + 1)]
        churn = [churn_round(app, ids, args, n, rng) for n in range(1, args.rounds + 1)]
        with app.app_context():
            engine = db.engine.dialect.name
            version = ".".join(str(part) for part in db.engine.dialect.server_version_info)
            db.engine.dispose()
    print(
        f"RSVP contention on {engine} {version}: {args.clients} clients at once, capacity "
        f"{args.capacity}, {args.rounds} rounds per scenario (+1 warm-up rush round)"
    )
    print(
        f"  churn: full run with {prefill - args.capacity} waiting; {args.clients // 2} cancel "
        f"and {args.clients - args.clients // 2} new runners say going"
    )
    scenarios = (("serial", serial), ("rush", rush), ("churn", churn))
    if args.per_round:
        for name, rounds in scenarios:
            for number, r in enumerate(rounds, 1):
                rate = len(r.latencies_ms) / r.seconds if r.seconds else 0.0
                print(
                    f"  {name} {number:>2}: p50 {statistics.median(r.latencies_ms):7.1f} ms, "
                    f"max {max(r.latencies_ms):7.1f} ms, {rate:6.0f}/s, "
                    f"final going/waiting/taken {r.final}"
                )
    header = (
        "scenario",
        "RSVPs",
        "p50 ms",
        "p95 ms",
        "max ms",
        "RSVP/s (median round)",
        "RSVP/s (overall)",
        "overbooked",
        "waitlist errors",
        "exceptions",
    )
    rows = []
    for name, rounds in scenarios:
        s = summary(name, rounds)
        rows.append(
            (
                name,
                str(s["rsvps"]),
                f"{s['p50']:.1f}",
                f"{s['p95']:.1f}",
                f"{s['max']:.1f}",
                f"{s['rate_median']:.0f}",
                f"{s['rate_overall']:.0f}",
                str(s["overbooked"]),
                str(s["waitlist"]),
                str(s["errors"]),
            )
        )
        final = ", ".join(f"{g}/{w}/{t}" for g, w, t in s["final"])
        print(f"  {name}: final going/waiting/taken per round: {final}")
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    problems = [
        f"{name} round {n}: {p}"
        for name, rounds in scenarios
        for n, r in enumerate(rounds, 1)
        for p in r.errors + r.waitlist_problems + (["overbooked"] if r.overbooked else [])
    ]
    for problem in problems[:20]:
        print("  PROBLEM", problem)
    assert not problems, f"{len(problems)} problems"


if __name__ == "__main__":
    main()
