"""The migrations are the schema: built from them alone, it matches the models exactly."""

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
