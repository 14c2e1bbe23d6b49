"""One log line per request, each with a request id that the response carries back.

A WSGI middleware around everything (Socket.IO's polling included): the id is the one the
load balancer sent in X-Request-ID when it looks like one, else a new one, so that nginx's
log and ours name a request alike.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

log = logging.getLogger("runhive.requests")
HEADER = "X-Request-ID"
ENVIRON_KEY = "runhive.request_id"
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._-]{8,64}")

StartResponse = Callable[..., Any]


def request_id(environ: dict[str, Any]) -> str:
    given = environ.get("HTTP_X_REQUEST_ID", "")
    return given if _ACCEPTABLE.fullmatch(given) else uuid.uuid4().hex


class RequestLog:
    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        rid = environ[ENVIRON_KEY] = request_id(environ)

        def start(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            headers.append((HEADER, rid))
            log.info(
                "%s %s %s %s %.1fms %s",
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD", "-"),
                environ.get("PATH_INFO", "/"),
                status.split(" ", 1)[0],
                (time.perf_counter() - started) * 1000,
                rid,
            )
            return start_response(status, headers, *args)

        return self.app(environ, start)
