"""Runhive: a community platform where runners keep each other going."""

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from community import config as settings
from community.extensions import cache, csrf, db, limiter, login_manager, migrate, socketio
from community.params import IdConverter

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; `config` overrides what the environment says (tests use it)."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # Before any route is added: every `<int:...>` id is one a database column can hold.
    app.url_map.converters["int"] = IdConverter
    _configure(app, config)
    _register_upload_limits(app)
    _register_extensions(app)
    _register_database_engine_rules(app)
    _register_blueprints(app)
    _register_security(app)
    _register_errors(app)
    _register_templates(app)
    _register_sockets(app)
    _register_middleware(app)
    _register_jobs(app)
    _register_subscribers()
    _register_commands(app)
    return app


def _configure(app: Flask, config: dict[str, Any] | None) -> None:
    app.config.from_mapping(settings.DEFAULTS)
    if config and config.get("TESTING"):
        app.config.from_mapping(config)
    else:
        app.config.from_mapping(settings.from_environment(os.environ, Path(app.instance_path)))
        app.config.from_mapping(config or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A server that does not answer is out of reach after 5 s, not the system's minutes.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"connect_timeout": 5, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config["MAIL_DIR"]:
        app.config["MAIL_DIR"] = str(Path(app.instance_path) / "mail")


def _register_jobs(app: Flask) -> None:
    from community.jobs import queue

    queue.init_app(app)


def _register_middleware(app: Flask) -> None:
    """Around everything, Socket.IO included: the request log, and outside it the proxy's
    headers read (the client's address and scheme, as nginx saw them)."""
    from community.ops import metrics
    from community.ops.requests import RequestLog

    metrics.init_app(app)
    app.wsgi_app = RequestLog(app.wsgi_app)  # type: ignore[method-assign]
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )


def _register_upload_limits(app: Flask) -> None:
    from community.params import apply_upload_limit

    # First of the before-request steps: CSRF protection reads the body, so a route's own
    # (smaller) upload limit must be set before it.
    app.before_request(apply_upload_limit)


def _register_extensions(app: Flask) -> None:
    from community import models  # noqa: F401  (every model, for Alembic and relationships)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    # In-process: what is kept (a board's rows) is keyed by versions read from the database,
    # so every process's copy is right without telling the others.
    cache.init_app(app, config={"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 5000})


def _register_database_engine_rules(app: Flask) -> None:
    from community import database

    with app.app_context():
        database.configure_engine(db.engine)
    database.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from community.accounts.routes import bp as accounts_bp
    from community.activities.routes import bp as activities_bp
    from community.challenges.routes import bp as challenges_bp
    from community.clubs.routes import bp as clubs_bp
    from community.feed.routes import bp as feed_bp
    from community.follows.routes import bp as follows_bp
    from community.goals.routes import bp as goals_bp
    from community.group_runs.routes import bp as group_runs_bp
    from community.home.routes import bp as home_bp
    from community.milestones.routes import bp as milestones_bp
    from community.notifications.routes import bp as notifications_bp
    from community.ops.health import bp as ops_bp
    from community.reflections.routes import bp as reflections_bp
    from community.reminders.routes import bp as reminders_bp
    from community.years.routes import bp as years_bp

    app.register_blueprint(ops_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(clubs_bp)
    app.register_blueprint(activities_bp)
    app.register_blueprint(group_runs_bp)
    app.register_blueprint(challenges_bp)
    app.register_blueprint(goals_bp)
    app.register_blueprint(milestones_bp)
    app.register_blueprint(reflections_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(years_bp)
    app.register_blueprint(follows_bp)
    app.register_blueprint(feed_bp)
    app.register_blueprint(notifications_bp)


def _register_security(app: Flask) -> None:
    from community import security

    security.init_app(app)


def _register_errors(app: Flask) -> None:
    from community import errors

    errors.init_app(app)


def _register_templates(app: Flask) -> None:
    from community import templating

    templating.init_app(app)


def _register_sockets(app: Flask) -> None:
    from community import realtime, sockets
    from community.message_queue import RedisManager

    redis_url = app.config["REDIS_URL"]
    # Always pass the manager and origins: Flask-SocketIO keeps options between init_app calls.
    manager = (
        RedisManager(redis_url, channel=app.config["SOCKETIO_CHANNEL"])
        if redis_url
        else realtime.Manager()
    )
    socketio.init_app(
        app,
        client_manager=manager,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # None means same origin only; never "*", which would let any site ride the session.
        cors_allowed_origins=app.config["SOCKETIO_ALLOWED_ORIGINS"] or None,
        logger=False,
        engineio_logger=False,
    )
    sockets.register(socketio)
    realtime.init_app(app)


def _register_subscribers() -> None:
    from community.challenges import histogram, tally
    from community.feed import subscribers as feed
    from community.follows import services as follows
    from community.group_runs import attendance
    from community.group_runs import services as group_runs
    from community.milestones import services as milestones
    from community.notifications import subscribers as notifications
    from community.reminders import services as reminders

    attendance.subscribe()
    group_runs.subscribe()
    tally.subscribe()
    histogram.subscribe()
    follows.subscribe()
    feed.subscribe()
    milestones.subscribe()
    notifications.subscribe()
    reminders.subscribe()


def _register_commands(app: Flask) -> None:
    from community import cli

    cli.init_app(app)
