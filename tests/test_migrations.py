"""The migrations are the schema: built from them alone, it matches the models exactly."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from community import config as settings
from community import create_app
from community.extensions import db


def test_schema_built_from_migrations_matches_the_models(app):
    # `app` runs on a database built only by `flask db upgrade` (SQLite or PostgreSQL).
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models and migrations disagree: {differences}"


def test_sqlite_is_configured_for_real_use(tmp_path):
    app = create_app(settings.testing(f"sqlite:///{tmp_path / 'check.db'}", tmp_path))
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
        # The transaction (and its write lock) starts with the first statement, not the first
        # write, so a read-then-write can never be overtaken by another writer.
        assert connection.connection.dbapi_connection.in_transaction
        db.engine.dispose()


def insert_users(connection: Connection, names: tuple[str, ...], moment: str) -> None:
    """Users 1, 2, ... with these names, as raw rows (for a database at an old revision)."""
    for number, name in enumerate(names, 1):
        connection.exec_driver_sql(
            "INSERT INTO users (id, username, email, display_name, password_hash, bio,"
            " units, timezone, default_visibility, session_version, created_at)"
            " VALUES (?, ?, ?, ?, 'x', '', 'km', 'UTC', 'public', 1, ?)",
            (number, name, f"{name}@example.com", name, moment),
        )


def test_upgrading_sqlite_keeps_the_rows_that_point_at_a_rebuilt_table(tmp_path):
    # Feed items are rebuilt (copied, dropped, renamed) by later migrations on SQLite: the
    # kudos and comments pointing at them must come through, not cascade away.
    app = create_app(settings.testing(f"sqlite:///{tmp_path / 'old.db'}", tmp_path))
    moment = "2026-12-01 08:00:00.000000"
    with app.app_context():
        flask_migrate.upgrade(revision="0021")
        with db.engine.begin() as connection:
            insert_users(connection, ("ana", "ben"), moment)
            connection.exec_driver_sql(
                "INSERT INTO feed_items (id, kind, actor_id, title, created_at)"
                " VALUES (1, 'challenge_completed', 1, 'December', ?)",
                (moment,),
            )
            connection.exec_driver_sql(
                "INSERT INTO kudos (item_id, giver_id, created_at) VALUES (1, 2, ?)", (moment,)
            )
            connection.exec_driver_sql(
                "INSERT INTO comments (item_id, author_id, body, created_at)"
                " VALUES (1, 2, 'Well done', ?)",
                (moment,),
            )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            kept = connection.exec_driver_sql(
                "SELECT (SELECT actor_id FROM kudos), (SELECT body FROM comments)"
            ).one()
            assert tuple(kept) == (1, "Well done")
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_upgrading_numbers_each_pace_group_going_first_then_its_waitlist_in_order(tmp_path):
    # Before 0025 the waitlist was ordered by a time taken before the lock, so a runner
    # could wait "ahead" of one who had got the place: those going are numbered first.
    app = create_app(settings.testing(f"sqlite:///{tmp_path / 'old.db'}", tmp_path))
    moment = "2026-12-01 08:00:00.000000"
    with app.app_context():
        flask_migrate.upgrade(revision="0024")
        with db.engine.begin() as connection:
            insert_users(connection, ("ana", "ben", "cleo", "dev"), moment)
            connection.exec_driver_sql(
                "INSERT INTO clubs (id, slug, name, description, city, timezone, visibility,"
                " created_at) VALUES (1, 'riverside', 'Riverside', '', '', 'UTC', 'public', ?)",
                (moment,),
            )
            connection.exec_driver_sql(
                "INSERT INTO group_runs (id, club_id, title, description, starts_at,"
                " meeting_point, created_at) VALUES (1, 1, 'Tempo', '', ?, 'Track', ?)",
                (moment, moment),
            )
            connection.exec_driver_sql(
                "INSERT INTO pace_groups (id, run_id, name, position, capacity, taken, no_drop)"
                " VALUES (1, 1, '', 0, 1, 1, 0)"
            )
            for user_id, group_id, status, holds, second in (
                (1, 1, "waitlisted", 0, 1),
                (2, 1, "going", 1, 2),
                (3, 1, "waitlisted", 0, 3),
                (4, None, "maybe", 0, 0),
            ):
                connection.exec_driver_sql(
                    "INSERT INTO rsvps (run_id, user_id, pace_group_id, status, holds_place,"
                    " queued_at, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)",
                    (user_id, group_id, status, holds, f"2026-12-01 08:00:0{second}", moment),
                )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            tickets = connection.exec_driver_sql(
                "SELECT user_id, ticket FROM rsvps ORDER BY user_id"
            ).all()
            assert [tuple(row) for row in tickets] == [(1, 2), (2, 1), (3, 3), (4, None)]
            last = connection.exec_driver_sql("SELECT last_ticket FROM pace_groups").scalar()
            assert last == 3
        db.engine.dispose()


def test_upgrading_flags_the_runs_already_beyond_a_world_record(tmp_path):
    app = create_app(settings.testing(f"sqlite:///{tmp_path / 'old.db'}", tmp_path))
    moment = "2026-12-01 08:00:00.000000"
    with app.app_context():
        flask_migrate.upgrade(revision="0025")
        with db.engine.begin() as connection:
            insert_users(connection, ("ana",), moment)
            for run_id, source, distance_m, duration_s in (
                (1, "manual", 5_000.0, 660.0),  # 5 km in 11:00
                (2, "manual", 5_000.0, 1_500.0),
                (3, "gpx", 1_200.0, 300.0),  # with a 0:29 400 m
                (4, "gpx", 1_200.0, 300.0),
            ):
                connection.exec_driver_sql(
                    "INSERT INTO runs (id, user_id, title, notes, run_type, visibility,"
                    " start_time, distance_m, duration_s, source, created_at, updated_at)"
                    " VALUES (?, 1, 'Run', '', 'easy', 'public', ?, ?, ?, ?, ?, ?)",
                    (run_id, moment, distance_m, duration_s, source, moment, moment),
                )
            for run_id, label, distance_m, duration_s in (
                (3, "400 m", 400.0, 29.0),
                (3, "1 km", 1_000.0, 200.0),
                (4, "400 m", 400.0, 100.0),
                (4, "1 km", 1_000.0, 250.0),
            ):
                connection.exec_driver_sql(
                    "INSERT INTO best_efforts (run_id, user_id, label, distance_m, duration_s,"
                    " achieved_at) VALUES (?, 1, ?, ?, ?, ?)",
                    (run_id, label, distance_m, duration_s, moment),
                )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            reasons = connection.exec_driver_sql(
                "SELECT id, suspect_reason FROM runs ORDER BY id"
            ).all()
        assert [tuple(row) for row in reasons] == [
            (
                1,
                "At its pace, 5 km takes 11:00, faster than the world record"
                " (12:35.36, Joshua Cheptegei, 2020).",
            ),
            (2, None),
            (
                3,
                "Its 400 m in 0:29 is faster than the world record"
                " (43.03, Wayde van Niekerk, 2016).",
            ),
            (4, None),
        ]


def test_upgrading_reopens_a_report_its_own_runner_decided_for_the_site_admins(tmp_path):
    # Before 0027 an admin could dismiss a report about their own run; that decision is undone
    # and, their club having no other admin, the report goes to the site's admins.
    app = create_app(settings.testing(f"sqlite:///{tmp_path / 'old.db'}", tmp_path))
    moment = "2026-12-01 08:00:00.000000"
    with app.app_context():
        flask_migrate.upgrade(revision="0026")
        with db.engine.begin() as connection:
            run = connection.exec_driver_sql
            insert_users(connection, ("ana", "ben"), moment)
            run(
                "INSERT INTO clubs (id, slug, name, description, city, timezone, visibility,"
                " created_at) VALUES (1, 'solo', 'Solo', '', '', 'UTC', 'public', ?)",
                (moment,),
            )
            run(
                "INSERT INTO memberships (club_id, user_id, role, joined_at)"
                " VALUES (1, 1, 'owner', ?), (1, 2, 'member', ?)",
                (moment, moment),
            )
            run(
                "INSERT INTO feed_items (id, kind, actor_id, title, created_at)"
                " VALUES (1, 'challenge_completed', 1, 'December', ?)",
                (moment,),
            )
            run(
                "INSERT INTO reports (reporter_id, club_id, item_id, reason, status, created_at,"
                " decided_at, decided_by_id) VALUES (2, 1, 1, 'Spam', 'dismissed', ?, ?, 1)",
                (moment, moment),
            )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            report = connection.exec_driver_sql(
                "SELECT subject_id, club_id, status, decided_at, decided_by_id FROM reports"
            ).one()
            assert tuple(report) == (1, None, "open", None, None)
        db.engine.dispose()


def test_upgrading_keeps_where_each_track_already_stored_started(tmp_path):
    from community.activities.tracks import encode_points
    from tests.activities.trackfiles import make_points

    app = create_app(settings.testing(f"sqlite:///{tmp_path / 'old.db'}", tmp_path))
    moment = "2026-12-01 08:00:00.000000"
    points = make_points(5, lat=51.4790, lon=-0.1570)
    with app.app_context():
        flask_migrate.upgrade(revision="0040")
        with db.engine.begin() as connection:
            insert_users(connection, ("ana",), moment)
            for run_id in (1, 2):
                connection.exec_driver_sql(
                    "INSERT INTO runs (id, user_id, title, notes, run_type, visibility,"
                    " start_time, distance_m, duration_s, source, created_at, updated_at)"
                    " VALUES (?, 1, 'Run', '', 'easy', 'public', ?, 50, 20, 'gpx', ?, ?)",
                    (run_id, moment, moment, moment),
                )
            connection.exec_driver_sql(
                "INSERT INTO run_tracks (run_id, point_count, points) VALUES (1, 5, ?), (2, 1, ?)",
                (encode_points(points), b"\xff not a track"),
            )
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            starts = connection.exec_driver_sql(
                "SELECT run_id, start_lat, start_lon FROM run_tracks ORDER BY run_id"
            ).all()
        db.engine.dispose()
    assert [tuple(row) for row in starts] == [
        (1, points[0].lat, points[0].lon),
        (2, None, None),
    ]
