"""Live events: queued on the database session, sent only once the transaction commits.

Every feature calls `emit_after_commit`; nothing emits directly. A rolled-back transaction
drops its events, so no client ever hears of something that did not happen. With a message
queue configured, the emit goes through Redis and reaches clients of every process.
"""

from dataclasses import dataclass
from typing import Any

import socketio as socketio_lib
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from community.extensions import db, socketio
from community.ops import metrics

_PENDING = "realtime.pending"


@dataclass(frozen=True)
class LiveEvent:
    name: str
    payload: dict[str, Any]
    # One room, or several: a socket in more than one of them hears the event once.
    room: str | tuple[str, ...]
    # Rooms whose sockets do not hear it even when in `room` (a blocked runner's user:{id}).
    skip: tuple[str, ...] = ()


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


def emit_after_commit(
    name: str,
    payload: dict[str, Any],
    *,
    room: str | tuple[str, ...],
    skip: tuple[str, ...] = (),
) -> None:
    """Send `name` to the sockets in `room` (but those also in a `skip` room) on commit.
    No room is nobody: Socket.IO would take an empty list of rooms for everyone."""
    if room:
        _queue(LiveEvent(name, payload, room, skip))


def disconnect_after_commit(room: str) -> None:
    """Close this process's sockets in `room` once the change is committed."""
    _queue(Disconnect(room))


def _send(session: Session) -> None:
    for item in session.info.pop(_PENDING, []):
        if isinstance(item, LiveEvent):
            to = item.room if isinstance(item.room, str) else list(item.room)
            socketio.emit(item.name, item.payload, to=to, skip_sid=list(item.skip) or None)
            metrics.EVENTS.labels(item.name).inc()
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


class Manager(socketio_lib.Manager):
    """python-socketio's manager, whose `skip_sid` may also name rooms: the sockets in them
    are skipped. Each process resolves the names to its own sockets, so a skip holds for
    sockets on every process (a socket id is itself a room: plain ids work as before)."""

    def emit(  # type: ignore[no-untyped-def]
        self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs
    ):
        if isinstance(skip_sid, list):
            skip_sid = [
                sid for entry in skip_sid for sid, _eio in self.get_participants(namespace, entry)
            ]
        return super().emit(
            event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to, **kwargs
        )


class RedisManager(socketio_lib.RedisManager, Manager):
    """The same through Redis: the room names travel in the message, and each process
    skips its own sockets in them when it delivers (Manager.emit comes after the queue's)."""


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
