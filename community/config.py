"""Configuration, read from the environment when the app is created (never at import)."""

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from community import maps


def _secret_key(instance_path: Path) -> str:
    """Generate the secret key once and keep it in instance/, so restarts keep sessions."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(environ: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Settings for a real deployment (or `make run`), documented in the README."""
    production = environ.get("RUNHIVE_ENV", "development") == "production"
    database_url = environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'runhive.db'}"
    redis_url = environ.get("REDIS_URL") or None
    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": environ.get("SECRET_KEY") or _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Redis pub/sub ignores the database number: deployments (or test runs) sharing one
        # Redis keep their live events and rate limits apart by name.
        "SOCKETIO_CHANNEL": environ.get("SOCKETIO_CHANNEL") or "runhive",
        "RATELIMIT_KEY_PREFIX": environ.get("RATELIMIT_KEY_PREFIX", ""),
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "PROXY_HOPS": int(environ.get("PROXY_HOPS", "0")),
        "SOCKETIO_ALLOWED_ORIGINS": _split(environ.get("SOCKETIO_ALLOWED_ORIGINS")),
        "SOCKETIO_ASYNC_MODE": environ.get("SOCKETIO_ASYNC_MODE", "threading"),
        "MAIL_SERVER": environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag(environ.get("MAIL_USE_TLS"), default=True),
        "MAIL_SENDER": environ.get("MAIL_SENDER", DEFAULTS["MAIL_SENDER"]),
        "METRICS_TOKEN": environ.get("METRICS_TOKEN") or None,
        # Where the site is reached from outside: the links in e-mails sent by jobs.
        "PUBLIC_URL": environ.get("PUBLIC_URL") or DEFAULTS["PUBLIC_URL"],
        # With REDIS_URL, jobs go to Redis for `flask jobs worker`; 0 keeps them in process.
        "JOBS_ON_REDIS": _flag(environ.get("JOBS_ON_REDIS"), default=True),
        **_map_tiles(environ),
    }


def _map_tiles(environ: Mapping[str, str]) -> dict[str, str]:
    """Where map tiles come from; set but empty, no tiles (maps draw on a plain ground)."""
    url = environ.get("MAP_TILE_URL", DEFAULTS["MAP_TILE_URL"]).strip()
    if url:
        maps.tile_source(url)  # refuses a URL the browser could not be allowed to load
    attribution = environ.get("MAP_TILE_ATTRIBUTION", DEFAULTS["MAP_TILE_ATTRIBUTION"])
    return {"MAP_TILE_URL": url, "MAP_TILE_ATTRIBUTION": attribution.strip()}


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def normalise_database_url(url: str) -> str:
    """Let `postgres://` and `postgresql://` URLs (as hosts hand them out) use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
    "WTF_CSRF_TIME_LIMIT": None,
    # A whole export archive fits; each track inside has its own, smaller limit.
    "MAX_CONTENT_LENGTH": 210 * 1024 * 1024,
    # OWASP's argon2id recommendation: 19 MiB, two passes, one lane.
    "ARGON2_TIME_COST": 2,
    "ARGON2_MEMORY_COST": 19456,
    "ARGON2_PARALLELISM": 1,
    "PASSWORD_RESET_MAX_AGE": 60 * 60,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Redis away: count in memory meanwhile, rather than refuse or fail every request.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    "RATELIMIT_LOGIN": "10 per minute;50 per hour",
    "RATELIMIT_REGISTER": "10 per hour",
    "RATELIMIT_PASSWORD": "10 per hour",
    # Per socket: a page sends a few watch events when it opens or reconnects.
    "SOCKETIO_EVENT_LIMIT": "30 per 10 seconds",
    "SOCKETIO_ASYNC_MODE": "threading",
    "MAIL_SERVER": None,
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": True,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_SENDER": "Runhive <no-reply@runhive.example.com>",
    "MAIL_DIR": None,
    "METRICS_TOKEN": None,
    "PUBLIC_URL": "http://127.0.0.1:5000",
    "JOBS_ON_REDIS": False,
    # OpenStreetMap's own tiles: fine for light use under its tile usage policy (README).
    "MAP_TILE_URL": maps.OSM_TILE_URL,
    "MAP_TILE_ATTRIBUTION": maps.OSM_ATTRIBUTION,
}


def testing(database_url: str, instance_path: Path) -> dict[str, Any]:
    """The suite's settings: real engines, cheap hashes, no shared state between tests."""
    return {
        "TESTING": True,
        "ENV_NAME": "testing",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": None,
        "SOCKETIO_CHANNEL": "runhive-test",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Said every time: Flask-Limiter keeps the last app's choice on its one object.
        "RATELIMIT_ENABLED": True,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "PROXY_HOPS": 0,
        "SOCKETIO_ALLOWED_ORIGINS": None,
        "MAIL_SERVER": None,
        "MAIL_DIR": str(instance_path / "mail"),
        # No test reaches the network: maps draw without tiles.
        "MAP_TILE_URL": "",
        "MAP_TILE_ATTRIBUTION": "",
    }
