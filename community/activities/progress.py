"""A runner's progress: totals per week and month in their own time zone, and streaks.

Buckets are computed as UTC instants in Python (zoneinfo knows the daylight-saving
changes); the database then sums every bucket in one indexed range query.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from community.activities.models import Run
from community.db_types import epoch_seconds
from community.extensions import db


@dataclass(frozen=True)
class Bucket:
    start: datetime  # aware, in the runner's zone
    distance_m: float = 0.0
    duration_s: float = 0.0
    runs: int = 0


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def week_starts(now: datetime, zone: ZoneInfo, count: int) -> list[datetime]:
    """Mondays 00:00 local of the last `count` weeks, oldest first, plus the next Monday."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    days = [monday - timedelta(weeks=n) for n in range(count - 1, -2, -1)]
    return [_local_midnight(day, zone) for day in days]


def month_starts(now: datetime, zone: ZoneInfo, count: int) -> list[datetime]:
    """First days 00:00 local of the last `count` months, oldest first, plus the next month."""
    today = now.astimezone(zone).date()
    year, month = today.year, today.month
    firsts = []
    for back in range(count - 1, -2, -1):
        index = year * 12 + (month - 1) - back
        firsts.append(date(index // 12, index % 12 + 1, 1))
    return [_local_midnight(day, zone) for day in firsts]


def bucket_totals(user_id: int, boundaries: list[datetime]) -> list[Bucket]:
    """Distance, time and run count between consecutive boundaries, in one query."""
    bucket = case(
        *[(Run.start_time < boundaries[i + 1], i) for i in range(len(boundaries) - 1)],
        else_=None,
    )
    rows = db.session.execute(
        select(bucket, func.sum(Run.distance_m), func.sum(Run.duration_s), func.count(Run.id))
        .where(
            Run.user_id == user_id,
            Run.start_time >= boundaries[0],
            Run.start_time < boundaries[-1],
        )
        .group_by(bucket)
    ).all()
    found = {index: (distance, duration, runs) for index, distance, duration, runs in rows}
    return [
        Bucket(start, *found[i]) if i in found else Bucket(start)
        for i, start in enumerate(boundaries[:-1])
    ]


@dataclass(frozen=True)
class Totals:
    distance_m: float
    duration_s: float
    runs: int


def totals_since(user_id: int, starts: dict[str, datetime | None]) -> dict[str, Totals]:
    """Totals from each named start until now (None: all time), in one query."""
    columns = []
    for start in starts.values():
        counted = Run.start_time >= start if start is not None else True
        columns += [
            func.coalesce(func.sum(case((counted, Run.distance_m), else_=0.0)), 0.0),
            func.coalesce(func.sum(case((counted, Run.duration_s), else_=0.0)), 0.0),
            func.coalesce(func.sum(case((counted, 1), else_=0)), 0),
        ]
    row = db.session.execute(select(*columns).where(Run.user_id == user_id)).one()
    return {
        name: Totals(float(row[3 * i]), float(row[3 * i + 1]), int(row[3 * i + 2]))
        for i, name in enumerate(starts)
    }


def week_streak(user_id: int, now: datetime, zone: ZoneInfo) -> int:
    """Weeks in a row with at least one run, ending this week (or last week, when this
    week has no run yet: the streak is still alive until Sunday night).

    Walks the runner's start times newest first (as integers, by the index) and stops at
    the first week without a run.
    """
    week_start = week_starts(now, zone, 1)[0]
    week_end = int((week_start + timedelta(weeks=1)).timestamp())
    boundary = int(week_start.timestamp())
    streak, counted, this_week = 0, False, True
    starts = db.session.scalars(
        select(epoch_seconds(Run.start_time))
        .where(Run.user_id == user_id)
        .order_by(Run.start_time.desc())
    )
    for start in starts:
        if start >= week_end:
            continue
        while start < boundary:
            if not counted and not this_week:
                return streak
            week_start = _local_midnight(week_start.date() - timedelta(weeks=1), zone)
            boundary = int(week_start.timestamp())
            counted, this_week = False, False
        if not counted:
            streak, counted = streak + 1, True
    return streak
