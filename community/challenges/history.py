"""A challenge's standings over time: each charted runner's total at the end of every day.

Days are the challenge's own (local days in its zone), from its first day to today or its
last. What counts is what counts on the board (`counting.counted_runs`), summed as the
board sums it: safe mode caps each week, a longest-run challenge keeps the longest so far.
Who is charted: the viewer, when they entered (hidden or not: they see themselves), and
the first five of the board the viewer sees, so a runner hidden from the board is in
nobody else's chart. While the board is frozen, the others' lines stop when it froze.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from community.challenges import queries
from community.challenges.counting import (
    ADDITIVE,
    CountedRun,
    counted_runs,
    run_value,
    safe_weeks,
    to_milli,
)
from community.challenges.models import Challenge, ChallengeKind
from community.challenges.services import local_midnight
from community.charts import Chart, Format, Series
from community.units import FEET_PER_METRE, from_metres

TOP = 5
# A running total per day means something for these; a fastest effort or a streak is no
# sum of days, and a club goal has its own total on the page.
CHARTED_KINDS = (ADDITIVE - {ChallengeKind.CLUB_GOAL.value}) | {ChallengeKind.LONGEST_RUN.value}


@dataclass(frozen=True)
class Runner:
    user_id: int
    name: str
    is_viewer: bool


def charted(challenge: Challenge) -> bool:
    return challenge.kind in CHARTED_KINDS


def days_of(challenge: Challenge) -> list[date]:
    """The challenge's days, in its zone."""
    count = (challenge.ends_on - challenge.starts_on).days + 1
    return [challenge.starts_on + timedelta(days=k) for k in range(count)]


def daily_totals(
    challenge: Challenge, days: list[date], runs: list[CountedRun], caps: dict[date, float]
) -> list[float]:
    """The runner's standing at the end of each day, from the runs that count.

    `caps`: safe mode's cap per week (by its Monday), or empty. A week's distance counts up
    to its cap, so a day's total is the weeks before it, capped, plus its own week so far,
    capped.
    """
    by_day: dict[date, list[CountedRun]] = defaultdict(list)
    for run in runs:
        by_day[run.start_time.astimezone(challenge.zone).date()].append(run)
    totals: list[float] = []
    if challenge.kind == ChallengeKind.LONGEST_RUN.value:
        longest = 0.0
        for day in days:
            longest = max([longest, *(r.distance_m for r in by_day[day])])
            totals.append(longest)
        return totals
    done_weeks, this_week, week = 0, 0, None  # in thousandths, as the board sums
    for day in days:
        monday = day - timedelta(days=day.weekday())
        if monday != week:
            done_weeks += _capped(this_week, caps.get(week)) if week else 0
            this_week, week = 0, monday
        this_week += sum(
            to_milli(run_value(challenge.kind, r.distance_m, r.duration_s, r.elevation_gain_m))
            for r in by_day[day]
        )
        totals.append((done_weeks + _capped(this_week, caps.get(monday))) / 1000)
    return totals


def _capped(milli: int, cap_m: float | None) -> int:
    return milli if cap_m is None else min(milli, to_milli(cap_m))


def runners(challenge: Challenge, viewer_id: int | None, now: datetime) -> list[Runner]:
    """The first five of the board the viewer sees, and the viewer (first) if they entered."""
    cols = queries.standings_for(challenge, now)
    top = queries.board(challenge, viewer_id, 1, cols=cols).rows[:TOP]
    found = [Runner(row.entry.user_id, row.entry.display_name, False) for row in top]
    mine = queries.entries_of(viewer_id, [challenge.id]).get(challenge.id) if viewer_id else None
    if mine is not None:
        found = [r for r in found if r.user_id != mine.user_id]
        found.insert(0, Runner(mine.user_id, mine.user.display_name, True))
    return found


def _day_start(challenge: Challenge, day: date) -> datetime:
    return local_midnight(day, challenge.zone)


def standings_chart(
    challenge: Challenge, viewer_id: int | None, units: str, now: datetime
) -> Chart:
    """The chart of running totals per day, with the goal as a line when there is one."""
    days = days_of(challenge)
    today = now.astimezone(challenge.zone).date()
    # While the board is frozen, the others' lines end where the board stands still.
    frozen_at = (
        challenge.freezes_at if queries.standings_for(challenge, now) is queries.FROZEN else None
    )
    series = []
    for runner in runners(challenge, viewer_id, now):
        runs = counted_runs(challenge, runner.user_id)
        until = now if runner.is_viewer or frozen_at is None else frozen_at
        runs = [r for r in runs if r.start_time < until]
        caps = (
            {w.starts_on: w.cap_m for w in safe_weeks(challenge, runner.user_id, runs)}
            if challenge.safe_mode and challenge.kind == ChallengeKind.DISTANCE.value
            else {}
        )
        totals = daily_totals(challenge, days, runs, caps)
        shown: list[float | None] = [
            _shown(challenge, total, units)
            if _day_start(challenge, day) < until and day <= today
            else None
            for day, total in zip(days, totals, strict=True)
        ]
        label = f"{runner.name} (you)" if runner.is_viewer else runner.name
        series.append(Series(label, shown, "step", emphasis=runner.is_viewer))
    if series and challenge.goal and challenge.kind in ADDITIVE:
        # Where a runner on course for the goal would be at the end of each day.
        goal, count = challenge.goal, len(days)
        on_pace = [_shown(challenge, goal * (k + 1) / count, units) for k in range(count)]
        series.append(Series("On pace for the goal", list(on_pace), "reference"))
    chart_format, unit, decimals, y_title = _shape(challenge, units)
    return Chart(
        key=f"challenge-{challenge.id}-standings",
        title="Standings over time",
        x_title="Day",
        x=[float(k) for k in range(len(days))],
        x_labels=[day.strftime("%-d %b") for day in days],
        y_title=y_title,
        series=series,
        format=chart_format,
        unit=unit,
        decimals=decimals,
    )


def _shown(challenge: Challenge, value: float, units: str) -> float:
    """A total (SI) in the viewer's units, as the chart shows it."""
    kind = challenge.kind
    if kind in (ChallengeKind.DISTANCE.value, ChallengeKind.LONGEST_RUN.value):
        return round(from_metres(value, units), 2)
    if kind == ChallengeKind.ELEVATION.value:
        return round(value * FEET_PER_METRE if units == "mi" else value)
    return round(value, 3)


def _shape(challenge: Challenge, units: str) -> tuple[Format, str, int, str]:
    kind = challenge.kind
    if kind in (ChallengeKind.DISTANCE.value, ChallengeKind.LONGEST_RUN.value):
        name = "mi" if units == "mi" else "km"
        return "number", name, 2, name
    if kind == ChallengeKind.TIME.value:
        return "duration", "", 0, "Time"
    if kind == ChallengeKind.ELEVATION.value:
        name = "ft" if units == "mi" else "m"
        return "number", name, 0, name
    return "number", "", 0, "Runs"
