"""A club's own boards, straight from its members' runs (no entering needed).

- Weekly: distance, time or runs, Monday to Sunday in the club's time zone, this week or last.
- Most consistent: weeks with at least one run, of the last 12.
- Most improved: this month so far against the runner's own average over the same days of
  the 3 months before (the 1st to the same day and hour: like with like).

Private runs ("only me") are left out, and so are runners who hide from leaderboards.
Ranks are competition ranks (1, 2, 2, 4); equal values are listed by name.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, func, select

from community.accounts.models import User
from community.activities.models import Run
from community.activities.progress import month_starts, week_starts
from community.clubs.models import Club, Membership
from community.db_types import UTCDateTime
from community.extensions import db

MEASURES = {
    "distance": func.sum(Run.distance_m),
    "time": func.sum(Run.duration_s),
    "runs": func.count(Run.id),
}
CONSISTENCY_WEEKS = 12
IMPROVEMENT_MONTHS = 3
LIMIT = 20


@dataclass(frozen=True)
class BoardRow:
    rank: int
    user: User
    value: float
    # Most improved: the runner's monthly average before, for the "against" column.
    baseline: float | None = None


def _ranked(pairs: list[tuple[User, float, float | None]]) -> list[BoardRow]:
    pairs.sort(key=lambda p: (-p[1], p[0].display_name.lower(), p[0].id))
    rows: list[BoardRow] = []
    for index, (user, value, baseline) in enumerate(pairs):
        rank = rows[-1].rank if rows and rows[-1].value == value else index + 1
        rows.append(BoardRow(rank, user, value, baseline))
    return rows[:LIMIT]


def _members_runs(club_id: object, since: object, until: object) -> Select:
    return (
        select(Run.user_id)
        .join(Membership, (Membership.user_id == Run.user_id) & (Membership.club_id == club_id))
        .join(User, User.id == Run.user_id)
        .where(
            Run.start_time >= since,
            Run.start_time < until,
            Run.visibility != "private",
            User.leaderboard_hidden.is_(False),
        )
    )


def _users(ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@cache
def _week_board(measure: str) -> Select:
    # Built once per measure: every club page shows this week's board.
    since, until = (bindparam(name, type_=UTCDateTime()) for name in ("since", "until"))
    totals = (
        _members_runs(bindparam("club_id"), since, until)
        .add_columns(MEASURES[measure].label("value"))
        .group_by(Run.user_id)
        .subquery()
    )
    # The runners with their totals in one statement: not an IN list of every runner who
    # ran this week (about 1,670 ids in a 2,007-member club).
    return (
        select(User, totals.c.value)
        .join(totals, totals.c.user_id == User.id)
        .order_by(totals.c.value.desc(), func.lower(User.display_name), User.id)
        .limit(bindparam("top"))
    )


def weekly(
    club: Club, now: datetime, *, measure: str = "distance", weeks_ago: int = 0, top: int = LIMIT
) -> list[BoardRow]:
    """This week's (or last week's) board by distance, time or number of runs: its `top`
    rows, read by the database however many ran."""
    starts = week_starts(now, club.zone, 1 + weeks_ago)
    values = {"club_id": club.id, "since": starts[0], "until": starts[1], "top": top}
    measure = measure if measure in MEASURES else "distance"
    rows = db.session.execute(_week_board(measure), values).all()
    # Every runner ahead of a row is among the rows read, so their ranks are right.
    return _ranked([(user, float(value), None) for user, value in rows])[:top]


def most_consistent(club: Club, now: datetime) -> list[BoardRow]:
    """Weeks with at least one run, of the last 12 (this one included)."""
    starts = week_starts(now, club.zone, CONSISTENCY_WEEKS)
    rows = db.session.execute(
        _members_runs(club.id, starts[0], starts[-1]).add_columns(Run.start_time)
    ).all()
    weeks: dict[int, set[int]] = defaultdict(set)
    for user_id, start in rows:
        weeks[user_id].add(sum(1 for boundary in starts[1:-1] if start >= boundary))
    users = _users(set(weeks))
    return _ranked([(users[uid], float(len(found)), None) for uid, found in weeks.items()])


@dataclass(frozen=True)
class Improvement:
    rows: list[BoardRow]
    # Like with like: this month so far is this many days (today counted), and each of the
    # months before counts the same days, from its 1st to the same time on that day.
    days: int


def _same_days_windows(
    starts: list[datetime], now: datetime, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """Each month of `starts` (but the next) cut to as long as this month has run so far.

    Cut in local wall time, so a month that changed clocks still ends at the same hour; a
    shorter month ends at its own end (30 March is not in February)."""
    first = starts[-2].astimezone(zone).replace(tzinfo=None)
    elapsed = now.astimezone(zone).replace(tzinfo=None) - first
    windows = []
    for start, following in pairwise(starts[:-1]):
        local = start.astimezone(zone).replace(tzinfo=None)
        end = (local + elapsed).replace(tzinfo=zone).astimezone(UTC)
        windows.append((start, min(end, following)))
    windows.append((starts[-2], now))
    return windows


def most_improved(club: Club, now: datetime) -> Improvement:
    """This month's distance so far as a share of the runner's average over the same days
    of the 3 months before (the 1st to the same day and hour)."""
    zone = club.zone
    starts = month_starts(now, zone, IMPROVEMENT_MONTHS + 1)
    windows = _same_days_windows(starts, now, zone)
    rows = db.session.execute(
        _members_runs(club.id, starts[0], now).add_columns(Run.start_time, Run.distance_m)
    ).all()
    before: dict[int, float] = defaultdict(float)
    current: dict[int, float] = defaultdict(float)
    this_month = windows[-1][0]
    for user_id, start, distance in rows:
        if start >= this_month:
            current[user_id] += distance
        elif any(since <= start < until for since, until in windows[:-1]):
            before[user_id] += distance
    users = _users(set(current) & set(before))
    pairs = []
    for user_id, user in users.items():
        baseline = before[user_id] / IMPROVEMENT_MONTHS
        pairs.append((user, round(current[user_id] / baseline * 100, 1), baseline))
    days = (now.astimezone(zone).date() - this_month.astimezone(zone).date()).days + 1
    return Improvement(_ranked(pairs), days)
