"""Feed cards: one feed item with everything its card shows (its runner, its run, its kudos
with the first faces, its comments) and what the viewer may do with it, built for a whole
page in a fixed number of statements, so that templates only render."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import (
    CompoundSelect,
    Integer,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from community.accounts.models import User
from community.clubs.queries import clubs_run_by
from community.extensions import db
from community.feed.models import Comment, FeedItem, ItemKind, Kudos
from community.feed.visibility import blocked_with
from community.milestones.badges import BADGES


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

    @property
    def badge_images(self) -> list[str]:
        """The badges of the milestones a run earned (its item's body lists their kinds)."""
        if self.kind != ItemKind.RUN.value or not self.body:
            return []
        return [BADGES[kind].image for kind in self.body.split() if kind in BADGES]


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


def _ranked_kudos() -> Subquery:
    """Each kudos on the items `item_ids`, with its place among the item's, their number and
    whether the viewer gave one, wherever in the order."""
    by_item = Kudos.item_id
    return (
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
            func.max(case((Kudos.giver_id == VIEWER, 1), else_=0))
            .over(partition_by=by_item)
            .label("mine"),
        )
        .join(User, User.id == Kudos.giver_id)
        .where(Kudos.item_id.in_(bindparam("item_ids", expanding=True)))
        .subquery()
    )


VIEWER = bindparam("viewer_id", type_=Integer)


@cache
def _cheers() -> Select[tuple[int, int, str, str, str | None, int, int, int]]:
    ranked = _ranked_kudos()
    return select(ranked).where(ranked.c.place <= FACES).order_by(ranked.c.item_id, ranked.c.place)


class _Cheering:
    """Kudos rows read in, item by item, into `Cheers`."""

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}
        self.givers: dict[int, list[Person]] = {}
        self.mine: set[int] = set()

    def add(self, item_id: int, giver: Person, total: int, by_viewer: bool) -> None:
        self.counts[item_id] = total
        self.givers.setdefault(item_id, []).append(giver)
        if by_viewer:
            self.mine.add(item_id)

    def of(self, item_ids: Iterable[int]) -> dict[int, Cheers]:
        return {
            item_id: Cheers(
                self.counts.get(item_id, 0),
                tuple(self.givers.get(item_id, ())),
                item_id in self.mine,
            )
            for item_id in item_ids
        }


def cheers_for(item_ids: list[int], viewer_id: int | None) -> dict[int, Cheers]:
    """Kudos on a page of items, in one statement however many items or kudos there are."""
    if not item_ids:
        return {}
    cheering = _Cheering()
    values = {"item_ids": item_ids, "viewer_id": viewer_id}
    for item_id, user_id, username, name, key, _place, total, mine in db.session.execute(
        _cheers(), values
    ):
        cheering.add(item_id, Person(user_id, username, name, key), total, bool(mine))
    return cheering.of(item_ids)


@cache
def _reactions(signed_in: bool) -> CompoundSelect:
    """The comments on the items `item_ids` the viewer may see, oldest first, and their
    kudos with the first FACES givers: one statement for a page's cards. A row is a comment
    (its id in `number`) or a kudos (its place in `number`, with `total` and `mine`)."""
    # A hidden comment is for its author's eyes only; a block hides either runner's
    # comments from the other.
    shown = Comment.hidden_at.is_(None)
    if signed_in:
        shown = and_(
            or_(shown, Comment.author_id == VIEWER), ~blocked_with(VIEWER, Comment.author_id)
        )
    # The comments come first: a union's columns take their types from its first select.
    comments = (
        select(
            literal("comment").label("kind"),
            Comment.item_id,
            User.id.label("user_id"),
            User.username,
            User.display_name,
            User.avatar_key,
            Comment.id.label("number"),
            null().label("total"),
            null().label("mine"),
            Comment.body,
            Comment.created_at,
            Comment.edited_at,
            Comment.hidden_at,
        )
        .join(User, User.id == Comment.author_id)
        .where(Comment.item_id.in_(bindparam("item_ids", expanding=True)), shown)
    )
    ranked = _ranked_kudos()
    kudos = select(
        literal("kudos"),
        ranked.c.item_id,
        ranked.c.user_id,
        ranked.c.username,
        ranked.c.display_name,
        ranked.c.avatar_key,
        ranked.c.place,
        ranked.c.total,
        ranked.c.mine,
        null(),
        null(),
        null(),
        null(),
    ).where(ranked.c.place <= FACES)
    both = union_all(comments, kudos)
    return both.order_by(both.selected_columns.item_id, both.selected_columns.number)


@dataclass(frozen=True)
class _Reactions:
    kudos: dict[int, Cheers]
    comments: dict[int, list[CommentCard]]


def _reactions_to(
    items: Sequence[FeedItem], viewer_id: int | None, admin_of: set[int]
) -> _Reactions:
    """The kudos and the comments of these items as the viewer sees them, in one statement."""
    by_id = {item.id: item for item in items}
    cheering = _Cheering()
    comments: dict[int, list[CommentCard]] = {item_id: [] for item_id in by_id}
    values = {"item_ids": list(by_id), "viewer_id": viewer_id}
    for row in db.session.execute(_reactions(viewer_id is not None), values):
        person = Person(row.user_id, row.username, row.display_name, row.avatar_key)
        if row.kind == "kudos":
            cheering.add(row.item_id, person, row.total, bool(row.mine))
            continue
        by_viewer = row.user_id == viewer_id
        item = by_id[row.item_id]
        comments[row.item_id].append(
            CommentCard(
                id=row.number,
                author=person,
                body=row.body,
                created_at=row.created_at,
                edited=row.edited_at is not None,
                hidden=row.hidden_at is not None,
                by_viewer=by_viewer,
                may_delete=viewer_id is not None
                and Comment.may_delete(viewer_id, row.user_id, item, admin_of),
                may_report=viewer_id is not None and not by_viewer,
            )
        )
    return _Reactions(cheering.of(by_id), comments)


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
    """The cards of these items as the viewer sees them: one statement (their kudos and
    comments), whatever the number of items."""
    if not items:
        return ()
    admin_of = _clubs_run_among(items, viewer_id)
    reactions = _reactions_to(items, viewer_id, admin_of)
    return tuple(
        _card(item, reactions.kudos[item.id], reactions.comments[item.id], viewer_id, admin_of)
        for item in items
    )
