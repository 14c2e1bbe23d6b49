"""Live feeds: who hears of a new item, a kudos or a comment, and the rooms pages watch.

Events carry ids and counts, never an item's content: a page that hears of a new item
fetches it through the feed's queries, which decide again what this viewer may see. The
rooms an event goes to are still only those whose watchers may see it, so a private club's
events never reach a socket outside it.
"""

from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session, UOWTransaction

from community.activities.models import Run
from community.clubs.models import Club, ClubVisibility, Membership
from community.clubs.services import club_room
from community.extensions import db
from community.feed.models import FeedItem
from community.follows.models import Follow, FollowStatus
from community.realtime import emit_after_commit, leave_rooms_after_commit, user_room

ITEM_PREFIX = "item:"


def item_room(item_id: int) -> str:
    return f"{ITEM_PREFIX}{item_id}"


def profile_room(user_id: int) -> str:
    return f"profile:{user_id}"


def audience(connection: Connection, item: FeedItem) -> set[str]:
    """The rooms whose watchers may see `item`: its runner, the feeds it shows in."""
    rooms = {user_room(item.actor_id)}
    visibility = (
        connection.scalar(select(Run.visibility).where(Run.id == item.run_id))
        if item.run_id is not None
        else None
    )
    if visibility == "private":
        return rooms
    if item.club_id is not None:
        rooms.add(club_room(item.club_id))
        club = connection.scalar(select(Club.visibility).where(Club.id == item.club_id))
        if club == ClubVisibility.PRIVATE.value:
            return rooms
    else:
        # A runner's own item shows in the feeds of every club they are in.
        clubs = connection.scalars(
            select(Membership.club_id).where(Membership.user_id == item.actor_id)
        )
        rooms.update(club_room(club_id) for club_id in clubs)
    rooms.add(profile_room(item.actor_id))
    if visibility != "members":
        followers = connection.scalars(
            select(Follow.follower_id).where(
                Follow.followee_id == item.actor_id, Follow.status == FollowStatus.ACCEPTED.value
            )
        )
        rooms.update(user_room(user_id) for user_id in followers)
    return rooms


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    new = [thing for thing in session.new if isinstance(thing, FeedItem)]
    if not new:
        return
    connection = session.connection()
    for item in new:
        payload = {"item_id": item.id, "actor_id": item.actor_id}
        emit_after_commit("feed:item", payload, room=tuple(sorted(audience(connection, item))))


def kudos_changed(item_id: int, count: int, summary: str) -> None:
    emit_after_commit(
        "feed:kudos",
        {"item_id": item_id, "count": count, "summary": summary},
        room=item_room(item_id),
    )


def item_changed(item_id: int) -> None:
    """Open pages showing the item fetch it again (hidden now, say: then it leaves them)."""
    emit_after_commit("feed:changed", {"item_id": item_id}, room=item_room(item_id))


def comments_changed(item_id: int) -> None:
    emit_after_commit("feed:comments", {"item_id": item_id}, room=item_room(item_id))


def forget_items(user_id: int) -> None:
    """Take a runner's sockets out of every item room once this commits: they may have
    lost sight of some (left a club, blocked or were blocked); the page joins afresh."""
    leave_rooms_after_commit(user_id, ITEM_PREFIX)


def subscribe() -> None:
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
