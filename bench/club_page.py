"""The club page and the dashboard against a bare page of the same server (issue 15's budgets).

    .venv/bin/python bench/club_page.py                      # SQLite in a temporary folder
    createdb -h 127.0.0.1 -U postgres runhive_clubbench     # once; its schema is rebuilt each run
    .venv/bin/python bench/club_page.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/runhive_clubbench
    .venv/bin/python bench/club_page.py --big-club 300 --dashboard-runs 300 \
        --seconds 5 --warmup-seconds 2 --repeats 1 --calls 30         # quick

The issue's budgets, each engine against its own floor measured in the same run: the club
page at 50 clients serves at least 60 % of the floor's requests/s, in at most 8 statements,
with p99 at most 100 ms, and a 2,007-member club within 1.5x of a 27-member one; the
dashboard of a runner with 2,000 runs, 10 clubs and 20 challenges in at most 10 statements
with p95 at most 25 ms. Read here as: statements per GET in-process (transaction control
aside, as tests/test_statement_budget.py counts them); p99 over HTTP at --clients clients;
the dashboard's p95 as its server time in-process (Flask's test client); 2,007 against 27
both as in-process p50 server time and as HTTP requests/s.

Data: `club_data.py` (its docstring says what is built; the clock is the real one, as the
pages read `utcnow()`), checked by the app's invariant checker before anything is measured.

Measured, per engine:
1. In-process (Flask's test client, the bench's app with the floor routes added): GET of
   the 27-member club page, the 2,007-member club page, the dashboard and each floor,
   --calls calls after --warmup, viewers in turn: server time, statements (transaction
   control aside) and "SQL": the driver's time inside the call (before_cursor_execute to
   after_cursor_execute, `challenge_board.Recorder`), the rest being Python (routing,
   ORM, templates). Statement by statement: position, p50 driver time, the SQL.
2. Over HTTP: one `bench/floor_server.py` process (app.py itself, gevent, plus the floor
   routes: `/_floor/club/<slug>`, `/_floor/dashboard`), --clients aiohttp clients each on
   one keep-alive connection with a signed session cookie of its own viewer
   (`challenge_board.hammer`): --warmup-seconds, then --seconds measured, page and floor
   alternating --repeats times (page first on odd repeats, floor first on even ones), so
   that noise falls on both. Requests/s (answers inside the window); latency p50/p95/p99
   over every request answered inside the window, whenever sent, and, as lower bounds,
   the waits of those still unanswered at its end (a client served late or never in the
   window counts); answers per client (least and most served: gevent and the connection
   pool need not serve 50 clients fairly); the longest such wait; non-200 responses
   (errors, which must be 0),
   the server's and PostgreSQL's CPU per request, the server's CPU as a share of one core
   (gevent serves on one), and this script's (the clients'): they share the machine.
Viewers: the big club's page, --clients of its members (not the dashboard runners); the
small club's, its 27 members in turn (a few on two connections: 50 clients, 27 members);
the dashboard, the dashboard runners in turn. The load average (1/5/15 min) is printed at
the start and end of every phase, and the CPU other processes used (the machine is
shared). Percentiles are nearest-rank.
"""

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# This checkout's `community`: the shared venv's editable install points at another one.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from challenge_board import (
    Hammered,
    Load,
    Recorder,
    build,
    code_version,
    engine_label,
    hammer,
    percentile,
    server,
    session_cookie,
    table,
    timed_get,
)
from club_data import OTHER_CLUBS, OTHER_MEMBERS, Builder, describe
from flask import Flask
from floor_server import with_floor
from sqlalchemy import make_url

import community
from community import config as settings
from community.db_types import utcnow
from community.extensions import db

ROOT = Path(__file__).resolve().parent.parent
assert Path(community.__file__).is_relative_to(ROOT), "measure this checkout's app"

# The budgets.
FLOOR_SHARE, CLUB_STATEMENTS, CLUB_P99_MS, SIZE_RATIO = 0.60, 8, 100.0, 1.5
DASHBOARD_STATEMENTS, DASHBOARD_P95_MS = 10, 25.0
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


# --- measuring -------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str
    floor: str
    viewers: list[int]


@dataclass
class InProcess:
    """Server time of GETs through Flask's test client, and their SQL."""

    ms: list[float] = field(default_factory=list)
    sql_ms: list[float] = field(default_factory=list)  # the driver's time inside the call
    statements: list[int] = field(default_factory=list)  # transaction control aside
    # (position, SQL) -> the driver's time of that statement, per call
    per_statement: dict[tuple[int, str], list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def summary(self) -> dict[str, float]:
        return {
            "calls": len(self.ms),
            "p50_ms": statistics.median(self.ms),
            "p95_ms": percentile(self.ms, 0.95),
            "max_ms": max(self.ms),
            "sql_p50_ms": statistics.median(self.sql_ms),
            "statements_min": min(self.statements),
            "statements_max": max(self.statements),
        }


def measure_in_process(
    app: Flask, path: str, viewers: list[int], args: argparse.Namespace, recorder: Recorder
) -> InProcess:
    found = InProcess()
    client = app.test_client()
    for n in range(args.warmup + args.calls):
        viewer = viewers[n % len(viewers)]
        call = timed_get(client, path, viewer, recorder)
        assert call.response.status_code == 200, (path, viewer, call.response.status_code)
        if n < args.warmup:
            continue
        found.ms.append(call.ms)
        found.sql_ms.append(sum(call.driver_ms))
        counted = [
            s for s, _ in call.statements if not s.lstrip().upper().startswith(TRANSACTION_CONTROL)
        ]
        found.statements.append(len(counted))
        for position, ((statement, _), driver) in enumerate(
            zip(call.statements, call.driver_ms, strict=True), 1
        ):
            found.per_statement[(position, statement)].append(driver)
    return found


def short_sql(statement: str) -> str:
    flat = re.sub(r"\s+", " ", statement).strip()
    flat = re.sub(r"^SELECT (?!count).*? FROM", "SELECT … FROM", flat)
    return flat[:110] + ("…" if len(flat) > 110 else "")


@dataclass
class Http:
    """One measured window: a path hammered by --clients clients."""

    path: str
    repeat: int
    rate: float
    p50: float
    p95: float
    p99: float
    errors: int
    statuses: dict[int, int]
    server_cpu_ms: float  # per request
    postgres_cpu_ms: float
    server_cpu_share: float  # of one core, over the measured window
    client_cpu_share: float  # this script's (the clients'), warm-up included
    answers_min: int  # answers a client got in the window: the least served client's
    answers_max: int
    waiting_max: float  # the longest a request still unanswered at the end had waited
    # Every request answered in the window (whenever sent) and, as lower bounds, the waits
    # of those still unanswered at its end: a client starved for the whole window counts.
    latencies: list[float]

    @classmethod
    def of(cls, path: str, repeat: int, got: Hammered, seconds: float, client: float) -> "Http":
        done = max(got.completed, 1)
        latencies = got.answered_ms + got.waiting_ms
        return cls(
            path,
            repeat,
            got.completed / seconds,
            statistics.median(latencies),
            percentile(latencies, 0.95),
            percentile(latencies, 0.99),
            got.errors,
            dict(got.statuses),
            1000 * got.server_cpu_s / done,
            1000 * got.postgres_cpu_s / done,
            got.server_cpu_s / seconds,
            client,
            min(got.answers),
            max(got.answers),
            max(got.waiting_ms, default=0.0),
            latencies,
        )


def loadavg() -> tuple[float, float, float]:
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return float(one), float(five), float(fifteen)


@contextmanager
def phase(args: argparse.Namespace, name: str, server_pids: tuple[int, ...] = ()) -> Iterator[None]:
    """A timed phase: the load average before and after, and other processes' CPU."""
    before = loadavg()
    with args.load.phase(name, server_pids, sample=not server_pids):
        yield
    after = loadavg()
    args.loads.append({"phase": name, "before": before, "after": after})
    print(
        f"  [{name}] load average {' '.join(f'{x:.2f}' for x in before)}"
        f" -> {' '.join(f'{x:.2f}' for x in after)}",
        flush=True,
    )


def measure_http(
    url: str, folder: Path, pages: list[Page], args: argparse.Namespace
) -> dict[str, list[Http]]:
    """Each page and its floor in turn, on one floor_server.py process."""
    secret = os.urandom(24).hex()
    found: dict[str, list[Http]] = defaultdict(list)
    log = folder / "server.log"
    with server(url, secret, log, script="bench/floor_server.py") as running:
        for page in pages:
            cookies = [
                session_cookie(secret, page.viewers[n % len(page.viewers)])
                for n in range(args.clients)
            ]
            for repeat in range(1, args.repeats + 1):
                pair = [(page.key, page.path), (f"{page.key} floor", page.floor)]
                for key, path in pair if repeat % 2 else pair[::-1]:
                    with phase(args, f"HTTP {key} #{repeat}", (running[1],)):
                        cpu, wall = time.process_time(), time.perf_counter()
                        got = asyncio.run(
                            hammer(
                                [running],
                                path,
                                cookies,
                                args.warmup_seconds,
                                args.seconds,
                                args.load.database,
                            )
                        )
                        client = (time.process_time() - cpu) / (time.perf_counter() - wall)
                    measured = Http.of(path, repeat, got, args.seconds, client)
                    found[key].append(measured)
                    print(
                        f"    {path}: {measured.rate:.0f} req/s, p50 {measured.p50:.1f} ms,"
                        f" p99 {measured.p99:.1f} ms, non-200 {measured.errors}"
                        + (f" {measured.statuses}" if measured.errors else ""),
                        flush=True,
                    )
        if any(h.errors for runs in found.values() for h in runs):
            print(f"  non-200 responses: the server's log ends with\n{log.read_text()[-3000:]}")
    return found


# --- report ----------------------------------------------------------------------------


def pooled(runs: list[Http]) -> dict[str, float]:
    """All repeats of one path together: the mean rate and CPU, percentiles over every
    request."""
    latencies = [x for h in runs for x in h.latencies]
    return {
        "rate": statistics.mean(h.rate for h in runs),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "errors": sum(h.errors for h in runs),
        "server_cpu_ms": statistics.mean(h.server_cpu_ms for h in runs),
        "postgres_cpu_ms": statistics.mean(h.postgres_cpu_ms for h in runs),
        "server_cpu_share": statistics.mean(h.server_cpu_share for h in runs),
        "client_cpu_share": statistics.mean(h.client_cpu_share for h in runs),
        "answers_min": min(h.answers_min for h in runs),
        "answers_max": max(h.answers_max for h in runs),
        "waiting_max": max(h.waiting_max for h in runs),
    }


def report_in_process(
    label: str, pages: list[Page], measured: dict[str, InProcess], args: argparse.Namespace
) -> None:
    print(f"\nin-process (Flask's test client), {args.calls} calls each after {args.warmup}")
    rows = []
    for page in pages:
        for key, path in ((page.key, page.path), (f"{page.key} floor", page.floor)):
            s = measured[key].summary()
            rows.append(
                (
                    f"GET {path}",
                    label,
                    str(s["calls"]),
                    f"{s['p50_ms']:.1f}",
                    f"{s['p95_ms']:.1f}",
                    f"{s['max_ms']:.1f}",
                    f"{s['sql_p50_ms']:.1f}",
                    f"{s['p50_ms'] - s['sql_p50_ms']:.1f}",
                    "-".join(dict.fromkeys((str(s["statements_min"]), str(s["statements_max"])))),
                )
            )
    header = ("page", "engine", "calls", "p50 ms", "p95 ms", "max ms", "SQL p50 ms")
    table((*header, "rest (Python) ms", "statements"), rows)
    for page in pages:
        series = measured[page.key]
        print(f"\n{page.label}: statements of a call, the driver's time (p50 ms)")
        table(
            ("#", "p50 ms", "p95 ms", "SQL"),
            [
                (
                    str(position),
                    f"{statistics.median(took):.2f}",
                    f"{percentile(took, 0.95):.2f}",
                    short_sql(statement),
                )
                for (position, statement), took in sorted(series.per_statement.items())
                if len(took) >= len(series.ms) // 2  # a statement only some viewers send
            ],
        )


def report_http(
    label: str, pages: list[Page], found: dict[str, list[Http]], args: argparse.Namespace
) -> None:
    print(
        f"\nHTTP: python app.py (gevent) with the floor routes, {args.clients} clients,"
        f" {args.seconds:.0f} s measured after {args.warmup_seconds:.0f} s, {label}"
    )

    sqlite = label.startswith("SQLite")

    def row(path: str, repeat: str, f: dict[str, Any]) -> tuple[str, ...]:
        return (
            path,
            repeat,
            f"{f['rate']:.0f}",
            f"{f['p50']:.1f}",
            f"{f['p95']:.1f}",
            f"{f['p99']:.1f}",
            str(f["errors"]),
            f"{f['answers_min']}-{f['answers_max']}",
            f"{f['waiting_max'] / 1000:.1f}",
            f"{f['server_cpu_ms']:.2f}",
            f"{f['server_cpu_share']:.0%}",
            "-" if sqlite else f"{f['postgres_cpu_ms']:.2f}",
            f"{f['client_cpu_share']:.0%}",
        )

    rows = []
    for page in pages:
        for key in (page.key, f"{page.key} floor"):
            rows += [row(h.path, str(h.repeat), asdict(h)) for h in found[key]]
            if len(found[key]) > 1:
                rows.append(row(f"{found[key][0].path} (all)", "all", pooled(found[key])))
    header = ("path", "repeat", "req/s", "p50 ms", "p95 ms", "p99 ms", "non-200")
    header += ("answers per client", "longest wait at the end s")
    cpu = ("server CPU ms/req", "server CPU", "PostgreSQL CPU ms/req", "clients' CPU")
    table((*header, *cpu), rows)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def budgets(
    pages: list[Page], measured: dict[str, InProcess], found: dict[str, list[Http]]
) -> list[dict[str, Any]]:
    """Each budget with its figure and whether it is met."""
    checks: list[dict[str, Any]] = []

    def check(name: str, figure: str, ok: bool) -> None:
        checks.append({"budget": name, "measured": figure, "met": ok})

    small, big, dashboard = pages
    for page in (small, big):
        if found:
            p, floor = pooled(found[page.key]), pooled(found[f"{page.key} floor"])
            share = p["rate"] / floor["rate"]
            check(
                f"{page.label}: >= {FLOOR_SHARE:.0%} of the floor's req/s",
                f"{p['rate']:.0f} / {floor['rate']:.0f} = {share:.0%}",
                share >= FLOOR_SHARE,
            )
            check(
                f"{page.label}: p99 <= {CLUB_P99_MS:.0f} ms (HTTP)",
                f"{p['p99']:.0f} ms",
                p["p99"] <= CLUB_P99_MS,
            )
        most = max(measured[page.key].statements)
        check(f"{page.label}: <= {CLUB_STATEMENTS} statements", str(most), most <= CLUB_STATEMENTS)
    small_p50 = statistics.median(measured[small.key].ms)
    big_p50 = statistics.median(measured[big.key].ms)
    check(
        f"{big.label} within {SIZE_RATIO}x of {small.label}: server time p50 (in-process)",
        f"{big_p50:.1f} / {small_p50:.1f} ms = {big_p50 / small_p50:.2f}x",
        big_p50 <= SIZE_RATIO * small_p50,
    )
    if found:
        small_rate, big_rate = pooled(found[small.key])["rate"], pooled(found[big.key])["rate"]
        check(
            f"{big.label} within {SIZE_RATIO}x of {small.label}: req/s (HTTP)",
            f"{small_rate:.0f} / {big_rate:.0f} req/s = {small_rate / big_rate:.2f}x",
            small_rate <= SIZE_RATIO * big_rate,
        )
    most = max(measured[dashboard.key].statements)
    check(
        f"dashboard: <= {DASHBOARD_STATEMENTS} statements", str(most), most <= DASHBOARD_STATEMENTS
    )
    p95 = percentile(measured[dashboard.key].ms, 0.95)
    check(
        f"dashboard: p95 <= {DASHBOARD_P95_MS:.0f} ms (server time, in-process)",
        f"{p95:.1f} ms",
        p95 <= DASHBOARD_P95_MS,
    )
    errors = sum(h.errors for runs in found.values() for h in runs)
    if found:
        check("every response 200 (HTTP)", f"{errors} non-200", errors == 0)
    return checks


def report_budgets(
    label: str, pages: list[Page], found: dict[str, list[Http]], checks: list
) -> None:
    if found:
        print(f"\nratios, {label} (mean req/s over the repeats)")
        for page in pages:
            p, floor = pooled(found[page.key]), pooled(found[f"{page.key} floor"])
            print(
                f"  {page.label}: page / floor {p['rate']:.0f} / {floor['rate']:.0f} req/s"
                f" = {p['rate'] / floor['rate']:.2f}; per repeat "
                + ", ".join(
                    f"{a.rate / b.rate:.2f}"
                    for a, b in zip(found[page.key], found[f"{page.key} floor"], strict=True)
                )
            )
    print(f"\nbudgets, {label}")
    for c in checks:
        print(f"  {c['budget']}: {c['measured']}: {verdict(c['met'])}")


# --- a run per engine ------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    return {
        "cpus": str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def run_engine(database_url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = settings.normalise_database_url(database_url or f"sqlite:///{folder}/club.db")
        if url.startswith("sqlite:///") and Path(url.removeprefix("sqlite:///")).exists():
            raise SystemExit(f"{url}: the file exists; give a new one (it is built from scratch)")
        # PostgreSQL's CPU: the backends of this database only (a test loop may share the
        # server); on SQLite a name no backend has.
        args.load.database = make_url(url).database
        app = build(url, Path(folder))
        now = utcnow()
        with app.app_context():
            label = engine_label()
            print(f"\n=== {label}: building the data (clock {now:%Y-%m-%d %H:%M} UTC)", flush=True)
            with phase(args, f"{label}: data"):
                data = Builder(args, now).populate()
            described = describe(data, label)
        timings = ", ".join(f"{k} {v:.1f} s" for k, v in data.timings.items())
        print(f"  built in {sum(data.timings.values()):.0f} s: {timings}")
        for key, value in described.items():
            print(f"  {key}: {value}")
        print(
            "  invariants (community.invariants.differences, as `flask --app app check`): "
            + (
                "every counter matches its rows"
                if not data.problems
                else f"{len(data.problems)} differences"
            )
        )
        for problem in data.problems[:20]:
            print(f"    {problem}")
        pages = [
            Page(
                "club-small",
                f"club page, {described['small club members']:,} members",
                f"/clubs/{data.small_slug}",
                f"/_floor/club/{data.small_slug}",
                data.small_members,
            ),
            Page(
                "club-big",
                f"club page, {described['big club members']:,} members",
                f"/clubs/{data.big_slug}",
                f"/_floor/club/{data.big_slug}",
                data.big_viewers,
            ),
            Page(
                "dashboard", "dashboard", "/dashboard", "/_floor/dashboard", data.dashboard_runners
            ),
        ]
        with_floor(app)
        with app.app_context():
            recorder = Recorder(db.engine)
        measured: dict[str, InProcess] = {}
        with phase(args, f"{label}: in-process"):
            for page in pages:
                for key, path in ((page.key, page.path), (f"{page.key} floor", page.floor)):
                    measured[key] = measure_in_process(app, path, page.viewers, args, recorder)
        with app.app_context():
            db.engine.dispose()  # nothing of ours holds the database while the server runs
        report_in_process(label, pages, measured, args)
        found: dict[str, list[Http]] = {}
        if not args.skip_http:
            print(f"\n{label}: HTTP", flush=True)
            found = measure_http(url, Path(folder), pages, args)
            report_http(label, pages, found, args)
        checks = budgets(pages, measured, found)
        report_budgets(label, pages, found, checks)
        return {
            "engine": label,
            "clock": now.isoformat(),
            "data": described,
            "timings_s": data.timings,
            "invariant_differences": data.problems,
            "pages": [asdict(page) for page in pages],
            "in_process": {
                key: {
                    **series.summary(),
                    "ms": series.ms,
                    "sql_ms": series.sql_ms,
                    "statements": series.statements,
                }
                for key, series in measured.items()
            },
            "http": {key: [asdict(h) for h in runs] for key, runs in found.items()},
            "budgets": checks,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        action="append",
        help="an engine to measure; repeat for several (default: SQLite in a temporary folder)",
    )
    parser.add_argument("--small-club", type=int, default=27, help="its members")
    parser.add_argument("--big-club", type=int, default=2_007, help="its members")
    parser.add_argument("--dashboard-runners", type=int, default=50, help="in the big club")
    parser.add_argument("--dashboard-runs", type=int, default=2_000, help="each, over 2 years")
    parser.add_argument("--clients", type=int, default=50, help="concurrent HTTP clients")
    parser.add_argument("--seconds", type=float, default=10.0, help="HTTP: measured per window")
    parser.add_argument("--warmup-seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3, help="page and floor windows each")
    parser.add_argument("--calls", type=int, default=100, help="in-process calls per page")
    parser.add_argument("--warmup", type=int, default=10, help="in-process calls not counted")
    parser.add_argument("--skip-http", action="store_true", help="in-process figures only")
    parser.add_argument("--quiet", type=float, default=0, help="wait up to N s for idle CPU")
    parser.add_argument("--json", type=Path, help="write every figure there")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    spare = OTHER_CLUBS + OTHER_MEMBERS + 10  # owners, admins, the other clubs' members
    if args.small_club < 5 or args.big_club < args.dashboard_runners + spare:
        parser.error(
            f"use at least 5 members in the small club, {spare} more than the"
            " dashboard runners in the big one"
        )
    if args.dashboard_runners < 1:
        parser.error("use at least one dashboard runner")
    args.load, args.loads = Load(args.quiet), []
    started = datetime.now(UTC)
    host = machine()
    print(
        f"{started:%Y-%m-%d %H:%M:%S} UTC; code: {code_version()};"
        f" {host['cpus']} CPUs ({host['cpu']}), {host['memory']} RAM, kernel {host['kernel']},"
        f" Python {host['python']}; load average {' '.join(f'{x:.2f}' for x in loadavg())}"
    )
    results = [run_engine(url, args) for url in args.database_url or [None]]
    print()
    args.load.print_phases("this script, its server, PostgreSQL's backends of the bench")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in loadavg())}")
    if args.json:
        options = {
            k: (str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()
            if k not in ("load", "loads")
        }
        args.json.write_text(
            json.dumps(
                {
                    "started": started.isoformat(),
                    "code": code_version(),
                    "command": sys.argv,
                    "options": options,
                    "machine": host,
                    "load_averages": args.loads,
                    "other_cpu": [
                        {"phase": n, "cpu_s": c, "wall_s": w} for n, c, w, _ in args.load.phases
                    ],
                    "engines": results,
                },
                indent=1,
            )
        )
        print(f"written to {args.json}")


if __name__ == "__main__":
    main()
