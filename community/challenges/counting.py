"""What counts toward a challenge, and each entrant's standing from the runs that count.

A run counts when it starts inside the challenge's window (local days in the challenge's
zone, turned into UTC once) and was logged before the window closes (its end plus the late
upload grace). `standing_of` works one entrant out from their runs; `counting.live` keeps
the stored standings up to date as runs change, and `rebuild` recomputes them from scratch.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from community.activities.models import BestEffort, Run
from community.challenges.models import Challenge, ChallengeKind
from community.extensions import db

# Kinds whose total is a plain sum of one value per run: a new run just adds to it.
ADDITIVE = frozenset(
    {
        ChallengeKind.DISTANCE.value,
        ChallengeKind.TIME.value,
        ChallengeKind.ELEVATION.value,
        ChallengeKind.RUNS.value,
        ChallengeKind.CLUB_GOAL.value,
    }
)
# Safe mode: a week counts up to the previous 4 weeks' average plus 10%, and never less
# than this, so a runner coming back (or new) still has a sensible week to fill.
SAFE_MODE_WEEKS = 4
SAFE_MODE_GROWTH = 1.10
SAFE_MODE_MIN_WEEK_M = 10_000.0
# How far back a run can move a safe-mode cap: the 4 weeks before the first week.
SAFE_MODE_LOOKBACK = timedelta(weeks=SAFE_MODE_WEEKS + 1)


# A fastest effort is timed to the tenth of a second, as the board shows it: efforts equal
# to the tenth are equal times (they share a rank, whoever ran it first listed first).
EFFORT_DECIMALS = 1


@dataclass(frozen=True)
class Standing:
    """An entrant's total (in SI units), the score that orders the board, and when it was
    reached. A score of None means nothing counts yet (a fastest effort not yet run)."""

    total: float | None
    score: float | None
    reached_at: datetime


@dataclass(frozen=True)
class CountedRun:
    start_time: datetime
    distance_m: float
    duration_s: float
    elevation_gain_m: float | None


@dataclass(frozen=True)
class SafeWeek:
    """One week under safe mode: what was run inside the window, the cap, and what counted."""

    starts_on: date
    ran_m: float
    cap_m: float

    @property
    def counted_m(self) -> float:
        return min(self.ran_m, self.cap_m)


# Sums are taken in whole thousandths (millimetres, milliseconds): exact in any order, so a
# total kept run by run, one recounted here and one summed in SQL (tally.py) are the same
# number, and equal totals tie however their runs were added up.
MILLI = 1000


def to_milli(value: float) -> int:
    """Half up to a whole thousandth, as `tally.milli_sum_sql` rounds in the database."""
    return math.floor(value * MILLI + 0.5)


def milli_sum(values: Iterable[float]) -> float:
    return sum(to_milli(value) for value in values) / MILLI


def run_value(kind: str, distance_m: float, duration_s: float, elevation_m: float | None) -> float:
    """What one run adds to an additive challenge."""
    if kind == ChallengeKind.TIME.value:
        return duration_s
    if kind == ChallengeKind.ELEVATION.value:
        return elevation_m or 0.0
    if kind == ChallengeKind.RUNS.value:
        return 1.0
    return distance_m


def uses_full_recount(challenge: Challenge) -> bool:
    """Whether a new run needs the entrant's standing worked out again (not just added)."""
    return challenge.kind not in ADDITIVE or challenge.safe_mode


def affects(challenge: Challenge, start_time: datetime) -> bool:
    """Whether a run starting then can change an entrant's standing in this challenge."""
    if challenge.counts_start(start_time):
        return True
    return challenge.safe_mode and (
        challenge.starts_at - SAFE_MODE_LOOKBACK <= start_time < challenge.ends_at
    )


def counted_runs(challenge: Challenge, user_id: int) -> list[CountedRun]:
    rows = db.session.execute(
        select(Run.start_time, Run.distance_m, Run.duration_s, Run.elevation_gain_m)
        .where(
            Run.user_id == user_id,
            Run.start_time >= challenge.starts_at,
            Run.start_time < challenge.ends_at,
            Run.created_at <= challenge.closes_at,
        )
        .order_by(Run.start_time, Run.id)
    )
    return [CountedRun(*row) for row in rows]


def week_start(moment: datetime, challenge: Challenge) -> date:
    """The Monday (in the challenge's zone) of the week a moment falls in."""
    local = moment.astimezone(challenge.zone).date()
    return local - timedelta(days=local.weekday())


def safe_weeks(challenge: Challenge, user_id: int, runs: list[CountedRun]) -> list[SafeWeek]:
    """Each week of the window with its cap: the raw distance of the 4 weeks before it."""
    first = week_start(challenge.starts_at, challenge)
    last = week_start(challenge.ends_at - timedelta(microseconds=1), challenge)
    history_from = datetime.combine(
        first - timedelta(weeks=SAFE_MODE_WEEKS), datetime.min.time(), tzinfo=challenge.zone
    )
    raw: dict[date, float] = defaultdict(float)
    for start, distance in db.session.execute(
        select(Run.start_time, Run.distance_m).where(
            Run.user_id == user_id,
            Run.start_time >= history_from,
            Run.start_time < challenge.ends_at,
        )
    ):
        raw[week_start(start, challenge)] += distance
    inside: dict[date, float] = defaultdict(float)
    for run in runs:
        inside[week_start(run.start_time, challenge)] += run.distance_m
    weeks = []
    monday = first
    while monday <= last:
        before = [raw[monday - timedelta(weeks=k)] for k in range(1, SAFE_MODE_WEEKS + 1)]
        cap = max(SAFE_MODE_MIN_WEEK_M, sum(before) / SAFE_MODE_WEEKS * SAFE_MODE_GROWTH)
        weeks.append(SafeWeek(starts_on=monday, ran_m=inside[monday], cap_m=cap))
        monday += timedelta(weeks=1)
    return weeks


def _sum_standing(
    challenge: Challenge, user_id: int, runs: list[CountedRun], joined_at: datetime
) -> Standing:
    if challenge.safe_mode and challenge.kind in (
        ChallengeKind.DISTANCE.value,
        ChallengeKind.CLUB_GOAL.value,
    ):
        total = milli_sum(week.counted_m for week in safe_weeks(challenge, user_id, runs))
    else:
        total = milli_sum(
            run_value(challenge.kind, r.distance_m, r.duration_s, r.elevation_gain_m) for r in runs
        )
    contributing = [
        r.start_time
        for r in runs
        if run_value(challenge.kind, r.distance_m, r.duration_s, r.elevation_gain_m) > 0
    ]
    return Standing(total, total, max(contributing) if contributing else joined_at)


def _longest_standing(runs: list[CountedRun], joined_at: datetime) -> Standing:
    if not runs:
        return Standing(0.0, 0.0, joined_at)
    longest = max(r.distance_m for r in runs)
    first = min(r.start_time for r in runs if r.distance_m == longest)
    return Standing(longest, longest, first)


def _fastest_standing(challenge: Challenge, user_id: int, joined_at: datetime) -> Standing:
    row = db.session.execute(
        select(BestEffort.duration_s, BestEffort.achieved_at)
        .join(Run, Run.id == BestEffort.run_id)
        .where(
            BestEffort.user_id == user_id,
            BestEffort.label == challenge.effort_label,
            Run.start_time >= challenge.starts_at,
            Run.start_time < challenge.ends_at,
            Run.created_at <= challenge.closes_at,
            # Beyond a world record is a measuring error, not a standing.
            Run.suspect_reason.is_(None),
        )
        .order_by(BestEffort.duration_s, BestEffort.achieved_at)
        .limit(1)
    ).first()
    if row is None:
        return Standing(None, None, joined_at)
    seconds = round(row.duration_s, EFFORT_DECIMALS)
    return Standing(seconds, -seconds, row.achieved_at)


def _streak_standing(challenge: Challenge, runs: list[CountedRun], joined_at: datetime) -> Standing:
    """The longest run of consecutive weeks with at least `runs_per_week` runs."""
    needed = challenge.runs_per_week or 1
    by_week: dict[date, list[datetime]] = defaultdict(list)
    for run in runs:
        by_week[week_start(run.start_time, challenge)].append(run.start_time)
    best, best_at, length = 0, joined_at, 0
    monday = week_start(challenge.starts_at, challenge)
    last = week_start(challenge.ends_at - timedelta(microseconds=1), challenge)
    while monday <= last:
        starts = sorted(by_week.get(monday, []))
        if len(starts) >= needed:
            length += 1
            if length > best:
                # Reached when the week's N-th run made it a qualifying week.
                best, best_at = length, starts[needed - 1]
        else:
            length = 0
        monday += timedelta(weeks=1)
    return Standing(float(best), float(best), best_at)


def standing_of(challenge: Challenge, user_id: int, joined_at: datetime) -> Standing:
    """Work an entrant's standing out from scratch, from the runs that count."""
    if challenge.kind == ChallengeKind.FASTEST_EFFORT.value:
        return _fastest_standing(challenge, user_id, joined_at)
    runs = counted_runs(challenge, user_id)
    if challenge.kind == ChallengeKind.LONGEST_RUN.value:
        return _longest_standing(runs, joined_at)
    if challenge.kind == ChallengeKind.STREAK.value:
        return _streak_standing(challenge, runs, joined_at)
    return _sum_standing(challenge, user_id, runs, joined_at)


def goal_met(challenge: Challenge, total: float | None) -> bool:
    if challenge.goal is None or total is None:
        return False
    if challenge.lower_is_better:
        return total <= challenge.goal
    return total >= challenge.goal
