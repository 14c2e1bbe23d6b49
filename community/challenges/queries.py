"""Read-only queries for challenge pages and boards.

Board order: score (higher first; a fastest effort stores minus its seconds), then who
reached that score first, then entry id. Ranks are competition ranks: equal scores share a
rank and the next rank skips (1, 2, 2, 4). Every query reads the stored standings through
`ix_challenge_entries_board`; none sums runs. The entrants ahead of a score come from the
challenge's score histogram (histogram.py) on the live public board.
"""

import functools
import math
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
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased, contains_eager

from community.accounts.models import User
from community.challenges import club_boards, histogram, rules
from community.challenges.models import Challenge, ChallengeEntry, ChallengeKind, MonthlySeries
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


def _visible_to(user_id: int | None) -> ColumnElement[bool]:
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
        select(Challenge).outerjoin(Club, Club.id == Challenge.club_id).where(_visible_to(user_id))
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


# Page models: what the dashboard, a club page and a profile show of challenges. Each is
# read in a fixed number of statements, whatever the number of challenges or entrants, by
# the view of the page (templates only render them).


@dataclass(frozen=True)
class MyChallenge:
    """A running challenge on the runner's dashboard."""

    challenge: Challenge
    # What its goal is measured against (rules.goal_total), formatted in the runner's units.
    total: str
    goal: str | None
    progress: rules.Progress | None
    # A club goal: the total is the club's, run together.
    together: bool
    # Whole days until it ends, today counted while any of it is left.
    days_left: int
    # The runner's place on the board (where a hidden runner would be); None: no score
    # yet, or a club goal, which ranks nobody.
    rank: int | None = None


@functools.cache
def _running_entries() -> Select:
    others = aliased(ChallengeEntry)
    # A club goal's total is every entrant's, summed, read alongside.
    club_total = case(
        (
            Challenge.kind == ChallengeKind.CLUB_GOAL.value,
            select(func.coalesce(func.sum(others.total), 0.0))
            .where(others.challenge_id == ChallengeEntry.challenge_id)
            .scalar_subquery(),
        )
    )
    return (
        select(ChallengeEntry, club_total)
        .join(ChallengeEntry.challenge)
        .options(contains_eager(ChallengeEntry.challenge))
        .where(
            ChallengeEntry.user_id == bindparam("user_id"),
            Challenge.ends_at > bindparam("now", type_=UTCDateTime()),
        )
        .order_by(Challenge.ends_at, Challenge.id)
        .limit(20)
    )


def dashboard_challenges(user_id: int, units: str, now: datetime) -> list[MyChallenge]:
    """The runner's challenges still running, ending soonest first (two statements: the
    entries with their club goals' totals, and the ranks)."""
    values = {"user_id": user_id, "now": now}
    rows = db.session.execute(_running_entries(), values).all()
    entries = [entry for entry, _ in rows]
    together = {entry.challenge_id: float(total) for entry, total in rows if total is not None}
    # Ranks on the live board, from its histogram, as `my_standing` counts them.
    ahead = histogram.ahead_of_each(
        {
            e.challenge_id: e.score
            for e in entries
            if e.score is not None and rules.is_ranked(e.challenge)
        }
    )
    shown = []
    for entry in entries:
        challenge = entry.challenge
        total = rules.goal_total(challenge, entry.total, together.get(challenge.id))
        shown.append(
            MyChallenge(
                challenge,
                rules.format_total(challenge, total, units),
                rules.format_total(challenge, challenge.goal, units) if challenge.goal else None,
                rules.progress(challenge, total, now),
                challenge.is_cooperative,
                math.ceil((challenge.ends_at - now).total_seconds() / 86_400),
                ahead[challenge.id] + 1 if challenge.id in ahead else None,
            )
        )
    return shown


@dataclass(frozen=True)
class ClubChallenges:
    """A club page's challenge slots."""

    # This week's distance board, top five.
    week: list[club_boards.BoardRow]
    current: list[Challenge]
    # The club's monthly distance challenge setting (None: never switched on).
    monthly: MonthlySeries | None


def club_page(club: Club, viewer_id: int | None, now: datetime) -> ClubChallenges:
    """What a club page shows of challenges (the page has checked the viewer may see the
    club, so every challenge of the club): two statements."""
    # The monthly setting rides along with the club's current challenges (one row per
    # challenge, or a single row without one).
    rows = db.session.execute(
        select(MonthlySeries, Challenge)
        .select_from(Club)
        .outerjoin(MonthlySeries, MonthlySeries.club_id == Club.id)
        .outerjoin(Challenge, and_(Challenge.club_id == Club.id, Challenge.ends_at > now))
        .where(Club.id == club.id)
        .order_by(Challenge.starts_at, Challenge.id)
        .limit(100)
    ).all()
    return ClubChallenges(
        week=club_boards.weekly(club, now, top=5),
        current=[challenge for _, challenge in rows if challenge is not None],
        monthly=rows[0][0] if rows else None,
    )


@dataclass(frozen=True)
class Badge:
    challenge_id: int
    title: str
    completed_at: datetime


def badges_for(user_id: int, viewer_id: int | None) -> list[Badge]:
    """The challenges the runner completed that the viewer may see, newest first: the
    badges on their profile (one statement)."""
    rows = db.session.execute(
        select(ChallengeEntry.challenge_id, Challenge.title, ChallengeEntry.completed_at)
        .join(Challenge, Challenge.id == ChallengeEntry.challenge_id)
        .outerjoin(Club, Club.id == Challenge.club_id)
        .where(
            ChallengeEntry.user_id == user_id,
            ChallengeEntry.completed_at.is_not(None),
            _visible_to(viewer_id),
        )
        .order_by(ChallengeEntry.completed_at.desc())
        .limit(50)
    )
    return [Badge(*row) for row in rows]
