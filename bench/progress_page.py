"""Server time of the progress page for a runner with 5,000 runs.

    .venv/bin/python bench/progress_page.py                # SQLite in a temporary folder
    createdb -h 127.0.0.1 -U postgres runhive_bench   # once; its schema is rebuilt each run
    .venv/bin/python bench/progress_page.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/runhive_bench

Builds the schema from the migrations, inserts the runs, logs in through the real form and
times GET /runs/progress in-process (Flask's test client: routing, queries, template).
"""

import argparse
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask_migrate
from sqlalchemy import insert, text

from community import config as settings
from community import create_app
from community.accounts import services as accounts
from community.activities.models import Run
from community.extensions import db


def build(database_url: str, instance: Path, runs: int) -> object:
    app = create_app(settings.testing(database_url, instance))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()
        user = accounts.register_user(
            username="bench",
            email="bench@example.com",
            display_name="Bench",
            password="a long bench password",
        )
        user.timezone = "Europe/Berlin"
        db.session.flush()
        rng = random.Random(5000)
        now = datetime.now(UTC)
        rows = []
        for n in range(runs):
            start = now - timedelta(hours=17 * n + rng.random() * 5)  # about ten years of runs
            km = rng.uniform(3, 25)
            rows.append(
                {
                    "user_id": user.id,
                    "title": f"Run {n}",
                    "notes": "",
                    "run_type": "easy",
                    "visibility": "public",
                    "start_time": start,
                    "distance_m": km * 1000,
                    "duration_s": km * rng.uniform(270, 390),
                    "source": "manual",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        db.session.execute(insert(Run), rows)
        db.session.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        app = build(url, Path(folder), args.runs)
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/login",
            data={"csrf_token": token, "login": "bench", "password": "a long bench password"},
        )
        assert client.get("/runs/progress").status_code == 200  # warm-up
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get("/runs/progress")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        engine = url.split(":", 1)[0]
        print(f"progress page, {args.runs} runs, {engine}, {args.repeat} requests")
        p95 = sorted(timings)[int(0.95 * len(timings)) - 1]
        print(
            f"  p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {max(timings):.1f}"
        )


if __name__ == "__main__":
    main()
