"""The production server: gevent's WSGI server, as `python app.py` and `make serve` run it.

Its handler sets TCP_NODELAY on every connection: gevent's stock server leaves Nagle's
algorithm on, and a keep-alive response written in two parts then waits for the client's
delayed ACK, about 40 ms a response (bench/serving.py measures it).
"""

import socket
from collections.abc import Mapping
from typing import Any

from flask import Flask
from gevent import pywsgi

SINGLE_PROCESS = "RUNHIVE_SINGLE_PROCESS"


class SettingsError(RuntimeError):
    """The environment does not describe a server that may start."""


class NoDelayHandler(pywsgi.WSGIHandler):
    def __init__(self, sock: socket.socket, address: Any, server: Any, rfile: Any = None):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().__init__(sock, address, server, rfile)


def check_settings(config: Mapping[str, Any], environ: Mapping[str, str]) -> None:
    """Refuse to serve production with a secret made up on the spot (each process would
    make its own, and sessions would not cross them), or on SQLite, which one process
    alone may write, unless the operator says one process is meant."""
    if config["ENV_NAME"] != "production":
        return
    if not environ.get("SECRET_KEY"):
        raise SettingsError(
            "RUNHIVE_ENV=production needs SECRET_KEY: the same long random value for every "
            "process (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    single = environ.get(SINGLE_PROCESS, "").strip().lower() in {"1", "true", "yes", "on"}
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and not single:
        raise SettingsError(
            "RUNHIVE_ENV=production on SQLite serves from one process only: set DATABASE_URL "
            f"to PostgreSQL, or {SINGLE_PROCESS}=1 to say that one process is meant."
        )


def serve(app: Flask, host: str, port: int) -> None:
    from community.extensions import socketio
    from community.jobs import periodic

    # Periodic work in this process, beside the requests (periodic.py: safe on several).
    socketio.start_background_task(periodic.loop, app, socketio.sleep)
    # gevent's server announces nothing: say where to open it.
    print(f"Runhive is serving on http://{host}:{port} (Ctrl+C to stop)", flush=True)  # noqa: T201
    # Its own access log off: the request log (ops.requests) writes one line per request.
    socketio.run(app, host=host, port=port, handler_class=NoDelayHandler, log_output=False)
