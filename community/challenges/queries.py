"""Read-only queries for challenge pages and boards.

Board order: score (higher first; a fastest effort stores minus its seconds), then who
reached that score first, then entry id. Ranks are competition ranks: equal scores share a
rank and the next rank skips (1, 2, 2, 4). Every query reads the stored standings through
`ix_challenge_entries_board`; none sums runs. Nothing here is cached: "my rank" is per viewer.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, aliased

from community.challenges.models import Challenge, ChallengeEntry
from community.clubs.models import Club, Membership
from community.extensions import db

PER_PAGE = 50
NEIGHBOURS = 2


@dataclass(frozen=True)
class Standings:
    """The columns a board reads: the live ones, or the snapshot taken when it froze."""

    score: InstrumentedAttribute[float | None]
    reached_at: InstrumentedAttribute[datetime | None]
    total: InstrumentedAttribute[float | None]

    def of(self, entry: ChallengeEntry) -> tuple[float | None, datetime | None, float | None]:
        return tuple(getattr(entry, c.key) for c in (self.score, self.reached_at, self.total))  # type: ignore[return-value]


LIVE = Standings(ChallengeEntry.score, ChallengeEntry.reached_at, ChallengeEntry.total)  # type: ignore[arg-type]
FROZEN = Standings(
    ChallengeEntry.frozen_score, ChallengeEntry.frozen_reached_at, ChallengeEntry.frozen_total
)


@dataclass(frozen=True)
class Row:
    rank: int
    entry: ChallengeEntry
    # What the board shows: the live total, or the frozen one during a freeze.
    total: float | None


@dataclass(frozen=True)
class Board:
    rows: list[Row]
    page: int
    # Whether a lower page exists (found by reading one row more, not by counting them all).
    has_next: bool


@dataclass(frozen=True)
class MyStanding:
    entry: ChallengeEntry
    rank: int | None
    # A few rows either side of the runner, ranks included.
    around: list[Row]


def standings_for(challenge: Challenge, now: datetime) -> Standings:
    """During a freeze the board shows the snapshot (once one was taken)."""
    if challenge.is_frozen_at(now) and challenge.frozen_at is not None:
        return FROZEN
    return LIVE


def _visible(challenge_id: int, viewer_id: int | None, scope: str, cols: Standings) -> list:
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
    return conditions


def _ordered(statement: Select, cols: Standings) -> Select:
    return statement.order_by(cols.score.desc(), cols.reached_at, ChallengeEntry.id)


def _rank_of_score(conditions: list, cols: Standings, score: float) -> int:
    ahead = db.session.scalar(
        select(func.count()).select_from(ChallengeEntry).where(*conditions, cols.score > score)
    )
    return (ahead or 0) + 1


def _ranked(
    conditions: list,
    cols: Standings,
    entries: list[ChallengeEntry],
    first_position: int,
    first_rank: int | None = None,
) -> list[Row]:
    """Competition ranks for consecutive rows in board order, the first at `first_position`.

    A row whose score differs from the row before it has only higher scores ahead of it, so
    its rank is its position; only the first row may share a rank with rows not listed
    (counted here unless the caller knows it).
    """
    rows: list[Row] = []
    previous: float | None = None
    for index, entry in enumerate(entries):
        score, _, total = cols.of(entry)
        if rows and previous == score:
            rank = rows[-1].rank
        elif index == 0:
            rank = first_rank or _rank_of_score(conditions, cols, score or 0.0)
        else:
            rank = first_position + index
        rows.append(Row(rank, entry, total))
        previous = score
    return rows


def entrant_counts(challenge_ids: list[int]) -> dict[int, int]:
    """Entrants per challenge, for lists of challenges, in one query."""
    if not challenge_ids:
        return {}
    rows = db.session.execute(
        select(ChallengeEntry.challenge_id, func.count())
        .where(ChallengeEntry.challenge_id.in_(challenge_ids))
        .group_by(ChallengeEntry.challenge_id)
    )
    found = {challenge_id: count for challenge_id, count in rows}
    return {challenge_id: found.get(challenge_id, 0) for challenge_id in challenge_ids}


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
    entries = list(
        db.session.scalars(
            _ordered(select(ChallengeEntry).where(*conditions), cols)
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE + 1)
        )
    )
    rows = _ranked(conditions, cols, entries[:PER_PAGE], (page - 1) * PER_PAGE + 1)
    return Board(rows, page, has_next=len(entries) > PER_PAGE)


def _count(*conditions: object) -> int:
    return (
        db.session.scalar(select(func.count()).select_from(ChallengeEntry).where(*conditions)) or 0
    )


def my_standing(
    challenge: Challenge, user_id: int, *, scope: str = "all", cols: Standings = LIVE
) -> MyStanding | None:
    """The viewer's own row with their rank and neighbours, hidden or not.

    One count grows with the rank (the entries ahead); the neighbours are index ranges next
    to the runner's key, and their ranks come from counts of equal scores only.
    """
    entry = db.session.scalar(
        select(ChallengeEntry).where(
            ChallengeEntry.challenge_id == challenge.id, ChallengeEntry.user_id == user_id
        )
    )
    if entry is None:
        return None
    score, reached_at, _ = cols.of(entry)
    if score is None:
        return MyStanding(entry, None, [])
    conditions = _visible(challenge.id, user_id, scope, cols)
    ahead = _count(*conditions, cols.score > score)
    tie, mine = tuple_(cols.reached_at, ChallengeEntry.id), tuple_(reached_at, entry.id)
    above = list(
        db.session.scalars(
            select(ChallengeEntry)
            .where(*conditions, cols.score == score, tie < mine)
            .order_by(cols.reached_at.desc(), ChallengeEntry.id.desc())
            .limit(NEIGHBOURS)
        )
    )
    if len(above) < NEIGHBOURS:
        above += db.session.scalars(
            select(ChallengeEntry)
            .where(*conditions, cols.score > score)
            .order_by(cols.score.asc(), cols.reached_at.desc(), ChallengeEntry.id.desc())
            .limit(NEIGHBOURS - len(above))
        )
    below = list(
        db.session.scalars(
            select(ChallengeEntry)
            .where(*conditions, cols.score == score, tie > mine)
            .order_by(cols.reached_at, ChallengeEntry.id)
            .limit(NEIGHBOURS)
        )
    )
    if len(below) < NEIGHBOURS:
        below += db.session.scalars(
            _ordered(select(ChallengeEntry).where(*conditions, cols.score < score), cols).limit(
                NEIGHBOURS - len(below)
            )
        )
    # Ranks are worked out over the visible rows; a hidden runner is slotted in afterwards
    # with the rank they would have, so they push nobody down.
    listed = [*reversed(above), *([] if entry.hidden else [entry]), *below]
    if not listed:
        return MyStanding(entry, ahead + 1, [Row(ahead + 1, entry, cols.of(entry)[2])])
    ties_before = _count(*conditions, cols.score == score, tie < mine)
    first_position = ahead + ties_before + 1 - len(above)
    top = cols.of(listed[0])[0] or 0.0
    # Ahead of the first row: those ahead of me, less those between its score and mine.
    first_rank = (
        ahead + 1
        if top == score
        else 1 + ahead - _count(*conditions, cols.score > score, cols.score <= top)
    )
    rows = _ranked(conditions, cols, listed, first_position, first_rank)
    if entry.hidden:
        rows.insert(len(above), Row(ahead + 1, entry, cols.of(entry)[2]))
    return MyStanding(entry, ahead + 1, rows)


def challenges_for(
    user_id: int | None, *, now: datetime, club_id: int | None = None, past: bool = False
) -> list[Challenge]:
    """Challenges a viewer may see: the site's, public clubs', and their own clubs'."""
    statement = select(Challenge).outerjoin(Club, Club.id == Challenge.club_id)
    if club_id is not None:
        statement = statement.where(Challenge.club_id == club_id)
    member_of = select(Membership.club_id).where(Membership.user_id == user_id)
    statement = statement.where(
        or_(
            Challenge.club_id.is_(None),
            Club.visibility == "public",
            Challenge.club_id.in_(member_of) if user_id is not None else False,
        )
    )
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


def badges_of(user_id: int) -> list[ChallengeEntry]:
    """Challenges the runner completed, newest first: the badges on their profile."""
    return list(
        db.session.scalars(
            select(ChallengeEntry)
            .join(Challenge, Challenge.id == ChallengeEntry.challenge_id)
            .where(ChallengeEntry.user_id == user_id, ChallengeEntry.completed_at.is_not(None))
            .order_by(ChallengeEntry.completed_at.desc())
            .limit(50)
        )
    )


def current_entries(user_id: int, now: datetime) -> list[ChallengeEntry]:
    """The runner's challenges still running, ending soonest first (the dashboard's list)."""
    return list(
        db.session.scalars(
            select(ChallengeEntry)
            .join(Challenge, Challenge.id == ChallengeEntry.challenge_id)
            .where(ChallengeEntry.user_id == user_id, Challenge.ends_at > now)
            .order_by(Challenge.ends_at, Challenge.id)
            .limit(20)
        )
    )
