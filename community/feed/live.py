"""Live feeds: who hears of a new item, a kudos or a comment, and the rooms pages watch.

Events carry ids and counts, never an item's content: a page that hears of a new item
fetches it through the feed's queries, which decide again what this viewer may see. Yet an
id, and the moment it comes, is news too: every event goes only to sockets whose runner may
see the item at that moment, by the feeds' own rule (`queries.visible_to`).

- An item a visitor may see (a public run, a public club's news; not hidden) goes to the
  shared rooms: its runner's profile:{id}, the club:{id} of the feeds it shows in, its
  followers' user:{id}, and item:{id} for the pages showing it. Anyone may see it but the
  runners blocked with its runner, whose sockets each of these events skips.
- Any other item (a members-only or private run, a private club's news, a hidden item) goes
  to each runner who may see it, by name: user:{id} for a new item, and item:{id}:{user id}
  (joined beside item:{id}) for what happens to an item shown.

So a shared room never carries what one of its sockets may not see, however it joined: a
stranger on a runner's profile, a visitor on a public club's page, a page that watched an
item before its run was made members-only, its runner left the club or it was hidden.
"""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Integer,
    Select,
    bindparam,
    cast,
    event,
    literal,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import Session, UOWTransaction, aliased

from community.accounts.models import Block
from community.clubs.models import Membership
from community.clubs.services import club_room
from community.extensions import db
from community.feed.models import FeedItem
from community.feed.visibility import visible_to
from community.follows.models import Follow, FollowStatus
from community.realtime import emit_after_commit, leave_rooms_after_commit, user_room

ITEM_PREFIX = "item:"


def item_room(item_id: int) -> str:
    return f"{ITEM_PREFIX}{item_id}"


def viewer_item_room(item_id: int, user_id: int) -> str:
    """The item's room for one runner's pages: for news only some may hear."""
    return f"{ITEM_PREFIX}{item_id}:{user_id}"


def profile_room(user_id: int) -> str:
    return f"profile:{user_id}"


@dataclass(frozen=True)
class Audience:
    """Who may see an item now: when `public`, anyone but the runners `blocked` with its
    runner; else `users` alone."""

    public: bool
    blocked: tuple[int, ...] = ()
    users: tuple[int, ...] = ()

    @property
    def skip(self) -> tuple[str, ...]:
        return tuple(user_room(user_id) for user_id in self.blocked)

    def may_see(self, user_id: int) -> bool:
        return user_id not in self.blocked if self.public else user_id in self.users


# Built once, with the ids as parameters, as queries does (building outweighs running).
@cache
def _statements() -> tuple[Select[tuple[int]], CompoundSelect, Select[tuple[int]]]:
    item_id, actor_id = bindparam("item_id", type_=Integer), bindparam("actor_id", type_=Integer)
    public = select(FeedItem.id).where(FeedItem.id == item_id, visible_to(None))
    blocked = union(
        select(Block.blocked_id).where(Block.blocker_id == actor_id),
        select(Block.blocker_id).where(Block.blocked_id == actor_id),
    )
    # Who might see an item no visitor may: its runner, and the members of its club and of
    # the runner's clubs. The feeds' rule then says which of them do.
    clubs = union(
        select(Membership.club_id).where(Membership.user_id == actor_id),
        select(cast(bindparam("club_id"), Integer)),
    )
    mate = aliased(Membership)
    candidates = union(
        select(cast(actor_id, Integer).label("user_id")),
        select(mate.user_id).where(mate.club_id.in_(clubs)),
    ).subquery()
    users = (
        select(candidates.c.user_id)
        .join(FeedItem, FeedItem.id == item_id)
        .where(visible_to(candidates.c.user_id))
    )
    return public, blocked, users


def audience(run: Connection | Session, item: FeedItem) -> Audience:
    """Who may see `item` now: read through `run` (the flush's connection, or the session)."""
    public, blocked, users = _statements()
    values = {"item_id": item.id, "actor_id": item.actor_id, "club_id": item.club_id}
    if run.scalar(public, values) is not None:
        return Audience(True, blocked=tuple(run.scalars(blocked, values)))
    return Audience(False, users=tuple(run.scalars(users, values)))


@cache
def _new_item_statement() -> CompoundSelect:
    # A new item's news in one statement, as most items anyone may see: whether a visitor
    # may see it, the runners blocked with its runner, the runner's clubs, their followers
    # (four statements took 2.4 ms of a run logged on PostgreSQL, bench/RESULTS.md).
    public, blocked, _ = _statements()
    actor_id = bindparam("actor_id", type_=Integer)

    def tagged(tag: str, statement: Select[tuple[int]]) -> Select[tuple[str, int]]:
        column = statement.selected_columns[0]
        return statement.with_only_columns(literal(tag).label("tag"), column.label("id"))

    return union_all(
        tagged("public", public),
        select(literal("blocked").label("tag"), blocked.subquery().c[0]),
        tagged("club", select(Membership.club_id).where(Membership.user_id == actor_id)),
        tagged(
            "follower",
            select(Follow.follower_id).where(
                Follow.followee_id == actor_id, Follow.status == FollowStatus.ACCEPTED.value
            ),
        ),
    )


def _new_item_news(connection: Connection, item: FeedItem) -> None:
    """Tell the feeds an item shows in that it is there: the shared rooms (its runner's,
    their profile, their clubs' or its club's, their followers') when anyone may see it,
    else each runner who may, by name."""
    values = {"item_id": item.id, "actor_id": item.actor_id, "club_id": item.club_id}
    found: dict[str, list[int]] = {"public": [], "blocked": [], "club": [], "follower": []}
    for tag, some_id in connection.execute(_new_item_statement(), values):
        found[tag].append(some_id)
    payload = {"item_id": item.id, "actor_id": item.actor_id}
    if not found["public"]:
        seen = audience(connection, item)
        emit_after_commit("feed:item", payload, room=tuple(user_room(u) for u in seen.users))
        return
    rooms = {user_room(item.actor_id), profile_room(item.actor_id)}
    # A runner's own item shows in the feeds of every club they are in.
    clubs = [item.club_id] if item.club_id is not None else found["club"]
    rooms.update(club_room(club_id) for club_id in clubs)
    rooms.update(user_room(user_id) for user_id in found["follower"])
    skip = tuple(user_room(user_id) for user_id in sorted(set(found["blocked"])))
    emit_after_commit("feed:item", payload, room=tuple(sorted(rooms)), skip=skip)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    new = [thing for thing in session.new if isinstance(thing, FeedItem)]
    if not new:
        return
    connection = session.connection()
    for item in new:
        _new_item_news(connection, item)


def _tell_watchers(name: str, item: FeedItem, payload: dict[str, object], only: int | None) -> None:
    """Send news of `item` to the pages showing it whose runner may see it now (and, with
    `only`, to that runner's pages alone)."""
    seen = audience(db.session(), item)
    if only is not None:
        if seen.may_see(only):
            emit_after_commit(name, payload, room=viewer_item_room(item.id, only))
    elif seen.public:
        emit_after_commit(name, payload, room=item_room(item.id), skip=seen.skip)
    else:
        rooms = tuple(viewer_item_room(item.id, user_id) for user_id in seen.users)
        emit_after_commit(name, payload, room=rooms)


def kudos_changed(item: FeedItem, count: int, summary: str) -> None:
    payload = {"item_id": item.id, "count": count, "summary": summary}
    _tell_watchers("feed:kudos", item, payload, None)


def item_changed(item: FeedItem) -> None:
    """Open pages showing the item fetch it again (hidden now, say: then it leaves them).
    Call it before a change that takes the item out of sight (hiding, deleting): those who
    saw it until then are the ones whose pages must let it go."""
    _tell_watchers("feed:changed", item, {"item_id": item.id}, None)


def comments_changed(item: FeedItem, only: int | None = None) -> None:
    """Pages showing the item fetch its comments again; `only`: a change to a hidden
    comment, which its author alone sees."""
    _tell_watchers("feed:comments", item, {"item_id": item.id}, only)


def forget_items(user_id: int) -> None:
    """Take a runner's sockets out of every item room once this commits: they may have
    lost sight of some (left a club, blocked or were blocked); the page joins afresh."""
    leave_rooms_after_commit(user_id, ITEM_PREFIX)


def subscribe() -> None:
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
