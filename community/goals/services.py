"""Setting, changing and deleting a runner's goals. Functions flush; callers commit."""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import delete, exists, select
from sqlalchemy.dialects import postgresql, sqlite

from community.accounts import blocks
from community.accounts.models import User
from community.activities.analysis import BEST_EFFORT_DISTANCES
from community.challenges.services import local_midnight
from community.clubs.services import membership_of
from community.db_types import utcnow
from community.extensions import db
from community.goals.models import Goal, GoalCheer, GoalKind, Measure
from community.refusals import Refusal

WHY_MAX = 280
# Long enough for "1,000 km in 2027" and a marathon build-up; a goal is time-bound.
MAX_GOAL_DAYS = 2 * 366
MAX_STEPS = 60


class GoalError(Refusal):
    """A goal the rules refuse; `field` names the form field it belongs to."""


class NotYours(GoalError):
    """The goal belongs to someone else (a 404: whether it exists is theirs to know)."""


@dataclass(frozen=True)
class GoalSpec:
    """A goal as entered, already in SI units: metres, seconds, runs, or runs a week."""

    kind: str
    target: float
    starts_on: date
    ends_on: date
    measure: str | None = None
    race_label: str | None = None
    timezone: str = "UTC"
    club_id: int | None = None


def _check(spec: GoalSpec, user: User, today: date) -> None:
    kinds = {kind.value for kind in GoalKind}
    if spec.kind not in kinds:
        raise GoalError("Choose what kind of goal it is.", field="kind")
    kind = GoalKind(spec.kind)
    if kind == GoalKind.TOTAL and spec.measure not in {m.value for m in Measure}:
        raise GoalError("Choose distance, time or runs.", field="measure")
    if kind == GoalKind.WEEKLY and spec.measure not in (Measure.DISTANCE, Measure.TIME):
        raise GoalError("Choose distance or time each week.", field="measure")
    if not spec.target > 0:
        raise GoalError("A target is above zero.", field="target")
    if kind == GoalKind.HABIT and not (1 <= spec.target <= 14 and spec.target == int(spec.target)):
        raise GoalError("Runs a week: a whole number from 1 to 14.", field="target")
    if kind == GoalKind.TOTAL and spec.measure == Measure.RUNS and spec.target != int(spec.target):
        raise GoalError("Runs: a whole number.", field="target")
    if kind == GoalKind.RACE and spec.race_label not in BEST_EFFORT_DISTANCES:
        raise GoalError("Choose the race distance.", field="race_label")
    if spec.timezone not in available_timezones():
        raise GoalError("Choose a time zone from the list.", field="timezone")
    if spec.ends_on < spec.starts_on:
        raise GoalError("The deadline can't be before the start.", field="ends_on")
    if (spec.ends_on - spec.starts_on).days >= MAX_GOAL_DAYS:
        raise GoalError("A goal lasts two years at most: set steps toward a longer aim.", "ends_on")
    if spec.ends_on < today:
        raise GoalError("The deadline has already passed.", field="ends_on")
    if spec.club_id is not None and membership_of(spec.club_id, user.id) is None:
        raise GoalError("Share a goal with a club you are in.", field="club_id")


def _apply(goal: Goal, spec: GoalSpec) -> None:
    kind = GoalKind(spec.kind)
    zone = ZoneInfo(spec.timezone)
    goal.kind = kind.value
    goal.measure = spec.measure if kind in (GoalKind.TOTAL, GoalKind.WEEKLY) else None
    goal.target = spec.target
    goal.race_label = spec.race_label if kind == GoalKind.RACE else None
    goal.race_distance_m = BEST_EFFORT_DISTANCES[spec.race_label] if goal.race_label else None
    goal.timezone = spec.timezone
    goal.starts_on, goal.ends_on = spec.starts_on, spec.ends_on
    goal.starts_at = local_midnight(spec.starts_on, zone)
    goal.ends_at = local_midnight(spec.ends_on + timedelta(days=1), zone)
    goal.club_id = spec.club_id


def create_goal(user: User, spec: GoalSpec, today: date, parent: Goal | None = None) -> Goal:
    """A new goal for `user`, checked to be specific, measurable and time-bound. Whether
    it is achievable is advice (`queries.verdict`), never a refusal."""
    _check(spec, user, today)
    if parent is not None and parent.user_id != user.id:
        raise NotYours("No such goal.")
    goal = Goal(user_id=user.id, parent_id=parent.id if parent else None)
    _apply(goal, spec)
    db.session.add(goal)
    db.session.flush()
    return goal


def update_goal(user: User, goal: Goal, spec: GoalSpec, today: date) -> Goal:
    if goal.user_id != user.id:
        raise NotYours("No such goal.")
    _check(spec, user, today)
    _apply(goal, spec)
    db.session.flush()
    return goal


def delete_goal(user: User, goal: Goal) -> None:
    """The goal and its steps."""
    if goal.user_id != user.id:
        raise NotYours("No such goal.")
    db.session.execute(delete(Goal).where(Goal.parent_id == goal.id))
    db.session.delete(goal)
    db.session.flush()


def suggest_steps(goal: Goal) -> list[GoalSpec]:
    """Short-term steps toward a long goal: a step a month for a total over more than two
    months (the target shared by days), else a step a week. Races and weekly goals are
    already weekly, so they get none."""
    if goal.kind != GoalKind.TOTAL or goal.weeks < 2:
        return []
    days = (goal.ends_on - goal.starts_on).days + 1
    periods: list[tuple[date, date]] = []
    day = goal.starts_on
    monthly = days > 62
    while day <= goal.ends_on and len(periods) < MAX_STEPS:
        if monthly:
            following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        else:
            following = day + timedelta(days=7)
        last = min(goal.ends_on, following - timedelta(days=1))
        periods.append((day, last))
        day = last + timedelta(days=1)
    base = GoalSpec(
        kind=GoalKind.TOTAL.value,
        target=0.0,
        starts_on=goal.starts_on,
        ends_on=goal.ends_on,
        measure=goal.measure,
        timezone=goal.timezone,
    )
    steps = []
    for first, last in periods:
        share = goal.target * ((last - first).days + 1) / days
        if goal.measure == Measure.RUNS:
            share = max(1.0, round(share))
        steps.append(replace(base, target=share, starts_on=first, ends_on=last))
    return steps


def add_suggested_steps(user: User, goal: Goal, today: date) -> list[Goal]:
    """The suggested steps as goals of their own under `goal`; none if it has steps."""
    if goal.user_id != user.id:
        raise NotYours("No such goal.")
    if db.session.scalar(select(exists().where(Goal.parent_id == goal.id))):
        return []
    # Steps already over are history, not goals to set.
    return [
        create_goal(user, step, today, parent=goal)
        for step in suggest_steps(goal)
        if step.ends_on >= today
    ]


def set_why_i_run(user: User, statement: str, public: bool) -> None:
    """The runner's reason to run, in their words: shown to them on their goals and when
    a goal falls behind, and on their profile only if `public`."""
    statement = " ".join(statement.split())
    if len(statement) > WHY_MAX:
        raise GoalError(f"Keep it short: {WHY_MAX} characters at most.", field="statement")
    user.why_i_run = statement
    user.why_i_run_public = public and bool(statement)
    db.session.flush()


def can_see_shared(goal: Goal, viewer_id: int) -> bool:
    """A goal shared with a club is for its members (the runner's blocks apply)."""
    return (
        goal.club_id is not None
        and (viewer_id == goal.user_id or membership_of(goal.club_id, viewer_id) is not None)
        and not blocks.between(viewer_id, goal.user_id)
    )


def cheer(user: User, goal: Goal) -> bool:
    """A club-mate cheers a shared goal, once: True if this was new. Two cheers at once
    make one row (the unique pair, and an insert that skips a conflict)."""
    if not can_see_shared(goal, user.id):
        raise NotYours("No such goal.")
    if goal.user_id == user.id:
        raise GoalError("Cheer your club-mates; your own goal has you already.")
    connection = db.session.connection()
    build = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    inserted = connection.execute(
        build(GoalCheer)
        .values(goal_id=goal.id, user_id=user.id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["goal_id", "user_id"])
        .returning(GoalCheer.id)
    )
    return inserted.scalar() is not None
