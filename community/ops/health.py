"""Health for the load balancer and the orchestrator: /healthz says the process answers,
/readyz that what it needs (the database, and Redis when configured) answers too."""

from flask import Blueprint, current_app, jsonify
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from community.extensions import db, limiter

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():  # type: ignore[no-untyped-def]
    return jsonify(status="ok")


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def _redis_answers(url: str) -> bool:
    client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(client.ping())
    except RedisError:
        return False
    finally:
        client.close()


@bp.get("/readyz")
@limiter.exempt
def readyz():  # type: ignore[no-untyped-def]
    checks = {"database": _database_answers()}
    if current_app.config["REDIS_URL"]:
        checks["redis"] = _redis_answers(current_app.config["REDIS_URL"])
    ready = all(checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return jsonify(body), 200 if ready else 503
