"""Read-only queries for challenge pages and boards.

Board order: score (higher first; a fastest effort stores minus its seconds), then who
reached that score first, then entry id. Ranks are competition ranks: equal scores share a
rank and the next rank skips (1, 2, 2, 4). Every query reads the stored standings through
`ix_challenge_entries_board`; none sums runs. The entrants ahead of a score come from the
challenge's score histogram (histogram.py) on the live public board.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    Float,
    Select,
    bindparam,
    false,
    func,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased

from community.accounts.models import User
from community.challenges import histogram, rules
from community.challenges.models import Challenge, ChallengeEntry
from community.clubs.models import Club, Membership
from community.db_types import UTCDateTime
from community.extensions import db
from community.follows.queries import followed

PER_PAGE = 50
NEIGHBOURS = 2

# How many visible rows have a higher score than this one.
Ahead = Callable[[float], int]


@dataclass(frozen=True)
class Standings:
    """The columns a board reads: the live ones, or the snapshot taken when it froze."""

    score: InstrumentedAttribute[float | None]
    reached_at: InstrumentedAttribute[datetime | None]
    total: InstrumentedAttribute[float | None]


LIVE = Standings(ChallengeEntry.score, ChallengeEntry.reached_at, ChallengeEntry.total)  # type: ignore[arg-type]
FROZEN = Standings(
    ChallengeEntry.frozen_score, ChallengeEntry.frozen_reached_at, ChallengeEntry.frozen_total
)


@dataclass(frozen=True, slots=True)
class Entrant:
    """One board row's data, read as plain columns (no ORM objects for 50 rows a page)."""

    id: int
    user_id: int
    username: str
    display_name: str
    avatar_key: str | None
    hidden: bool
    completed_at: datetime | None
    # From the board's columns: the live standing, or the frozen one during a freeze.
    score: float | None
    reached_at: datetime
    total: float | None


@dataclass(frozen=True)
class Row:
    rank: int
    entry: Entrant

    @property
    def total(self) -> float | None:
        return self.entry.total


@dataclass(frozen=True)
class Board:
    rows: list[Row]
    page: int
    # Whether a lower page exists (found by reading one row more, not by counting them all).
    has_next: bool


@dataclass(frozen=True)
class MyStanding:
    entry: Entrant
    rank: int | None
    # A few rows either side of the runner, ranks included.
    around: list[Row]


def standings_for(challenge: Challenge, now: datetime) -> Standings:
    """During a freeze the board shows the snapshot (once one was taken)."""
    if challenge.is_frozen_at(now) and challenge.frozen_at is not None:
        return FROZEN
    return LIVE


def _entrants(cols: Standings, *conditions: object) -> Select:
    return (
        select(
            ChallengeEntry.id,
            ChallengeEntry.user_id,
            User.username,
            User.display_name,
            User.avatar_key,
            ChallengeEntry.hidden,
            ChallengeEntry.completed_at,
            cols.score,
            cols.reached_at,
            cols.total,
        )
        .join(User, User.id == ChallengeEntry.user_id)
        .where(*conditions)
    )


def _connection() -> Connection:
    # Plain Core on the session's connection: no ORM objects to build for board rows. Core
    # does not autoflush, so this transaction's own changes are flushed first.
    db.session.flush()
    return db.session.connection()


def _read(statement: Select) -> list[Entrant]:
    return [Entrant(*row) for row in _connection().execute(statement)]


def _visible(challenge_id: object, viewer_id: object, scope: str, cols: Standings) -> list:
    """The conditions that pick the rows a viewer's board is made of."""
    conditions = [
        ChallengeEntry.challenge_id == challenge_id,
        ChallengeEntry.hidden.is_(False),
        cols.score.is_not(None),
    ]
    if scope == "clubs" and viewer_id is not None:
        mine = aliased(Membership)
        theirs = aliased(Membership)
        conditions.append(
            ChallengeEntry.user_id.in_(
                select(theirs.user_id)
                .join(mine, mine.club_id == theirs.club_id)
                .where(mine.user_id == viewer_id)
            )
        )
    if scope == "following" and viewer_id is not None:
        # The runners I follow, and me.
        conditions.append(
            or_(
                ChallengeEntry.user_id == viewer_id, ChallengeEntry.user_id.in_(followed(viewer_id))
            )
        )
    return conditions


def _ordered(statement: Select, cols: Standings) -> Select:
    return statement.order_by(cols.score.desc(), cols.reached_at, ChallengeEntry.id)


def _count(*conditions: object) -> int:
    return (
        db.session.scalar(select(func.count()).select_from(ChallengeEntry).where(*conditions)) or 0
    )


def _counter(challenge_id: int, viewer_id: int | None, scope: str, cols: Standings) -> Ahead:
    """How to count the rows ahead of a score on this board.

    The live public board keeps a score histogram (histogram.py); a club filter or a frozen
    snapshot counts the entries themselves.
    """
    if cols is LIVE and scope == "all":
        return lambda score: histogram.ahead(challenge_id, score)
    conditions = _visible(challenge_id, viewer_id, scope, cols)
    return lambda score: _count(*conditions, cols.score > score)


def _ranked(
    ahead: Ahead, entrants: list[Entrant], first_position: int, first_rank: int | None = None
) -> list[Row]:
    """Competition ranks for consecutive rows in board order, the first at `first_position`.

    A row whose score differs from the row before it has only higher scores ahead of it, so
    its rank is its position; only the first row may share a rank with rows not listed
    (counted here unless the caller knows it).
    """
    rows: list[Row] = []
    for index, entrant in enumerate(entrants):
        if rows and rows[-1].entry.score == entrant.score:
            rank = rows[-1].rank
        elif index == 0:
            rank = first_rank or 1 + ahead(entrant.score or 0.0)
        else:
            rank = first_position + index
        rows.append(Row(rank, entrant))
    return rows


def board(
    challenge: Challenge,
    viewer_id: int | None,
    page: int = 1,
    *,
    scope: str = "all",
    cols: Standings = LIVE,
) -> Board:
    """One page of the public board: an index range, never a count of the whole board."""
    conditions = _visible(challenge.id, viewer_id, scope, cols)
    page = max(page, 1)
    entrants = _read(
        _ordered(_entrants(cols, *conditions), cols)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    )
    # Nobody is ahead of the first row of the first page.
    first_rank = 1 if page == 1 else None
    ahead = _counter(challenge.id, viewer_id, scope, cols)
    rows = _ranked(ahead, entrants[:PER_PAGE], (page - 1) * PER_PAGE + 1, first_rank)
    return Board(rows, page, has_next=len(entrants) > PER_PAGE)


@dataclass(frozen=True)
class _AroundStatements:
    """`my_standing`'s statements, built once per kind of board (their values are bound)."""

    me: Select
    neighbours: CompoundSelect
    ties_before: Select


@functools.cache
def _around_statements(frozen: bool, scope: str) -> _AroundStatements:
    # Building a statement costs more Python than running it: these are built once.
    cols = FROZEN if frozen else LIVE
    conditions = _visible(bindparam("challenge_id"), bindparam("viewer_id"), scope, cols)
    score = bindparam("score", type_=Float())
    tie = tuple_(cols.reached_at, ChallengeEntry.id)
    mine = tuple_(bindparam("reached", type_=UTCDateTime()), bindparam("entry_id"))
    earlier = (cols.reached_at, ChallengeEntry.id)
    later = (cols.reached_at.desc(), ChallengeEntry.id.desc())

    def part(*where: object, order: tuple) -> Select:
        nearest = _entrants(cols, *conditions, *where).order_by(*order).limit(NEIGHBOURS)
        return select(nearest.subquery())

    return _AroundStatements(
        me=_entrants(
            cols,
            ChallengeEntry.challenge_id == bindparam("challenge_id"),
            ChallengeEntry.user_id == bindparam("viewer_id"),
        ),
        # The nearest rows either side of the runner's key, as four short index ranges:
        # equal scores before and after, then higher and lower scores.
        neighbours=union_all(
            part(cols.score == score, tie < mine, order=(*later,)),
            part(cols.score > score, order=(cols.score, *later)),
            part(cols.score == score, tie > mine, order=(*earlier,)),
            part(cols.score < score, order=(cols.score.desc(), *earlier)),
        ),
        ties_before=select(func.count()).where(*conditions, cols.score == score, tie < mine),
    )


def _board_key(entrant: Entrant) -> tuple:
    return (-(entrant.score or 0.0), entrant.reached_at, entrant.id)


def my_standing(
    challenge: Challenge, user_id: int, *, scope: str = "all", cols: Standings = LIVE
) -> MyStanding | None:
    """The viewer's own row with their rank and neighbours, hidden or not (no rank and no
    neighbours where the rules rank nobody: a club goal).

    The entries ahead come from the histogram (or one count, off the live public board);
    the neighbours are index ranges next to the runner's key, and their ranks come from
    counts of equal scores only.
    """
    statements = _around_statements(cols is FROZEN, scope)
    connection = _connection()
    params: dict[str, Any] = {"challenge_id": challenge.id, "viewer_id": user_id}
    found = [Entrant(*row) for row in connection.execute(statements.me, params)]
    if not found:
        return None
    me = found[0]
    # The runner sees their own live standing, even while the board shows the snapshot.
    entry = me if cols is LIVE else _read(_entrants(LIVE, ChallengeEntry.id == me.id))[0]
    score = me.score
    if score is None or not rules.is_ranked(challenge):
        return MyStanding(entry, None, [])
    ahead_of = _counter(challenge.id, user_id, scope, cols)
    ahead = ahead_of(score)
    params.update(score=score, reached=me.reached_at, entry_id=me.id)
    near = sorted(
        (Entrant(*row) for row in connection.execute(statements.neighbours, params)),
        key=_board_key,
    )
    mine = _board_key(me)
    above = [row for row in near if _board_key(row) < mine][-NEIGHBOURS:]
    below = [row for row in near if _board_key(row) > mine][:NEIGHBOURS]
    ties = sum(1 for row in above if row.score == score)
    # Fewer ties before me than neighbours wanted: those are all of them.
    ties_before = (
        ties if ties < NEIGHBOURS else connection.execute(statements.ties_before, params).scalar()
    )
    # Ranks are worked out over the visible rows; a hidden runner is slotted in afterwards
    # with the rank they would have, so they push nobody down.
    listed = [*above, *([] if me.hidden else [me]), *below]
    if not listed:
        return MyStanding(entry, ahead + 1, [Row(ahead + 1, me)])
    first_position = ahead + (ties_before or 0) + 1 - len(above)
    top = listed[0].score or 0.0
    first_rank = ahead + 1 if top == score else 1 + ahead_of(top)
    rows = _ranked(ahead_of, listed, first_position, first_rank)
    if me.hidden:
        rows.insert(len(above), Row(ahead + 1, me))
    return MyStanding(entry, ahead + 1, rows)


def visible_to(user_id: int | None) -> ColumnElement[bool]:
    """The challenges a viewer may see: the site's, public clubs', and their own clubs'
    (the statement joins Club on the challenge's club)."""
    member_of = select(Membership.club_id).where(Membership.user_id == user_id)
    return or_(
        Challenge.club_id.is_(None),
        Club.visibility == "public",
        Challenge.club_id.in_(member_of) if user_id is not None else false(),
    )


def challenges_for(
    user_id: int | None, *, now: datetime, club_id: int | None = None, past: bool = False
) -> list[Challenge]:
    """Challenges a viewer may see: the site's, public clubs', and their own clubs'."""
    statement = (
        select(Challenge).outerjoin(Club, Club.id == Challenge.club_id).where(visible_to(user_id))
    )
    if club_id is not None:
        statement = statement.where(Challenge.club_id == club_id)
    if past:
        statement = statement.where(Challenge.ends_at <= now).order_by(Challenge.ends_at.desc())
    else:
        statement = statement.where(Challenge.ends_at > now).order_by(Challenge.starts_at)
    return list(db.session.scalars(statement.limit(100)))


def entries_of(user_id: int, challenge_ids: list[int]) -> dict[int, ChallengeEntry]:
    if not challenge_ids:
        return {}
    entries = db.session.scalars(
        select(ChallengeEntry).where(
            ChallengeEntry.user_id == user_id, ChallengeEntry.challenge_id.in_(challenge_ids)
        )
    )
    return {entry.challenge_id: entry for entry in entries}
