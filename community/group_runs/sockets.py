"""Run rooms: a socket joins `run:{id}` only if its user may see the run's club."""

from typing import Any

from flask_login import current_user
from flask_socketio import SocketIO, join_room

from community.clubs.services import can_see_content
from community.extensions import db
from community.group_runs.models import GroupRun
from community.group_runs.services import run_room
from community.params import id_of
from community.sockets import guarded


def on_watch(data: Any) -> dict[str, Any]:
    run_id = id_of(data.get("run_id")) if isinstance(data, dict) else None
    if not current_user.is_authenticated:
        return {"ok": False, "error": "Log in first."}
    run = db.session.get(GroupRun, run_id) if run_id is not None else None
    if run is None or not can_see_content(run.club, current_user.id):
        return {"ok": False, "error": "Not allowed."}
    try:
        join_room(run_room(run.id))
    except (KeyError, ValueError):
        # The page was left before this event was handled: the socket is already gone.
        return {"ok": False, "error": "Disconnected."}
    return {"ok": True}


def register(socketio: SocketIO) -> None:
    socketio.on_event("run:watch", guarded(on_watch))
