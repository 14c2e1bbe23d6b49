"""The feeds: home, club and profile. Newest first, paged by id.

Every feed is one query over `feed_items`, with the same rule for who may see an item:
- a run item follows the run's visibility: public, "members" (someone in a club with the
  runner), private (the runner alone);
- a club item is for the club's members, or everyone when the club is public;
- nothing of a runner someone blocked, or who blocked them, reaches them.
"""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from community.accounts.models import Block, User
from community.activities.models import Run
from community.clubs.models import Club, Membership, Role
from community.extensions import db
from community.feed.models import Comment, FeedItem, Kudos
from community.follows.models import Follow, FollowStatus
from community.follows.queries import followed

PER_PAGE = 20


@dataclass(frozen=True)
class Page:
    items: list[FeedItem]
    # The id to read on from ("older"), or None at the end.
    before: int | None
    # Read with `after`: more items are newer than these (the page is better reloaded).
    gap: bool = False


def _clubs_of(user_id: int):  # type: ignore[no-untyped-def]
    return select(Membership.club_id).where(Membership.user_id == user_id)


# A runner's id, a parameter, or a column (live.audience asks it of many runners at once).
Viewer = int | ColumnElement[int]


def _share_a_club(viewer_id: Viewer, other: ColumnElement[int]) -> ColumnElement[bool]:
    mine, theirs = aliased(Membership), aliased(Membership)
    return exists().where(
        mine.user_id == viewer_id, theirs.user_id == other, mine.club_id == theirs.club_id
    )


def blocked_with(viewer_id: Viewer, other: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether the viewer blocked `other` or was blocked by them: then neither sees what
    the other wrote."""
    return exists().where(
        or_(
            and_(Block.blocker_id == viewer_id, Block.blocked_id == other),
            and_(Block.blocker_id == other, Block.blocked_id == viewer_id),
        )
    )


def visible_to(viewer_id: Viewer | None) -> ColumnElement[bool]:
    """The condition an item meets when `viewer_id` (None: a visitor) may see it."""
    run = select(Run.visibility).where(Run.id == FeedItem.run_id).scalar_subquery()
    club_is_public = exists().where(Club.id == FeedItem.club_id, Club.visibility == "public")
    if viewer_id is None:
        return and_(
            FeedItem.hidden_at.is_(None),
            or_(FeedItem.run_id.is_(None), run == "public"),
            or_(FeedItem.club_id.is_(None), club_is_public),
        )
    blocked = blocked_with(viewer_id, FeedItem.actor_id)
    member = exists().where(Membership.club_id == FeedItem.club_id, Membership.user_id == viewer_id)
    own = FeedItem.actor_id == viewer_id
    return and_(
        ~blocked,
        or_(FeedItem.hidden_at.is_(None), own),
        or_(
            FeedItem.run_id.is_(None),
            own,
            run == "public",
            and_(run == "members", _share_a_club(viewer_id, FeedItem.actor_id)),
        ),
        or_(FeedItem.club_id.is_(None), club_is_public, member),
    )


# The statements a kudos or a comment runs are built once, with the ids as parameters:
# building the visibility rule took longer than running it (bench/RESULTS.md, "Kudos fan-out").
@cache
def _visible_item() -> Select[tuple[FeedItem]]:
    return select(FeedItem).where(
        FeedItem.id == bindparam("item_id"), visible_to(bindparam("viewer_id", type_=Integer))
    )


@cache
def _visible_ids() -> Select[tuple[int]]:
    return select(FeedItem.id).where(
        FeedItem.id.in_(bindparam("item_ids", expanding=True)),
        visible_to(bindparam("viewer_id", type_=Integer)),
    )


def visible_item(item_id: int, viewer_id: int) -> FeedItem | None:
    """The item, if this runner may see it."""
    return db.session.scalar(_visible_item(), {"item_id": item_id, "viewer_id": viewer_id})


def visible_ids(item_ids: list[int], viewer_id: int) -> list[int]:
    """Those of these items this runner may see."""
    if not item_ids:
        return []
    return list(db.session.scalars(_visible_ids(), {"item_ids": item_ids, "viewer_id": viewer_id}))


def _page(
    selection: ColumnElement[bool],
    viewer_id: int | None,
    before: int | None,
    after: int | None = None,
) -> Page:
    """Newest first, from `before` on; or, with `after`, the items since that one."""
    statement = select(FeedItem).where(selection, visible_to(viewer_id))
    if after is not None:
        statement = statement.where(FeedItem.id > after).order_by(FeedItem.id)
        newer = list(db.session.scalars(statement.limit(PER_PAGE + 1)).unique())
        return Page(newer[:PER_PAGE][::-1], None, gap=len(newer) > PER_PAGE)
    if before is not None:
        statement = statement.where(FeedItem.id < before)
    items = list(
        db.session.scalars(statement.order_by(FeedItem.id.desc()).limit(PER_PAGE + 1)).unique()
    )
    more = len(items) > PER_PAGE
    items = items[:PER_PAGE]
    return Page(items, items[-1].id if more else None)


def home(viewer_id: int, before: int | None = None, after: int | None = None) -> Page:
    """Mine, the runners I follow, the people in my clubs, and my clubs' news."""
    if not _has_network(viewer_id):
        # Newcomers (no club, nobody followed) read their own items by index; the
        # newest-first read below would pass the whole table to find their few.
        return _page(FeedItem.actor_id == viewer_id, viewer_id, before, after)
    co_members = select(Membership.user_id).where(Membership.club_id.in_(_clubs_of(viewer_id)))
    selection = or_(
        # `+ 0`: no index may serve this term, so SQLite cannot answer the OR with a
        # MULTI-INDEX OR (every item of every source, each checked for visibility, then
        # sorted for one page: 1 s for a runner in big clubs among 1,000,000 items,
        # bench/feed_page.py). It reads newest first and stops at the page, as PostgreSQL does.
        FeedItem.actor_id + 0 == viewer_id,
        FeedItem.actor_id.in_(followed(viewer_id)),
        and_(FeedItem.club_id.is_(None), FeedItem.actor_id.in_(co_members)),
        FeedItem.club_id.in_(_clubs_of(viewer_id)),
    )
    return _page(selection, viewer_id, before, after)


def _has_network(viewer_id: int) -> bool:
    someone = (
        select(Membership.id)
        .where(Membership.user_id == viewer_id)
        .union_all(
            select(Follow.id).where(
                Follow.follower_id == viewer_id, Follow.status == FollowStatus.ACCEPTED.value
            )
        )
    )
    return db.session.scalar(select(exists(someone))) or False


# Up to this many members a club's feed reads each member's items by index; a bigger club's
# items are common enough that reading newest first reaches a page sooner. Measured over
# 1,000,000 items and 50,000 runners, the two cross at 30-40 members on both engines
# (bench/RESULTS.md, "Club feeds by club size").
SMALL_CLUB = 30


def club(
    club_id: int, viewer_id: int | None, before: int | None = None, after: int | None = None
) -> Page:
    """The club's news, and its members' runs (the page checks the viewer may see the club)."""
    members = select(Membership.user_id).where(Membership.club_id == club_id)
    few = list(db.session.scalars(members.limit(SMALL_CLUB + 1)))
    if len(few) <= SMALL_CLUB:
        # The ids themselves: PostgreSQL then plans with them and reads by index too.
        of_members = FeedItem.actor_id.in_(few)
    else:
        # `+ 0`, as in home(): SQLite may not read every item of every member by index.
        of_members = (FeedItem.actor_id + 0).in_(members)
    selection = or_(FeedItem.club_id == club_id, and_(FeedItem.run_id.is_not(None), of_members))
    return _page(selection, viewer_id, before, after)


def profile(
    user_id: int, viewer_id: int | None, before: int | None = None, after: int | None = None
) -> Page:
    return _page(FeedItem.actor_id == user_id, viewer_id, before, after)


def shown(item_ids: list[int], viewer_id: int | None) -> list[FeedItem]:
    """Those of these items the viewer may see (still), newest first."""
    if not item_ids:
        return []
    statement = select(FeedItem).where(FeedItem.id.in_(item_ids), visible_to(viewer_id))
    return list(db.session.scalars(statement.order_by(FeedItem.id.desc())).unique())


@dataclass(frozen=True)
class Cheers:
    count: int
    # The first two to cheer, by display name, for "Ana, Ben and 12 others".
    names: list[str]
    mine: bool

    @property
    def others(self) -> int:
        return self.count - len(self.names)

    @property
    def summary(self) -> str:
        """ "Ana gave kudos", "Ana and Ben …", "Ana, Ben and 12 others …"."""
        if not self.count:
            return ""
        if not self.others:
            return f"{' and '.join(self.names)} gave kudos"
        others = f"{self.others} other" + ("" if self.others == 1 else "s")
        return f"{', '.join(self.names)} and {others} gave kudos"


@cache
def _cheers() -> tuple[Select[tuple[int, str, int, int]], Select[tuple[int]]]:
    item_ids = bindparam("item_ids", expanding=True)
    ranked = (
        select(
            Kudos.item_id,
            User.display_name,
            func.row_number()
            .over(partition_by=Kudos.item_id, order_by=(Kudos.created_at, Kudos.id))
            .label("place"),
            func.count().over(partition_by=Kudos.item_id).label("total"),
        )
        .join(User, User.id == Kudos.giver_id)
        .where(Kudos.item_id.in_(item_ids))
        .subquery()
    )
    first_two = select(ranked).where(ranked.c.place <= 2).order_by(ranked.c.item_id, ranked.c.place)
    mine = select(Kudos.item_id).where(
        Kudos.item_id.in_(item_ids), Kudos.giver_id == bindparam("viewer_id")
    )
    return first_two, mine  # type: ignore[return-value]


def cheers_for(item_ids: list[int], viewer_id: int | None) -> dict[int, Cheers]:
    """Kudos on a page of items, in two queries however many items or kudos there are."""
    if not item_ids:
        return {}
    first_two, mine_of = _cheers()
    counts: dict[int, int] = {}
    names: dict[int, list[str]] = {}
    for item_id, name, _place, total in db.session.execute(first_two, {"item_ids": item_ids}):
        counts[item_id] = total
        names.setdefault(item_id, []).append(name)
    mine = (
        set(db.session.scalars(mine_of, {"item_ids": item_ids, "viewer_id": viewer_id}))
        if viewer_id is not None
        else set()
    )
    return {
        item_id: Cheers(counts.get(item_id, 0), names.get(item_id, []), item_id in mine)
        for item_id in item_ids
    }


@dataclass(frozen=True)
class Shown:
    """A comment as a viewer sees it: with whether they may delete it."""

    comment: Comment
    deletable: bool


def clubs_run_by(user_id: int) -> list[int]:
    """The clubs this runner owns or admins (their admins delete comments on club news)."""
    return list(
        db.session.scalars(
            select(Membership.club_id).where(
                Membership.user_id == user_id,
                Membership.role.in_((Role.OWNER.value, Role.ADMIN.value)),
            )
        )
    )


def comments_for(
    items: list[FeedItem], viewer_id: int | None, admin_of: set[int] | None = None
) -> dict[int, list[Shown]]:
    """The comments on a page of items the viewer may see, oldest first, in one query (two
    with a viewer, unless `admin_of`, the clubs the viewer runs, is known already)."""
    found: dict[int, list[Shown]] = {item.id: [] for item in items}
    if not items:
        return found
    by_id = {item.id: item for item in items}
    if admin_of is None:
        admin_of = set(clubs_run_by(viewer_id)) if viewer_id is not None else set()
    # A hidden comment is for its author's eyes only; a block hides either runner's
    # comments from the other.
    shown = Comment.hidden_at.is_(None)
    if viewer_id is not None:
        shown = and_(
            or_(shown, Comment.author_id == viewer_id),
            ~blocked_with(viewer_id, Comment.author_id),
        )
    for comment in db.session.scalars(
        select(Comment).where(Comment.item_id.in_(by_id), shown).order_by(Comment.id)
    ).unique():
        item = by_id[comment.item_id]
        deletable = viewer_id is not None and comment.deletable_by(viewer_id, item, admin_of)
        found[comment.item_id].append(Shown(comment, deletable))
    return found
