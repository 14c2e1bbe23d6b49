"""Error pages for people and JSON errors for API clients."""

import contextlib
import sqlite3

import psycopg
from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from community.extensions import db
from community.params import route_upload_limit

MESSAGES = {
    400: "That request could not be understood.",
    403: "You don't have access to this page.",
    404: "There is nothing here.",
    405: "That action is not allowed here.",
    413: "That upload is too large: send at most 200 MB at once.",
    429: "Too many attempts. Please wait a little and try again.",
    500: "Something went wrong on our side. Please try again.",
    503: "The database is busy or out of reach. Please try again in a moment.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def error_response(status: int, message: str | None = None) -> tuple[Response | str, int]:
    message = message or MESSAGES.get(status, "Something went wrong.")
    if _wants_json():
        return jsonify(error=message, status=status), status
    return render_template("errors/error.html", status=status, message=message), status


def _handle_http(error: HTTPException) -> tuple[Response | str, int]:
    status = error.code or 500
    message = MESSAGES.get(status) if status != 400 else (error.description or MESSAGES[400])
    limit = route_upload_limit() if status == 413 else None
    if limit is not None:
        # A route with a smaller limit of its own (an avatar's): say that one.
        message = f"That upload is too large: send at most {limit // (1024 * 1024)} MB."
    return error_response(status, message)


def _handle_csrf(error: CSRFError) -> tuple[Response | str, int]:
    return error_response(400, "This form has expired or was sent from elsewhere. Please retry.")


def _unavailable(error: OperationalError) -> bool:
    """A lock not had in time (SQLite) or a server out of reach (PostgreSQL); SQLite's
    other OperationalErrors are mistakes of ours, not the database's state."""
    if error.connection_invalidated:
        return True
    if isinstance(error.orig, sqlite3.OperationalError):
        return "locked" in str(error.orig) or "busy" in str(error.orig)
    return isinstance(error.orig, psycopg.OperationalError)


def _handle_database_unavailable(error: OperationalError) -> tuple[Response | str, int]:
    """A lock not had in time, a server down or restarting: say so at once, and the next
    request tries again (the pool pings connections before use)."""
    if not _unavailable(error):
        return _handle_unexpected(error)
    with contextlib.suppress(OperationalError):
        db.session.rollback()
    current_app.logger.warning("Database unavailable: %s", error.orig)
    body, status = error_response(503)
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = "5"
    return response, status


def _handle_unexpected(error: Exception) -> tuple[Response | str, int]:
    if isinstance(error, HTTPException):
        return _handle_http(error)
    if current_app.testing:
        raise error  # let the suite see the real exception
    db.session.rollback()
    current_app.logger.exception("Unhandled error", exc_info=error)
    return error_response(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(OperationalError, _handle_database_unavailable)
    app.register_error_handler(Exception, _handle_unexpected)
