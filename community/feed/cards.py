"""Feed cards: one feed item with everything its card shows (its runner, its run, its kudos
with the first faces, its comments) and what the viewer may do with it, built for a whole
page in a fixed number of statements, so that templates only render."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, Select, and_, bindparam, case, func, or_, select

from community.accounts.models import User
from community.clubs.queries import clubs_run_by
from community.extensions import db
from community.feed.models import Comment, FeedItem, ItemKind, Kudos
from community.feed.visibility import blocked_with


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    display_name: str
    # Their picture's key (users.avatar_key), None without one: initials are drawn instead.
    avatar_key: str | None = None

    @classmethod
    def of(cls, user: User) -> "Person":
        return cls(user.id, user.username, user.display_name, user.avatar_key)


# Faces shown beside a kudos count; the sentence names the first two.
FACES = 3


@dataclass(frozen=True)
class Cheers:
    count: int
    # The first to cheer (up to FACES), for faces and "Ana, Ben and 12 others".
    givers: tuple[Person, ...]
    mine: bool

    @property
    def names(self) -> list[str]:
        return [giver.display_name for giver in self.givers[:2]]

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


@dataclass(frozen=True)
class CommentCard:
    id: int
    author: Person
    body: str
    created_at: datetime
    edited: bool
    # Hidden by admins: shown to its author alone, with a badge.
    hidden: bool
    by_viewer: bool
    may_delete: bool
    may_report: bool


@dataclass(frozen=True)
class RunFacts:
    id: int
    title: str
    start_time: datetime
    distance_m: float
    duration_s: float


@dataclass(frozen=True)
class ClubRef:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class Card:
    """One feed item with everything its card shows, and what the viewer may do with it."""

    id: int
    kind: str
    actor: Person
    created_at: datetime
    title: str
    body: str
    pinned: bool
    hidden: bool
    route: str | None
    run: RunFacts | None
    club: ClubRef | None
    challenge_id: int | None
    group_run_id: int | None
    kudos: Cheers
    comments: tuple[CommentCard, ...]
    # Cheer and report: a logged-in runner, on somebody else's item.
    may_cheer: bool
    # Pin, unpin and delete: a post of a club the viewer runs.
    may_manage: bool
    # A club goal's distance, on the item that says the club reached it.
    goal_m: float | None = None


@dataclass(frozen=True)
class Pinned:
    id: int
    author: Person
    body: str
    created_at: datetime


@dataclass(frozen=True)
class FeedPage:
    cards: tuple[Card, ...]
    # The id to read on from ("older"), or None at the end.
    before: int | None
    pinned: tuple[Pinned, ...] = ()

    @property
    def newest(self) -> int:
        return self.cards[0].id if self.cards else 0


@cache
def _cheers() -> Select[tuple[int, int, str, str, int, int, int]]:
    item_ids = bindparam("item_ids", expanding=True)
    by_item = Kudos.item_id
    ranked = (
        select(
            Kudos.item_id,
            User.id.label("user_id"),
            User.username,
            User.display_name,
            User.avatar_key,
            func.row_number()
            .over(partition_by=by_item, order_by=(Kudos.created_at, Kudos.id))
            .label("place"),
            func.count().over(partition_by=by_item).label("total"),
            # Whether the viewer is among them, wherever they are in the order.
            func.max(case((Kudos.giver_id == bindparam("viewer_id", type_=Integer), 1), else_=0))
            .over(partition_by=by_item)
            .label("mine"),
        )
        .join(User, User.id == Kudos.giver_id)
        .where(Kudos.item_id.in_(item_ids))
        .subquery()
    )
    return (
        select(ranked)
        .where(ranked.c.place <= FACES)
        .order_by(  # type: ignore[return-value]
            ranked.c.item_id, ranked.c.place
        )
    )


def cheers_for(item_ids: list[int], viewer_id: int | None) -> dict[int, Cheers]:
    """Kudos on a page of items, in one statement however many items or kudos there are."""
    if not item_ids:
        return {}
    counts: dict[int, int] = {}
    givers: dict[int, list[Person]] = {}
    mine: set[int] = set()
    values = {"item_ids": item_ids, "viewer_id": viewer_id}
    for item_id, user_id, username, name, key, _place, total, by_viewer in db.session.execute(
        _cheers(), values
    ):
        counts[item_id] = total
        givers.setdefault(item_id, []).append(Person(user_id, username, name, key))
        if by_viewer:
            mine.add(item_id)
    return {
        item_id: Cheers(counts.get(item_id, 0), tuple(givers.get(item_id, ())), item_id in mine)
        for item_id in item_ids
    }


@cache
def _comments_on(signed_in: bool) -> Select[tuple[Comment]]:
    # A hidden comment is for its author's eyes only; a block hides either runner's
    # comments from the other.
    shown = Comment.hidden_at.is_(None)
    if signed_in:
        viewer = bindparam("viewer_id", type_=Integer)
        shown = and_(
            or_(shown, Comment.author_id == viewer), ~blocked_with(viewer, Comment.author_id)
        )
    item_ids = bindparam("item_ids", expanding=True)
    return select(Comment).where(Comment.item_id.in_(item_ids), shown).order_by(Comment.id)


def _comments(
    items: Sequence[FeedItem], viewer_id: int | None, admin_of: set[int]
) -> dict[int, list[CommentCard]]:
    """The comments on these items the viewer may see, oldest first, in one statement."""
    found: dict[int, list[CommentCard]] = {item.id: [] for item in items}
    by_id = {item.id: item for item in items}
    values = {"item_ids": list(by_id), "viewer_id": viewer_id}
    for comment in db.session.scalars(_comments_on(viewer_id is not None), values).unique():
        item = by_id[comment.item_id]
        by_viewer = comment.author_id == viewer_id
        found[item.id].append(
            CommentCard(
                id=comment.id,
                author=Person.of(comment.author),
                body=comment.body,
                created_at=comment.created_at,
                edited=comment.edited_at is not None,
                hidden=comment.hidden_at is not None,
                by_viewer=by_viewer,
                may_delete=viewer_id is not None
                and comment.deletable_by(viewer_id, item, admin_of),
                may_report=viewer_id is not None and not by_viewer,
            )
        )
    return found


def _card(
    item: FeedItem,
    kudos: Cheers,
    comments: list[CommentCard],
    viewer_id: int | None,
    admin_of: set[int],
) -> Card:
    run, club = item.run, item.club
    return Card(
        id=item.id,
        kind=item.kind,
        actor=Person.of(item.actor),
        created_at=item.created_at,
        title=item.title,
        body=item.body,
        pinned=item.pinned,
        hidden=item.hidden_at is not None,
        route=item.route,
        run=RunFacts(run.id, run.title, run.start_time, run.distance_m, run.duration_s)
        if run is not None
        else None,
        club=ClubRef(club.id, club.slug, club.name) if club is not None else None,
        challenge_id=item.challenge_id,
        group_run_id=item.group_run_id,
        kudos=kudos,
        comments=tuple(comments),
        may_cheer=viewer_id is not None and viewer_id != item.actor_id,
        may_manage=item.kind == ItemKind.POST.value and item.club_id in admin_of,
        goal_m=item.challenge.goal
        if item.kind == ItemKind.CLUB_GOAL.value and item.challenge is not None
        else None,
    )


def _clubs_run_among(items: Sequence[FeedItem], viewer_id: int | None) -> set[int]:
    """The clubs of these items that the viewer owns or admins: read with the items by the
    feed's queries, or else looked up."""
    if viewer_id is None:
        return set()
    if any(item.viewer_runs_club is None for item in items):
        return set(clubs_run_by(viewer_id))
    return {item.club_id for item in items if item.viewer_runs_club and item.club_id}


def cards(items: Sequence[FeedItem], viewer_id: int | None) -> tuple[Card, ...]:
    """The cards of these items as the viewer sees them: two statements (kudos, comments),
    whatever the number of items."""
    if not items:
        return ()
    kudos = cheers_for([item.id for item in items], viewer_id)
    admin_of = _clubs_run_among(items, viewer_id)
    comments = _comments(items, viewer_id, admin_of)
    return tuple(
        _card(item, kudos[item.id], comments[item.id], viewer_id, admin_of) for item in items
    )
