"""How far a goal has come, counted from the runs alone, and whether it is on track.

Nothing is stored: every figure is a recount of the runner's runs in the goal's window, so
an edited or deleted run moves it at once. All of a runner's goals are counted in one
statement (`counts`); the rest is arithmetic on its rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    Float,
    Integer,
    and_,
    bindparam,
    cast,
    func,
    null,
    select,
    true,
    union_all,
)

from community.activities.models import BestEffort, Run
from community.db_types import UTCDateTime, epoch_seconds
from community.extensions import db
from community.goals.models import Goal, GoalKind, Measure
from community.goals.rules import SHORTEST_PREDICTOR_M, RaceVerdict


class Status(StrEnum):
    UPCOMING = "upcoming"
    AHEAD = "ahead"
    ON_TRACK = "on track"
    BEHIND = "behind"
    REACHED = "reached"
    MISSED = "missed"
    UNKNOWN = "no recent effort"  # a race goal with nothing to predict from
    OPEN = "in progress"  # a race goal seen by others: not judged against a prediction


@dataclass
class Counted:
    """One goal's runs: totals over the window, per goal week, and the best time."""

    distance_m: float = 0.0
    duration_s: float = 0.0
    runs: int = 0
    # week index from the goal's first day: (distance, time, runs)
    weeks: dict[int, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0.0] * 3))
    best_s: float | None = None

    def amount(self, measure: str | None) -> float:
        """Metres, seconds, or runs (the database holds a total's measure)."""
        if measure == Measure.DISTANCE:
            return self.distance_m
        return self.duration_s if measure == Measure.TIME else float(self.runs)


def counted_runs(public_only: bool = False) -> ColumnElement[bool]:
    """The runs a goal counts, as a join condition of Run on Goal: the runner's, in the
    goal's window (`public_only`: as others see it, without the private ones)."""
    return and_(
        Run.user_id == Goal.user_id,
        Run.start_time >= Goal.starts_at,
        Run.start_time < Goal.ends_at,
        Run.visibility != "private" if public_only else true(),
    )


@cache
def _counts_statement(with_efforts: bool, public_only: bool) -> CompoundSelect:
    # Built once per shape: constructing it costs more Python than running it.
    in_window = counted_runs(public_only)
    ids = Goal.id.in_(bindparam("goal_ids", expanding=True))
    # Typed NULLs: PostgreSQL types a union's columns part by part, and two untyped NULLs
    # make a text column.
    no_hour, no_amount, no_count = (
        cast(null(), BigInteger),
        cast(null(), Float),
        cast(null(), Integer),
    )
    totals = (
        select(
            Goal.id,
            no_hour,
            func.sum(Run.distance_m),
            func.sum(Run.duration_s),
            func.count(Run.id),
            no_amount,
        )
        .join(Run, in_window)
        .where(ids, Goal.kind == GoalKind.TOTAL.value)
        .group_by(Goal.id)
    )
    # Weekly goals by the hour from the goal's first local midnight: whole hours never
    # straddle a local midnight, so Python puts each hour in its local week exactly.
    hour = (epoch_seconds(Run.start_time) - epoch_seconds(Goal.starts_at)) // 3600
    weekly = (
        select(
            Goal.id,
            hour,
            func.sum(Run.distance_m),
            func.sum(Run.duration_s),
            func.count(Run.id),
            no_amount,
        )
        .join(Run, in_window)
        .where(ids, Goal.kind.in_((GoalKind.WEEKLY.value, GoalKind.HABIT.value)))
        .group_by(Goal.id, hour)
    )
    # A race: the fastest best effort at the distance, or a whole run at least that long
    # in less time (a race logged by hand has no track); suspect runs count for neither.
    effort = (
        select(Goal.id, no_hour, no_amount, no_amount, no_count, func.min(BestEffort.duration_s))
        .join(
            BestEffort,
            and_(
                BestEffort.user_id == Goal.user_id,
                BestEffort.label == Goal.race_label,
                BestEffort.achieved_at >= Goal.starts_at,
                BestEffort.achieved_at < Goal.ends_at,
            ),
        )
        .join(
            Run,
            and_(
                Run.id == BestEffort.run_id,
                Run.suspect_reason.is_(None),
                Run.visibility != "private" if public_only else true(),
            ),
        )
        .where(ids, Goal.kind == GoalKind.RACE.value)
        .group_by(Goal.id)
    )
    whole = (
        select(Goal.id, no_hour, no_amount, no_amount, no_count, func.min(Run.duration_s))
        .join(Run, and_(in_window, Run.distance_m >= Goal.race_distance_m))
        .where(ids, Goal.kind == GoalKind.RACE.value, Run.suspect_reason.is_(None))
        .group_by(Goal.id)
    )
    parts = [totals, weekly, effort, whole]
    if with_efforts:
        efforts_of = bindparam("user_id", type_=Integer)
        # What race predictions start from: the runner's recent best efforts and whole
        # runs of a mile and more (suspect ones aside), as rows without a goal.
        no_goal, since = cast(null(), Integer), bindparam("since", type_=UTCDateTime())
        parts.append(
            select(
                no_goal, no_hour, BestEffort.distance_m, BestEffort.duration_s, no_count, no_amount
            )
            .join(Run, and_(Run.id == BestEffort.run_id, Run.suspect_reason.is_(None)))
            .where(BestEffort.user_id == efforts_of, BestEffort.achieved_at >= since)
        )
        parts.append(
            select(no_goal, no_hour, Run.distance_m, Run.duration_s, no_count, no_amount).where(
                Run.user_id == efforts_of,
                Run.start_time >= since,
                Run.suspect_reason.is_(None),
                Run.distance_m >= SHORTEST_PREDICTOR_M,
            )
        )
    return union_all(*parts)


def counts(goals: list[Goal], *, public_only: bool = False) -> dict[int, Counted]:
    """Every goal's runs, in one statement (`public_only`: as others see them, without the
    runner's private runs)."""
    return counts_and_efforts(goals, None, None, public_only=public_only)[0]


def counts_and_efforts(
    goals: list[Goal], user_id: int | None, since: datetime | None, *, public_only: bool = False
) -> tuple[dict[int, Counted], list[tuple[float, float]]]:
    """Every goal's runs and, when a race goal is among them, the runner's efforts (metres,
    seconds) since `since` for its prediction: one statement."""
    found: dict[int, Counted] = {goal.id: Counted() for goal in goals}
    efforts: list[tuple[float, float]] = []
    if not goals:
        return found, efforts
    by_id = {goal.id: goal for goal in goals}
    racing = user_id is not None and any(goal.kind == GoalKind.RACE for goal in goals)
    statement = _counts_statement(racing, public_only)
    values = {"goal_ids": list(by_id), "user_id": user_id, "since": since} if racing else {}
    rows = db.session.execute(statement, values or {"goal_ids": list(by_id)})
    for goal_id, hour, distance, duration, runs, best in rows:
        if goal_id is None:
            efforts.append((distance, duration))
            continue
        counted = found[goal_id]
        if best is not None:
            counted.best_s = best if counted.best_s is None else min(counted.best_s, best)
            continue
        counted.distance_m += distance or 0.0
        counted.duration_s += duration or 0.0
        counted.runs += runs or 0
        if hour is not None:
            goal = by_id[goal_id]
            local = (goal.starts_at + timedelta(hours=int(hour))).astimezone(
                ZoneInfo(goal.timezone)
            )
            week = counted.weeks[(local.date() - goal.starts_on).days // 7]
            week[0] += distance or 0.0
            week[1] += duration or 0.0
            week[2] += runs or 0
    return found, efforts


@dataclass(frozen=True)
class Progress:
    """Where a goal stands, with the numbers behind the verdict (SI units, or runs).

    total: `done` of `target`, `expected` by today on an even pace, `projected` at the
    current trend, `needed_per_week` from today. weekly and habit: `weeks_met` of
    `weeks_due` finished weeks, `this_week` against the target. race: `best_s` in the
    window."""

    status: Status
    fraction: float  # 0 to 1, for the bar
    done: float = 0.0
    target: float = 0.0
    expected: float | None = None
    projected: float | None = None
    needed_per_week: float | None = None
    weeks_met: int = 0
    weeks_due: int = 0
    this_week: float | None = None
    days_left: int = 0
    best_s: float | None = None


def _today_in(goal: Goal, now: datetime) -> date:
    return now.astimezone(ZoneInfo(goal.timezone)).date()


def progress(
    goal: Goal, counted: Counted, now: datetime, race: RaceVerdict | None = None
) -> Progress:
    """The goal's standing at `now` (its own zone's today). A race goal is judged by the
    runner's predicted time (`race`, from `rules.judge_race`)."""
    today = _today_in(goal, now)
    days_total = (goal.ends_on - goal.starts_on).days + 1
    days_left = max(0, (goal.ends_on - today).days + 1) if today >= goal.starts_on else days_total
    if goal.kind == GoalKind.TOTAL:
        return _total(goal, counted, today, days_total, days_left)
    if goal.kind == GoalKind.RACE:
        return _race(goal, counted, today, days_left, race)
    return _weekly(goal, counted, today, days_left)


def _total(goal: Goal, counted: Counted, today: date, days_total: int, days_left: int) -> Progress:
    done = counted.amount(goal.measure)
    fraction = min(1.0, done / goal.target)
    if done >= goal.target:
        return Progress(Status.REACHED, 1.0, done, goal.target, days_left=days_left)
    if today > goal.ends_on:
        return Progress(Status.MISSED, fraction, done, goal.target)
    if today < goal.starts_on:
        return Progress(Status.UPCOMING, 0.0, 0.0, goal.target, days_left=days_left)
    elapsed = days_total - days_left + 1  # today counts as begun
    expected = goal.target * elapsed / days_total
    projected = done / elapsed * days_total
    needed = (goal.target - done) / (days_left / 7)
    if done >= expected * 1.05:
        status = Status.AHEAD
    elif projected >= goal.target:
        status = Status.ON_TRACK
    else:
        status = Status.BEHIND
    return Progress(
        status,
        fraction,
        done,
        goal.target,
        expected=expected,
        projected=projected,
        needed_per_week=needed,
        days_left=days_left,
    )


def _weekly(goal: Goal, counted: Counted, today: date, days_left: int) -> Progress:
    column = 2 if goal.kind == GoalKind.HABIT else (0 if goal.measure == Measure.DISTANCE else 1)
    weeks = goal.weeks
    current = (today - goal.starts_on).days // 7
    finished = max(0, min(weeks, current))
    met = sum(1 for w in range(finished) if counted.weeks[w][column] >= goal.target)
    this_week = counted.weeks[current][column] if 0 <= current < weeks else None
    kept = Progress(
        Status.ON_TRACK,
        0.0,
        target=goal.target,
        weeks_met=met,
        weeks_due=finished,
        this_week=this_week,
        days_left=days_left,
    )
    if today < goal.starts_on:
        return replace(kept, status=Status.UPCOMING)
    if finished == weeks:
        status = Status.REACHED if met == weeks else Status.MISSED
        return replace(kept, status=status, fraction=met / weeks)
    this_met = this_week is not None and this_week >= goal.target
    if met + this_met == weeks:
        return replace(kept, status=Status.REACHED, fraction=1.0)
    status = Status.BEHIND if met < finished else (Status.AHEAD if this_met else Status.ON_TRACK)
    return replace(kept, status=status, fraction=(met + this_met) / weeks)


def _race(
    goal: Goal, counted: Counted, today: date, days_left: int, race: RaceVerdict | None
) -> Progress:
    best = counted.best_s
    if best is not None and best <= goal.target:
        return Progress(Status.REACHED, 1.0, target=goal.target, best_s=best, days_left=days_left)
    if today > goal.ends_on:
        return Progress(Status.MISSED, 0.0, target=goal.target, best_s=best)
    if today < goal.starts_on:
        return Progress(Status.UPCOMING, 0.0, target=goal.target, days_left=days_left)
    if race is None:
        fraction = min(1.0, goal.target / best) if best else 0.0
        return Progress(Status.OPEN, fraction, target=goal.target, best_s=best, days_left=days_left)
    # The bar: how close the best time so far (or the predicted one) is to the target.
    nearest = best if race.predicted_s is None else race.predicted_s
    fraction = min(1.0, goal.target / nearest) if nearest else 0.0
    if race.predicted_s is None:
        status = Status.UNKNOWN
    elif race.predicted_s <= goal.target:
        status = Status.AHEAD
    else:
        status = Status.ON_TRACK if race.fits else Status.BEHIND
    return Progress(status, fraction, target=goal.target, best_s=best, days_left=days_left)
