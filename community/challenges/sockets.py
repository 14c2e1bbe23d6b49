"""Challenge rooms: a socket joins `challenge:{id}` only if its user may see the board."""

from typing import Any

from flask_login import current_user
from flask_socketio import SocketIO, join_room

from community.challenges.models import Challenge
from community.challenges.services import can_view
from community.challenges.tally import challenge_room
from community.extensions import db
from community.params import id_of
from community.sockets import guarded


def on_watch(data: Any) -> dict[str, Any]:
    challenge_id = id_of(data.get("challenge_id")) if isinstance(data, dict) else None
    if not current_user.is_authenticated:
        return {"ok": False, "error": "Log in first."}
    challenge = db.session.get(Challenge, challenge_id) if challenge_id is not None else None
    if challenge is None or not can_view(challenge, current_user.id):
        return {"ok": False, "error": "Not allowed."}
    try:
        join_room(challenge_room(challenge.id))
    except (KeyError, ValueError):
        # The page was left before this event was handled: the socket is already gone.
        return {"ok": False, "error": "Disconnected."}
    # The board's version now: a page whose rows are older (a change landed between its
    # reading and this join) reads them again.
    return {"ok": True, "version": challenge.board_version}


def register(socketio: SocketIO) -> None:
    socketio.on_event("challenge:watch", guarded(on_watch))
