"""The migrations are the schema: built from them alone, it matches the models exactly."""

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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


def test_upgrading_sqlite_keeps_the_rows_that_point_at_a_rebuilt_table(tmp_path):
    # Feed items are rebuilt (copied, dropped, renamed) by later migrations on SQLite: the
    # kudos and comments pointing at them must come through, not cascade away.
    app = create_app(settings.testing(f"sqlite:///{tmp_path / 'old.db'}", tmp_path))
    moment = "2026-12-01 08:00:00.000000"
    with app.app_context():
        flask_migrate.upgrade(revision="0021")
        with db.engine.begin() as connection:
            for number, name in enumerate(("ana", "ben"), 1):
                connection.exec_driver_sql(
                    "INSERT INTO users (id, username, email, display_name, password_hash, bio,"
                    " units, timezone, default_visibility, session_version, created_at)"
                    " VALUES (?, ?, ?, ?, 'x', '', 'km', 'UTC', 'public', 1, ?)",
                    (number, name, f"{name}@example.com", name, moment),
                )
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


def test_upgrading_reopens_a_report_its_own_runner_decided_for_the_site_admins(tmp_path):
    # Before 0027 an admin could dismiss a report about their own run; that decision is undone
    # and, their club having no other admin, the report goes to the site's admins.
    app = create_app(settings.testing(f"sqlite:///{tmp_path / 'old.db'}", tmp_path))
    moment = "2026-12-01 08:00:00.000000"
    with app.app_context():
        flask_migrate.upgrade(revision="0026")
        with db.engine.begin() as connection:
            run = connection.exec_driver_sql
            for number, name in enumerate(("ana", "ben"), 1):
                run(
                    "INSERT INTO users (id, username, email, display_name, password_hash, bio,"
                    " units, timezone, default_visibility, session_version, created_at)"
                    " VALUES (?, ?, ?, ?, 'x', '', 'km', 'UTC', 'public', 1, ?)",
                    (number, name, f"{name}@example.com", name, moment),
                )
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
