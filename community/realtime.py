"""Live events: queued on the database session, sent only once the transaction commits.

Every feature calls `emit_after_commit`; nothing emits directly. A rolled-back transaction
drops its events, so no client ever hears of something that did not happen. With a message
queue configured, the emit goes through Redis and reaches clients of every process.
"""

from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from community.extensions import db, socketio

_PENDING = "realtime.pending"


@dataclass(frozen=True)
class LiveEvent:
    name: str
    payload: dict[str, Any]
    # One room, or several: a socket in more than one of them hears the event once.
    room: str | tuple[str, ...]


@dataclass(frozen=True)
class Disconnect:
    room: str


@dataclass(frozen=True)
class LeaveRoom:
    user_id: int
    room: str
    # Every room whose name starts with `room`, rather than that one room.
    prefix: bool = False


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def _queue(item: LiveEvent | Disconnect | LeaveRoom) -> None:
    # Begin the transaction now so that its rollback (or commit) is the one that decides.
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_PENDING, []).append(item)


def emit_after_commit(name: str, payload: dict[str, Any], *, room: str | tuple[str, ...]) -> None:
    _queue(LiveEvent(name, payload, room))


def disconnect_after_commit(room: str) -> None:
    """Close this process's sockets in `room` once the change is committed."""
    _queue(Disconnect(room))


def _send(session: Session) -> None:
    for item in session.info.pop(_PENDING, []):
        if isinstance(item, LiveEvent):
            to = item.room if isinstance(item.room, str) else list(item.room)
            socketio.emit(item.name, item.payload, to=to)
        elif isinstance(item, LeaveRoom):
            _leave_room(item)
        else:
            _disconnect_room(item.room)


def _drop(session: Session, previous_transaction: SessionTransaction) -> None:
    # A savepoint rolled back inside a transaction that goes on keeps the events.
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def _disconnect_room(room: str) -> None:
    server = socketio.server
    if server is None:
        return
    # Room membership is known per process; clients on other processes are told through
    # the queued `session:ended` event and refused on their next request.
    for sid, _eio_sid in list(server.manager.get_participants("/", room)):
        server.disconnect(sid, namespace="/")


def _leave_room(leave: LeaveRoom) -> None:
    server = socketio.server
    if server is None:
        return
    for sid, _eio_sid in list(server.manager.get_participants("/", user_room(leave.user_id))):
        rooms = server.manager.get_rooms(sid, "/") if leave.prefix else [leave.room]
        for room in [room for room in rooms if room and room.startswith(leave.room)]:
            server.leave_room(sid, room, namespace="/")


def init_app(app: Flask) -> None:
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_commit", _send):
        event.listen(session_class, "after_commit", _send)
        event.listen(session_class, "after_soft_rollback", _drop)


def leave_room_after_commit(user_id: int, room: str) -> None:
    """Take this user's sockets (in this process) out of `room` once the change commits."""
    _queue(LeaveRoom(user_id, room))


def leave_rooms_after_commit(user_id: int, prefix: str) -> None:
    """Take this user's sockets (in this process) out of every room named `prefix…`."""
    _queue(LeaveRoom(user_id, prefix, prefix=True))
