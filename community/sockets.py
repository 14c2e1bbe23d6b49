"""The Socket.IO connection: only logged-in users, each in their own `user:{id}` room.

Every event handler is registered through `guarded()`, the socket's one boundary: a
connection that sends more events than any page does is disconnected, a payload with text
no column stores is refused, and a failure answers the client instead of killing the event.
"""

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_socketio import SocketIO, disconnect, join_room
from limits import parse, storage, strategies

from community.extensions import db
from community.ops import metrics
from community.params import TEXT_REFUSED, all_storable
from community.realtime import user_room

Handler = Callable[[Any], dict[str, Any]]

# Counted per connection, in the process that holds it (sessions are sticky).
_events = strategies.MovingWindowRateLimiter(storage.MemoryStorage())


def on_connect(auth: object = None) -> bool:
    # current_user comes from the Flask-Login session cookie, checked against the
    # session version, so a revoked session cannot connect either.
    if not current_user.is_authenticated:
        return False
    join_room(user_room(current_user.id))
    metrics.OPEN_SOCKETS.inc()
    return True


def on_disconnect(reason: object = None) -> None:
    # Called for the connections on_connect accepted only.
    metrics.OPEN_SOCKETS.dec()


def guarded(handler: Handler) -> Handler:
    """Wrap an event handler in the rules every socket event follows (see the module)."""

    @functools.wraps(handler)
    def handle(data: Any = None, *extra: Any) -> dict[str, Any]:
        limit = parse(current_app.config["SOCKETIO_EVENT_LIMIT"])
        if not _events.hit(limit, "socket-events", request.sid):  # type: ignore[attr-defined]
            disconnect()
            return {"ok": False, "error": "Too many events: this connection is closed."}
        if not all_storable(data):
            return {"ok": False, "error": TEXT_REFUSED}
        try:
            return handler(data)
        except Exception:
            db.session.rollback()
            if current_app.testing:
                raise  # let the suite see the real exception
            current_app.logger.exception("Socket event %s failed", handler.__name__)
            return {"ok": False, "error": "Something went wrong on our side."}

    return handle


def register(socketio: SocketIO) -> None:
    from community.challenges import sockets as challenge_sockets
    from community.clubs import sockets as club_sockets
    from community.feed import sockets as feed_sockets
    from community.group_runs import sockets as run_sockets

    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    club_sockets.register(socketio)
    run_sockets.register(socketio)
    challenge_sockets.register(socketio)
    feed_sockets.register(socketio)
