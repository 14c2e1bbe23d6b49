"""The feeds (home, club, profile) and the page model every feed page renders.

A feed is one query over `feed_items`, newest first, paged by id, through the one rule of
who may see an item (`visibility.visible_to`). A page of it becomes `Card`s: everything a
card shows, read in two statements whatever the number of items (the items with whether the
viewer runs their club, then their kudos and comments together), so templates only render.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import with_expression

from community.clubs.models import Membership
from community.extensions import db
from community.feed.cards import Card, Cheers, FeedPage, Person, Pinned, cards, cheers_for
from community.feed.models import FeedItem, ItemKind
from community.feed.visibility import (
    Viewer,
    blocked_with,
    visible_ids,
    visible_item,
    visible_to,
)
from community.follows.models import Follow, FollowStatus
from community.follows.queries import followed

# Services, sockets and specs read these from here.
__all__ = ["Cheers", "blocked_with", "cheers_for", "visible_ids", "visible_item", "visible_to"]

PER_PAGE = 20


@dataclass(frozen=True)
class Page:
    items: list[FeedItem]
    # The id to read on from ("older"), or None at the end.
    before: int | None
    # Read with `after`: more items are newer than these (the page is better reloaded).
    gap: bool = False
    # A club's pinned posts, newest first, when asked for with the page.
    pinned: tuple[FeedItem, ...] = ()


def _as_seen_by(
    statement: Select[tuple[FeedItem]], viewer_id: Viewer | None
) -> Select[tuple[FeedItem]]:
    """`statement` over feed items, reading with each whether the viewer runs its club
    (`FeedItem.viewer_runs_club`): the cards need it, and it costs no statement of its own."""
    if viewer_id is None:
        return statement
    runs = exists().where(
        Membership.club_id == FeedItem.club_id,
        Membership.user_id == viewer_id,
        Membership.is_admin,
    )
    return statement.options(with_expression(FeedItem.viewer_runs_club, runs))


def _clubs_of(user_id: Viewer):  # type: ignore[no-untyped-def]
    return select(Membership.club_id).where(Membership.user_id == user_id)


# A feed page's statement is built once per kind of feed, with the ids as parameters:
# building the visibility rule and the eager loads cost more than running them.
VIEWER = bindparam("viewer_id", type_=Integer)
CLUB = bindparam("club_id", type_=Integer)


def _of_small_club() -> ColumnElement[bool]:
    # The ids themselves: PostgreSQL then plans with them and reads by index too.
    of_members = FeedItem.actor_id.in_(bindparam("member_ids", expanding=True))
    return or_(FeedItem.club_id == CLUB, and_(FeedItem.run_id.is_not(None), of_members))


def _of_big_club() -> ColumnElement[bool]:
    # `+ 0`, as in home(): SQLite may not read every item of every member by index.
    members = select(Membership.user_id).where(Membership.club_id == CLUB)
    of_members = (FeedItem.actor_id + 0).in_(members)
    return or_(FeedItem.club_id == CLUB, and_(FeedItem.run_id.is_not(None), of_members))


def _of_network() -> ColumnElement[bool]:
    """Mine, the runners I follow, the people in my clubs, and my clubs' news."""
    co_members = select(Membership.user_id).where(Membership.club_id.in_(_clubs_of(VIEWER)))
    return or_(
        # `+ 0`: no index may serve this term, so SQLite cannot answer the OR with a
        # MULTI-INDEX OR (every item of every source, each checked for visibility, then
        # sorted for one page: 1 s for a runner in big clubs among 1,000,000 items,
        # bench/feed_page.py). It reads newest first and stops at the page, as PostgreSQL does.
        FeedItem.actor_id + 0 == VIEWER,
        FeedItem.actor_id.in_(followed(VIEWER)),
        and_(FeedItem.club_id.is_(None), FeedItem.actor_id.in_(co_members)),
        FeedItem.club_id.in_(_clubs_of(VIEWER)),
    )


SELECTIONS: dict[str, Callable[[], ColumnElement[bool]]] = {
    "small_club": _of_small_club,
    "big_club": _of_big_club,
    "network": _of_network,
    "own": lambda: FeedItem.actor_id == VIEWER,
    "runner": lambda: FeedItem.actor_id == bindparam("runner_id", type_=Integer),
}


@cache
def _statement(
    feed: str, signed_in: bool, read: str, pinned: bool = False
) -> Select[tuple[FeedItem]]:
    """`read`: "newest" first (a page), "before" an id (the next page), or "after" one
    (what is new, oldest first). `pinned`: with the club's pinned posts too (`_pinned`)."""
    viewer = VIEWER if signed_in else None
    page = select(FeedItem.id).where(SELECTIONS[feed](), visible_to(viewer))
    if read == "after":
        page = page.where(FeedItem.id > bindparam("after"))
        order = FeedItem.id
    else:
        if read == "before":
            page = page.where(FeedItem.id < bindparam("before"))
        order = FeedItem.id.desc()
    # The page's ids first, then the items with their runner, run, club and challenge:
    # joined for the page alone, not for every item the feed considered (PostgreSQL,
    # misjudging a small club's 1,100 items as 22, joined them all first: 10 ms).
    page = page.order_by(order).limit(bindparam("limit"))
    if pinned:
        on_top = _pinned(signed_in).with_only_columns(FeedItem.id)
        ids = union_all(select(page.subquery().c.id), select(on_top.subquery().c.id))
    else:
        ids = page.correlate(None)
    items = select(FeedItem).where(FeedItem.id.in_(ids))
    return _as_seen_by(items, viewer).order_by(order)


def _page(
    feed: str,
    ids: dict[str, object],
    viewer_id: int | None,
    before: int | None,
    after: int | None = None,
    per_page: int | None = None,
    pinned: bool = False,
) -> Page:
    """Newest first, from `before` on; or, with `after`, the items since that one.
    `ids`: the values of the feed's own parameters. `pinned`: a club's, read with the page."""
    per_page = per_page or PER_PAGE
    values = dict(ids, viewer_id=viewer_id) if viewer_id is not None else dict(ids)
    signed_in = viewer_id is not None
    if after is not None:
        statement = _statement(feed, signed_in, "after")
        values.update(after=after, limit=PER_PAGE + 1)
        newer = list(db.session.scalars(statement, values).unique())
        return Page(newer[:PER_PAGE][::-1], None, gap=len(newer) > PER_PAGE)
    if before is not None:
        values["before"] = before
    statement = _statement(feed, signed_in, "newest" if before is None else "before", pinned)
    values["limit"] = per_page + 1
    items = list(db.session.scalars(statement, values).unique())
    on_top: tuple[FeedItem, ...] = ()
    if pinned:
        # A pinned post is of the club's feed too: one not on this page is newer than
        # `before` or older than the page's last item, so the page is still the first rows.
        on_top = tuple(item for item in items if _is_pinned(item))[:MAX_PINNED]
        items = [item for item in items if before is None or item.id < before]
    more = len(items) > per_page
    items = items[:per_page]
    return Page(items, items[-1].id if more else None, pinned=on_top)


def home(
    viewer_id: int,
    before: int | None = None,
    after: int | None = None,
    per_page: int | None = None,
    network: bool | None = None,
) -> Page:
    """Mine, the runners I follow, the people in my clubs, and my clubs' news (`network`:
    whether the runner is in a club or follows anyone, when the caller knows)."""
    # Newcomers (no club, nobody followed) read their own items by index; the newest-first
    # read of a network would pass the whole table to find their few.
    if network is None:
        network = _has_network(viewer_id)
    feed = "network" if network else "own"
    return _page(feed, {}, viewer_id, before, after, per_page)


@cache
def _network_exists() -> Select[tuple[bool]]:
    someone = (
        select(Membership.id)
        .where(Membership.user_id == VIEWER)
        .union_all(
            select(Follow.id).where(
                Follow.follower_id == VIEWER, Follow.status == FollowStatus.ACCEPTED.value
            )
        )
    )
    return select(exists(someone))


def _has_network(viewer_id: int) -> bool:
    return db.session.scalar(_network_exists(), {"viewer_id": viewer_id}) or False


# Up to this many members a club's feed reads each member's items by index; a bigger club's
# items are common enough that reading newest first reaches a page sooner. Measured over
# 1,000,000 items and 50,000 runners, the two cross at 30-40 members on both engines
# (bench/RESULTS.md, "Club feeds by club size").
SMALL_CLUB = 30


def club(
    club_id: int,
    viewer_id: int | None,
    before: int | None = None,
    after: int | None = None,
    member_ids: Sequence[int] | None = None,
    member_count: int | None = None,
    pinned: bool = False,
) -> Page:
    """The club's news, and its members' runs (the page checks the viewer may see the club).
    `member_ids`: every member's id, or `member_count`, when the caller has read them
    already; `pinned`: read the club's pinned posts with the page."""
    if member_ids is None and (member_count is None or member_count <= SMALL_CLUB):
        members = select(Membership.user_id).where(Membership.club_id == club_id)
        member_ids = list(db.session.scalars(members.limit(SMALL_CLUB + 1)))
    few = list(member_ids or ())
    if member_ids is not None and len(few) <= SMALL_CLUB:
        values: dict[str, object] = {"club_id": club_id, "member_ids": few}
        return _page("small_club", values, viewer_id, before, after, pinned=pinned)
    return _page("big_club", {"club_id": club_id}, viewer_id, before, after, pinned=pinned)


def profile(
    user_id: int, viewer_id: int | None, before: int | None = None, after: int | None = None
) -> Page:
    return _page("runner", {"runner_id": user_id}, viewer_id, before, after)


def shown(item_ids: list[int], viewer_id: int | None) -> list[FeedItem]:
    """Those of these items the viewer may see (still), newest first."""
    if not item_ids:
        return []
    statement = select(FeedItem).where(FeedItem.id.in_(item_ids), visible_to(viewer_id))
    statement = _as_seen_by(statement, viewer_id)
    return list(db.session.scalars(statement.order_by(FeedItem.id.desc())).unique())


# Pinned posts shown on top of a club's feed; pinning more pushes the oldest off the top.
MAX_PINNED = 3


@cache
def _pinned(signed_in: bool) -> Select[tuple[FeedItem]]:
    return (
        select(FeedItem)
        .where(
            FeedItem.club_id == CLUB,
            FeedItem.kind == ItemKind.POST.value,
            # `= true`, not `IS true`: the index (club, kind, pinned, id) serves it.
            FeedItem.pinned == true(),
            visible_to(VIEWER if signed_in else None),
        )
        .order_by(FeedItem.id.desc())
        .limit(MAX_PINNED)
    )


def _is_pinned(item: FeedItem) -> bool:
    return item.kind == ItemKind.POST.value and item.pinned


def _feed_page(page: Page, viewer_id: int | None, pinned: Sequence[FeedItem] = ()) -> FeedPage:
    return FeedPage(
        cards(page.items, viewer_id),
        page.before,
        tuple(Pinned(p.id, Person.of(p.actor), p.body, p.created_at) for p in pinned),
    )


def home_page(
    viewer_id: int,
    before: int | None = None,
    per_page: int | None = None,
    network: bool | None = None,
) -> FeedPage:
    return _feed_page(home(viewer_id, before, per_page=per_page, network=network), viewer_id)


def club_page(
    club_id: int,
    viewer_id: int | None,
    before: int | None = None,
    member_ids: Sequence[int] | None = None,
    member_count: int | None = None,
) -> FeedPage:
    """The club's feed with its pinned posts (the caller checked the viewer may see it)."""
    page = club(
        club_id, viewer_id, before, member_ids=member_ids, member_count=member_count, pinned=True
    )
    return _feed_page(page, viewer_id, page.pinned)


def profile_page(user_id: int, viewer_id: int | None, before: int | None = None) -> FeedPage:
    return _feed_page(profile(user_id, viewer_id, before), viewer_id)


def run_cards(run_id: int, viewer_id: int | None) -> tuple[Card, ...]:
    """The feed item of a logged run, as a card for its page (none: no item, or not to be
    seen by this viewer)."""
    statement = select(FeedItem).where(
        FeedItem.run_id == run_id, FeedItem.kind == ItemKind.RUN.value, visible_to(viewer_id)
    )
    statement = _as_seen_by(statement, viewer_id)
    return cards(list(db.session.scalars(statement).unique()), viewer_id)


@dataclass(frozen=True)
class CatchUp:
    """What an open feed fetches on (re)connecting or hearing of a change: the items newer
    than its newest, then the current state of those it shows."""

    cards: tuple[Card, ...]
    # More items are newer than fit: the page is better reloaded.
    gap: bool
    # Of the items it shows, those the viewer may no longer see (hidden, deleted, blocked).
    gone: tuple[int, ...]


def catch_up(
    newer: Callable[[int], Page], after: int, shown_ids: list[int], viewer_id: int | None
) -> CatchUp:
    """`newer(after)` reads the page's feed from `after` on."""
    page = newer(after)
    current = shown(shown_ids, viewer_id)
    gone = tuple(sorted(set(shown_ids) - {item.id for item in current}))
    return CatchUp(cards([*page.items, *current], viewer_id), page.gap, gone)
