"""Club rooms: a socket joins `club:{id}` only if its user may see the club's content."""

from typing import Any

from flask_login import current_user
from flask_socketio import SocketIO, join_room

from community.clubs.models import Club
from community.clubs.services import can_see_content, club_room
from community.extensions import db
from community.params import id_of
from community.sockets import guarded


def on_watch(data: Any) -> dict[str, Any]:
    club_id = id_of(data.get("club_id")) if isinstance(data, dict) else None
    if not current_user.is_authenticated:
        return {"ok": False, "error": "Log in first."}
    club = db.session.get(Club, club_id) if club_id is not None else None
    if club is None or not can_see_content(club, current_user.id):
        return {"ok": False, "error": "Not allowed."}
    try:
        join_room(club_room(club.id))
    except (KeyError, ValueError):
        # The page was left before this event was handled: the socket is already gone.
        return {"ok": False, "error": "Disconnected."}
    return {"ok": True}


def register(socketio: SocketIO) -> None:
    socketio.on_event("club:watch", guarded(on_watch))
