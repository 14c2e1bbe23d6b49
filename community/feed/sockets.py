"""Feed rooms. A page asks to watch its feed and the items it shows; the server joins it
only to the rooms its user may see, and answers with what it joined."""

from typing import Any

from flask_login import current_user
from flask_socketio import SocketIO, join_room
from sqlalchemy import select

from community.accounts import blocks
from community.clubs.models import Club, Membership
from community.clubs.services import can_see_content, club_room
from community.extensions import db
from community.feed import queries
from community.feed.live import item_room, profile_room, viewer_item_room
from community.params import an_id, id_of
from community.sockets import guarded

# A page shows at most a few pages of items; more ids than this in one ask is not a page.
MAX_ITEMS = 100


def _feed_rooms(feed: object, target: object) -> list[str] | None:
    """The rooms a feed's new items arrive in, or None when this viewer may not watch it."""
    if feed == "home":
        clubs = db.session.scalars(
            select(Membership.club_id).where(Membership.user_id == current_user.id)
        )
        return [club_room(club_id) for club_id in clubs]
    if feed == "club" and isinstance(target, int):
        club = db.session.get(Club, target)
        if club is None or not can_see_content(club, current_user.id):
            return None
        return [club_room(club.id)]
    if feed == "profile" and isinstance(target, int):
        if blocks.between(current_user.id, target):
            return None
        return [profile_room(target)]
    return [] if feed is None else None


def on_watch(data: Any) -> dict[str, Any]:
    """{"feed": "home" | "club" | "profile", "id": club or runner id, "items": [ids]}."""
    if not current_user.is_authenticated:
        return {"ok": False, "error": "Log in first."}
    if not isinstance(data, dict):
        return {"ok": False, "error": "Say which feed to watch."}
    wanted = data.get("items", [])
    if not isinstance(wanted, list) or len(wanted) > MAX_ITEMS:
        return {"ok": False, "error": f"Send up to {MAX_ITEMS} item ids."}
    rooms = _feed_rooms(data.get("feed"), id_of(data.get("id")))
    if rooms is None:
        return {"ok": False, "error": "Not allowed."}
    # `type() is int`: True is an int to isinstance, and no item's id.
    ids = [i for i in wanted if type(i) is int and an_id(i) is not None]
    visible = queries.visible_ids(ids, current_user.id)
    # Each item twice: its shared room, and this runner's own (for news only some may hear).
    items = [(item_room(i), viewer_item_room(i, current_user.id)) for i in visible]
    try:
        for room in [*rooms, *(room for pair in items for room in pair)]:
            join_room(room)
    except (KeyError, ValueError):
        # The page was left before this event was handled: the socket is already gone.
        return {"ok": False, "error": "Disconnected."}
    return {"ok": True, "items": sorted(visible)}


def register(socketio: SocketIO) -> None:
    socketio.on_event("feed:watch", guarded(on_watch))
