"""A runner's progress: totals per week and month in their own time zone, and streaks.

Buckets are computed as UTC instants in Python (zoneinfo knows the daylight-saving
changes); the database then sums every bucket in one indexed range query. `bucket_chart`
turns buckets into a chart in the runner's units, with a reference line to compare with.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, select, true

from community.activities.models import Run
from community.charts import Chart, Format, Series
from community.db_types import epoch_seconds
from community.extensions import db
from community.units import from_metres


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


def bucket_totals(
    user_id: int, boundaries: list[datetime], *, public_only: bool = False
) -> list[Bucket]:
    """Distance, time and run count between consecutive boundaries, in one query
    (`public_only`: of the public runs alone, as everyone else may see them)."""
    return buckets_of(
        and_(Run.user_id == user_id, Run.visibility == "public" if public_only else true()),
        boundaries,
    )


def buckets_of(runs: ColumnElement[bool], boundaries: list[datetime]) -> list[Bucket]:
    """Distance, time and run count of the runs meeting `runs` between consecutive
    boundaries, in one query."""
    bucket = case(
        *[(Run.start_time < boundaries[i + 1], i) for i in range(len(boundaries) - 1)],
        else_=None,
    )
    rows = db.session.execute(
        select(bucket, func.sum(Run.distance_m), func.sum(Run.duration_s), func.count(Run.id))
        .where(runs, Run.start_time >= boundaries[0], Run.start_time < boundaries[-1])
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
    week has no run yet: the streak is still alive until Sunday night)."""
    starts = db.session.scalars(
        select(epoch_seconds(Run.start_time))
        .where(Run.user_id == user_id)
        .order_by(Run.start_time.desc())
    )
    return streak_of(starts, now, zone)


def streak_of(starts: Iterable[int], now: datetime, zone: ZoneInfo) -> int:
    """week_streak from the runner's start times (epoch seconds, as integers: cheap to
    read), newest first: walks them and stops at the first week without a run."""
    week_start = week_starts(now, zone, 1)[0]
    week_end = int((week_start + timedelta(weeks=1)).timestamp())
    boundary = int(week_start.timestamp())
    streak, counted, this_week = 0, False, True
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


# The reference drawn over the bars until goals exist: the runner's own recent average.
AVERAGE_WEEKS = 4
AVERAGE_MONTHS = 3

Measure = Literal["distance_m", "duration_s", "runs"]


@dataclass(frozen=True)
class Target:
    """A line to compare each bucket with (in metres, seconds or runs, one per bucket):
    the runner's recent average today, a goal once goals exist."""

    label: str
    values: list[float | None]


def trailing_average(values: list[float], window: int) -> list[float | None]:
    """For each value, the mean of the `window` values before it (None while fewer)."""
    return [
        sum(values[index - window : index]) / window if index >= window else None
        for index in range(len(values))
    ]


def average_target(buckets: list[Bucket], measure: Measure, window: int, noun: str) -> Target:
    """The trailing average over `buckets` (which start `window` buckets early)."""
    averages = trailing_average([float(getattr(b, measure)) for b in buckets], window)
    return Target(f"Average of the previous {window} {noun}", averages[window:])


def bucket_chart(
    key: str,
    title: str,
    buckets: list[Bucket],
    measure: Measure,
    *,
    units: str,
    label: Callable[[Bucket], str],
    x_title: str,
    tick: Callable[[Bucket], str] | None = None,
    target: Target | None = None,
) -> Chart:
    """Bars of one measure per bucket in the runner's units, and the target as a line."""
    unit_name = "mi" if units == "mi" else "km"

    def shown(value: float | None) -> float | None:
        if value is None:
            return None
        if measure == "distance_m":
            return round(from_metres(value, units), 2)
        return round(value, 2)

    series = [
        Series(title.split(" per ")[0], [shown(getattr(b, measure)) for b in buckets], "bars")
    ]
    if target is not None:
        series.append(Series(target.label, [shown(v) for v in target.values], "reference"))
    chart_format: Format = "duration" if measure == "duration_s" else "number"
    unit = unit_name if measure == "distance_m" else ""
    return Chart(
        key=key,
        title=title,
        x_title=x_title,
        x=[float(index) for index in range(len(buckets))],
        x_labels=[label(b) for b in buckets],
        x_ticks=[tick(b) for b in buckets] if tick else [],
        y_title={"distance_m": unit_name, "duration_s": "Time", "runs": "Runs"}[measure],
        series=series,
        format=chart_format,
        unit=unit,
        decimals=2 if measure == "distance_m" else 0,
    )


WEEKS_SHOWN = 12
MONTHS_SHOWN = 12


def _week_label(bucket: Bucket) -> str:
    return bucket.start.strftime("%-d %b")


def _month_label(bucket: Bucket) -> str:
    return bucket.start.strftime("%b %Y")


def _month_tick(bucket: Bucket) -> str:
    # The year only where it begins, so twelve months fit under a phone's chart.
    return bucket.start.strftime("%b %y" if bucket.start.month == 1 else "%b")


def progress_charts(
    user_id: int, now: datetime, zone: ZoneInfo, units: str
) -> tuple[list[Chart], list[Chart]]:
    """The progress page's charts per week and per month, in two queries: distance (with
    the runner's trailing average as its reference line), time and runs."""
    weeks = bucket_totals(user_id, week_starts(now, zone, WEEKS_SHOWN + AVERAGE_WEEKS))
    months = bucket_totals(user_id, month_starts(now, zone, MONTHS_SHOWN + AVERAGE_MONTHS))
    per: list[tuple[str, list[Bucket], int, str, Callable[[Bucket], str], Callable[[Bucket], str]]]
    per = [
        ("week", weeks, AVERAGE_WEEKS, "weeks", _week_label, _week_label),
        ("month", months, AVERAGE_MONTHS, "months", _month_label, _month_tick),
    ]
    charts: list[list[Chart]] = []
    for period, buckets, window, noun, label, tick in per:
        shown = buckets[window:]
        charts.append(
            [
                bucket_chart(
                    f"{period}-{measure.split('_')[0]}",
                    f"{name} per {period}",
                    shown,
                    measure,
                    units=units,
                    label=label,
                    tick=tick,
                    x_title="Week of" if period == "week" else "Month",
                    target=average_target(buckets, measure, window, noun)
                    if measure == "distance_m"
                    else None,
                )
                for measure, name in (
                    ("distance_m", "Distance"),
                    ("duration_s", "Time"),
                    ("runs", "Runs"),
                )
            ]
        )
    return charts[0], charts[1]
