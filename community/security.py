"""Session loading and the HTTP security headers every response carries."""

from functools import cache
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from flask_login import current_user
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import with_expression

from community import maps
from community.accounts.models import User
from community.extensions import db, login_manager
from community.notifications.queries import unread_of
from community.params import refuse_unstorable_input


@cache
def _session_runner() -> Select[tuple[User]]:
    # The header's bell comes along: every page shows it, so it costs no statement of its
    # own. Built once: every request runs it.
    return (
        select(User)
        .where(User.id == bindparam("user_id"))
        .options(with_expression(User.unread_notifications, unread_of(User.id)))
    )


def load_user(user_id: str) -> User | None:
    """The user for a session or remember-me cookie, if that session has not been ended."""
    raw_id, _, raw_version = user_id.partition(":")
    if not (raw_id.isdigit() and raw_version.isdigit()):
        return None
    user = db.session.scalar(_session_runner(), {"user_id": int(raw_id)})
    if user is None or user.session_version != int(raw_version):
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target.replace("\\", "/"))
    if parts.scheme or parts.netloc:
        return None
    return target


def current_runner() -> User:
    """The logged-in runner as a plain User (views behind @login_required)."""
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def viewer_id() -> int | None:
    """Who is looking: the logged-in runner's id, or None for a visitor."""
    return current_user.id if current_user.is_authenticated else None


def _content_security_policy() -> str:
    host = request.host
    scheme = "wss" if request.is_secure else "ws"
    return "; ".join(
        [
            "default-src 'self'",
            f"connect-src 'self' {scheme}://{host}",
            " ".join(["img-src 'self' data:", *_tile_sources()]),
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _tile_sources() -> list[str]:
    """The map tile server, when maps have tiles: the only images from elsewhere."""
    url = current_app.config["MAP_TILE_URL"]
    source = maps.tile_source(url) if url else None
    return [source] if source else []


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
    if request.is_secure or _production():
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _production() -> bool:
    return current_app.config["ENV_NAME"] == "production"


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(refuse_unstorable_input)
    app.after_request(set_security_headers)
