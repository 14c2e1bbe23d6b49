"""Who may see a feed item: one rule for every feed, live event, kudos and comment.

- a run item follows the run's visibility: public, "members" (someone in a club with the
  runner), private (the runner alone);
- a club item is for the club's members, or everyone when the club is public;
- nothing of a runner someone blocked, or who blocked them, reaches them;
- an item hidden by admins is its runner's alone.
"""

from functools import cache

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import aliased

from community.accounts.models import Block
from community.activities.models import Run
from community.clubs.models import Club, Membership
from community.extensions import db
from community.feed.models import FeedItem

# A runner's id, a parameter, or a column (live.audience asks it of many runners at once).
Viewer = int | ColumnElement[int]


# Made once: an alias costs more to make than the rest of the rule.
_MINE, _THEIRS = aliased(Membership), aliased(Membership)


def _share_a_club(viewer_id: Viewer, other: ColumnElement[int]) -> ColumnElement[bool]:
    return exists().where(
        _MINE.user_id == viewer_id, _THEIRS.user_id == other, _MINE.club_id == _THEIRS.club_id
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
