"""Whether a goal is achievable from the runner's own history, and what would be.

Pure arithmetic on plain numbers, so the same history always gives the same verdict:

- **Volume** (distance, time) grows safely by about 10 % a week (the "10 % rule" of
  running coaches): from the runner's base, the average of their last 4 full weeks, week k
  from now allows base x 1.1^k.
- **Runs a week** grow by one every two weeks.
- **Race times** are predicted with Riegel's formula (Riegel 1981, "Athletic records and
  human endurance"): T2 = T1 x (D2 / D1)^1.06, from the runner's recent best efforts of a
  mile and more. Training makes a runner faster by about half a per cent of race time a week
  (Daniels' rule of thumb: one VDOT, 1.5-2 % of race time, in 4-6 weeks), at most 10 %.

A runner with no recent running starts from a beginner's week (`BEGINNER_WEEK`). A goal
that asks for more gets a warning with the numbers and the nearest goal that fits; it is
never refused.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from community.goals.models import Measure

GROWTH = 0.10
MAX_GROWTH = 2.0
RUNS_GROWTH_WEEKS = 2  # one more run a week every this many weeks
MAX_RUNS_A_WEEK = 14
BASE_WEEKS = 4
BEGINNER_WEEK = {Measure.DISTANCE: 10_000.0, Measure.TIME: 3600.0, Measure.RUNS: 2.0}
RIEGEL_EXPONENT = 1.06
IMPROVEMENT_PER_WEEK = 0.005
MAX_IMPROVEMENT = 0.10
# Riegel's formula holds from about 3.5 minutes to 4 hours: predict from a mile and up.
SHORTEST_PREDICTOR_M = 1609.0


def base_of(weeks: list[float], measure: Measure) -> float:
    """The runner's weekly base: the average of the last full weeks (oldest first), or a
    beginner's week when that is less."""
    recent = weeks[-BASE_WEEKS:]
    average = sum(recent) / len(recent) if recent else 0.0
    return max(average, BEGINNER_WEEK[measure])


def allowed_in_week(base: float, measure: Measure, k: int) -> float:
    """The most a safe progression allows in week k from now (k = 1: the week after this)."""
    if measure == Measure.RUNS:
        return float(min(MAX_RUNS_A_WEEK, math.floor(base) + k // RUNS_GROWTH_WEEKS))
    return base * min(MAX_GROWTH, (1 + GROWTH) ** k)


def weeks_from(today: date, day: date) -> int:
    """Which week from now `day` falls in: 0 this week (the 7 days from today), 1 the next."""
    return max(0, (day - today).days // 7)


@dataclass(frozen=True)
class Verdict:
    """What the goal asks against what the runner has done and what progression allows.

    Amounts are per week for weekly goals and habits, over the rest of the goal for totals.
    `lower_target` and `later_end` are the nearest goals that fit (None when it fits, or
    when nothing near does)."""

    fits: bool
    asks: float
    base: float
    allows: float
    lower_target: float | None = None
    later_end: date | None = None


def judge_total(
    measure: Measure,
    target: float,
    done: float,
    starts_on: date,
    ends_on: date,
    today: date,
    history: list[float],
) -> Verdict:
    """A total over a period (distance, time or runs): what is left against the sum of
    what each of its remaining weeks allows."""
    base = base_of(history, measure)
    first = max(starts_on, today)
    left = max(0.0, target - done)

    def allows_until(end: date) -> float:
        total, day = 0.0, first
        while day <= end:
            days = min(7, (end - day).days + 1)
            total += allowed_in_week(base, measure, weeks_from(today, day) + 1) * days / 7
            day += timedelta(days=7)
        return total

    allows = allows_until(ends_on)
    if left <= allows:
        return Verdict(True, left, base, allows)
    # The earliest day by which the weeks from `first` allow what is left: one pass.
    later: date | None = None
    total, day = 0.0, first
    while day <= first + timedelta(days=3650):  # ten years: past that, nothing is "near"
        week = allowed_in_week(base, measure, weeks_from(today, day) + 1)
        if total + week >= left:
            later = day + timedelta(days=math.ceil((left - total) / week * 7) - 1)
            break
        total += week
        day += timedelta(days=7)
    return Verdict(False, left, base, allows, _round_down(done + allows, measure), later)


def judge_weekly(
    measure: Measure,
    target: float,
    starts_on: date,
    ends_on: date,
    today: date,
    history: list[float],
) -> Verdict:
    """The same amount every week (or runs a week, for a habit) from the first week: what
    the progression allows by the goal's first week."""
    base = base_of(history, measure)
    k = weeks_from(today, max(starts_on, today)) + 1
    allows = allowed_in_week(base, measure, k)
    if target <= allows:
        return Verdict(True, target, base, allows)
    later: date | None = None
    for extra in range(1, 521):
        if allowed_in_week(base, measure, k + extra) >= target:
            later = ends_on + timedelta(days=7 * extra)
            break
    return Verdict(False, target, base, allows, _round_down(allows, measure), later)


def riegel(seconds: float, distance_m: float, to_distance_m: float) -> float:
    """Riegel's predicted time over `to_distance_m` from a time over `distance_m`."""
    return seconds * (to_distance_m / distance_m) ** RIEGEL_EXPONENT


def predict(efforts: list[tuple[float, float]], distance_m: float) -> float | None:
    """The best prediction over `distance_m` from recent efforts (distance m, seconds)."""
    predictions = [
        riegel(seconds, effort_m, distance_m)
        for effort_m, seconds in efforts
        if effort_m >= SHORTEST_PREDICTOR_M
    ]
    return min(predictions) if predictions else None


def improvement_by(today: date, ends_on: date) -> float:
    """The share of race time training can take off by `ends_on`."""
    weeks = max(0, (ends_on - today).days) / 7
    return min(MAX_IMPROVEMENT, IMPROVEMENT_PER_WEEK * weeks)


@dataclass(frozen=True)
class RaceVerdict:
    """A race goal against the runner's predicted time (None: no recent effort to go by)."""

    predicted_s: float | None
    fits: bool | None
    allows_s: float | None = None  # the fastest time training allows by the deadline
    lower_target_s: float | None = None  # nearest time that fits (a slower one)
    later_end: date | None = None


def judge_race(
    target_s: float,
    distance_m: float,
    ends_on: date,
    today: date,
    efforts: list[tuple[float, float]],
) -> RaceVerdict:
    predicted = predict(efforts, distance_m)
    if predicted is None:
        return RaceVerdict(None, None)
    allows = predicted * (1 - improvement_by(today, ends_on))
    if target_s >= allows:
        return RaceVerdict(predicted, True, allows)
    needed = 1 - target_s / predicted
    later = None
    if needed <= MAX_IMPROVEMENT:
        later = today + timedelta(days=math.ceil(needed / IMPROVEMENT_PER_WEEK * 7))
    return RaceVerdict(predicted, False, allows, _round_up_time(allows), later)


def _round_down(amount: float, measure: Measure) -> float | None:
    """A target people would set: whole km, whole hours or whole runs, never zero."""
    step = {Measure.DISTANCE: 1000.0, Measure.TIME: 3600.0, Measure.RUNS: 1.0}[measure]
    rounded = math.floor(amount / step) * step
    return rounded if rounded > 0 else None


def _round_up_time(seconds: float) -> float:
    """Race targets in whole 5 seconds, rounded the slower way."""
    return math.ceil(seconds / 5) * 5
