"""The goals page and the dashboard of a runner with many runs and goals (issue 16's budget).

    .venv/bin/python bench/goals_page.py                        # SQLite in a temporary folder
    createdb -h 127.0.0.1 -U postgres runhive_goalbench        # once; rebuilt each run
    .venv/bin/python bench/goals_page.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/runhive_goalbench
    .venv/bin/python bench/goals_page.py --runs 500 --calls 30  # quick

The budget: the goals page and the dashboard of a runner with 5,000 runs and 20 goals,
p95 at most 25 ms and at most 10 statements, on both engines. Read here as server time in
process (Flask's test client, logged in as each runner in turn), beside the floor (the
bench's bare dashboard: the runner and a count of their runs) measured in the same run.

Data (seed --seed): --runners runners, each with --runs runs over the last three years
(5-25 km at 4:30-6:30 /km, 10 % private, a twentieth with a 10 km best effort) and 20
goals: 5 of each kind (total, weekly, race, habit), running, half of them shared with the
runner's club, the totals with their monthly steps. Then ANALYZE.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

# This checkout's `community`: the shared venv's editable install points at another one.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from challenge_board import Recorder, build, code_version, engine_label, percentile, timed_get
from floor_server import with_floor
from sqlalchemy import insert, select, text

from community.accounts import services as accounts
from community.activities.models import BestEffort, Run
from community.clubs import services as clubs
from community.db_types import utcnow
from community.extensions import db
from community.goals import services as goals
from community.goals.models import Goal
from community.goals.services import GoalSpec

PAGES = {"goals": "/goals/", "dashboard": "/dashboard", "floor": "/_floor/dashboard"}
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def populate(runners: int, runs: int, rng: random.Random) -> list[int]:
    now = utcnow()
    today = now.date()
    ids = []
    owner = None
    for n in range(runners):
        user = accounts.register_user(
            username=f"runner{n}",
            email=f"runner{n}@example.com",
            display_name=f"Runner {n}",
            password="a long bench password",
        )
        ids.append(user.id)
        if owner is None:
            owner = user
            club = clubs.create_club(
                owner, name="Bench Harriers", slug="bench", visibility="public"
            )
        else:
            clubs.join(user, club)
        rows, efforts = [], []
        for _ in range(runs):
            km = rng.uniform(5, 25)
            pace = rng.uniform(270, 390)
            start = now - timedelta(seconds=rng.randrange(3 * 3600, 3 * 365 * 86400))
            rows.append(
                {
                    "user_id": user.id,
                    "title": "run",
                    "start_time": start,
                    "distance_m": km * 1000,
                    "duration_s": km * pace,
                    "visibility": "private" if rng.random() < 0.1 else "public",
                }
            )
        db.session.execute(insert(Run), rows)
        for run_id, start, pace in db.session.execute(
            select(Run.id, Run.start_time, Run.duration_s / Run.distance_m * 1000).where(
                Run.user_id == user.id, Run.distance_m >= 10_000
            )
        ):
            if rng.random() < 0.05:
                efforts.append(
                    {
                        "run_id": run_id,
                        "user_id": user.id,
                        "label": "10 km",
                        "distance_m": 10_000.0,
                        "duration_s": pace * 10,
                        "achieved_at": start,
                    }
                )
        if efforts:
            db.session.execute(insert(BestEffort), efforts)
        for k in range(5):
            end = today + timedelta(weeks=4 + 4 * k)
            shared = {"club_id": club.id} if k % 2 else {}
            specs = [
                GoalSpec(
                    "total",
                    400_000.0 + 50_000 * k,
                    today - timedelta(days=60),
                    end,
                    "distance_m",
                    **shared,
                ),
                GoalSpec("weekly", 30_000.0, today - timedelta(days=14), end, "distance_m"),
                GoalSpec(
                    "race",
                    2700.0 + 60 * k,
                    today - timedelta(days=30),
                    end,
                    race_label="10 km",
                    **shared,
                ),
                GoalSpec("habit", 3, today - timedelta(days=21), end),
            ]
            for spec in specs:
                goal = goals.create_goal(user, spec, today)
                if spec.kind == "total":
                    goals.add_suggested_steps(user, goal, today)
        db.session.commit()
    return ids


def measure(app: Any, path: str, viewers: list[int], calls: int, warmup: int) -> dict[str, Any]:
    with app.app_context():
        recorder = Recorder(db.engine)
    client = app.test_client()
    ms, statements = [], []
    for n in range(warmup + calls):
        call = timed_get(client, path, viewers[n % len(viewers)], recorder)
        assert call.response.status_code == 200, (path, call.response.status_code)
        if n >= warmup:
            ms.append(call.ms)
            statements.append(
                sum(
                    1
                    for s, _ in call.statements
                    if not s.lstrip().upper().startswith(TRANSACTION_CONTROL)
                )
            )
    return {
        "p50_ms": statistics.median(ms),
        "p95_ms": percentile(ms, 0.95),
        "max_ms": max(ms),
        "statements": max(statements),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--runners", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5000, help="each")
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = build(args.database_url or f"sqlite:///{folder}/goals.db", Path(folder))
        with app.app_context():
            ids = populate(args.runners, args.runs, random.Random(args.seed))
            goals_each = db.session.scalar(
                select(db.func.count(Goal.id)).where(Goal.user_id == ids[0])
            )
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(text("VACUUM ANALYZE"))
            else:
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            label = engine_label()
        with_floor(app)
        found = {
            name: measure(app, path, ids, args.calls, args.warmup) for name, path in PAGES.items()
        }
    print(
        f"{label} at {code_version()}: {args.runners} runners, {args.runs} runs and "
        f"{goals_each} goals each (steps included); {args.calls} calls after {args.warmup}"
    )
    print("| page | p50 ms | p95 ms | max ms | statements |\n|---|---|---|---|---|")
    for name, f in found.items():
        times = f"{f['p50_ms']:.1f} | {f['p95_ms']:.1f} | {f['max_ms']:.1f}"
        print(f"| {PAGES[name]} | {times} | {f['statements']} |")
    if args.json:
        args.json.write_text(json.dumps({"engine": label, "pages": found}, indent=2))


if __name__ == "__main__":
    main()
