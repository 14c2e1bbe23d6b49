"""The goals page as one page model: each goal in words, its progress and its verdict,
in three statements whatever the number of goals (the goals, their runs with the runner's
recent efforts, the runner's last twelve weeks)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community import units as u
from community.accounts.models import User
from community.activities.progress import bucket_totals, week_starts
from community.extensions import db
from community.goals import rules
from community.goals.models import Goal, GoalKind, Measure
from community.goals.progress import (
    Counted,
    Progress,
    Status,
    counts_and_efforts,
    progress,
)

HISTORY_WEEKS = 12
# Finished goals stay on the page this long, for the runner to look back on.
KEEP_FINISHED_DAYS = 90


def amount_text(measure: str | None, value: float, units: str) -> str:
    """A distance, a time or a count of runs as a person reads it."""
    if measure == Measure.DISTANCE:
        amount = u.from_metres(value, units)
        # 1,500 km and 48 km read better than 1500.00 and 48.00; short ones keep a tenth.
        shown = f"{amount:,.0f}" if amount >= 100 or amount == round(amount) else f"{amount:.1f}"
        return f"{shown} {'mi' if units == 'mi' else 'km'}"
    if measure == Measure.TIME:
        hours, minutes = divmod(round(value / 60), 60)
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    runs = round(value)
    return f"{runs} run{'' if runs == 1 else 's'}"


def title_of(goal: Goal, units: str) -> str:
    """The goal in one line: "1,000 km by 31 Dec 2027", "30 km a week for 8 weeks"."""
    by = f"{goal.ends_on:%-d %b %Y}"
    weeks = f"{goal.weeks} week{'' if goal.weeks == 1 else 's'}"
    if goal.kind == GoalKind.TOTAL:
        amount = amount_text(goal.measure, goal.target, units)
        return f"{amount} from {goal.starts_on:%-d %b} to {by}"
    if goal.kind == GoalKind.WEEKLY:
        return f"{amount_text(goal.measure, goal.target, units)} a week for {weeks}"
    if goal.kind == GoalKind.HABIT:
        return f"Run {round(goal.target)} times a week for {weeks}"
    return f"{goal.race_label} under {u.format_duration(goal.target)} by {by}"


@dataclass(frozen=True)
class GoalCard:
    goal: Goal
    title: str
    progress: Progress
    # Why it stands where it does, in words with the numbers.
    reason: str
    # Achievable? None once finished; `advice` is the warning, `fits` False with it.
    fits: bool | None
    advice: str
    suggestions: list[tuple[str, dict[str, str]]]  # nearer goals: label, the builder's fields
    steps: list["GoalCard"]


@dataclass(frozen=True)
class GoalsPage:
    active: list[GoalCard]
    finished: list[GoalCard]
    base_text: str  # the runner's last 4 weeks, for the builder's reference


def _history(user: User, now: datetime) -> dict[Measure, list[float]]:
    boundaries = week_starts(now, user.zone, HISTORY_WEEKS + 1)[:-1]  # full weeks only
    buckets = bucket_totals(user.id, boundaries)
    return {
        Measure.DISTANCE: [b.distance_m for b in buckets],
        Measure.TIME: [b.duration_s for b in buckets],
        Measure.RUNS: [float(b.runs) for b in buckets],
    }


def _reason(goal: Goal, standing: Progress, units: str) -> str:
    def amount(value: float | None) -> str:
        return amount_text(goal.measure, value or 0.0, units)

    status = standing.status
    if goal.kind == GoalKind.TOTAL:
        done = f"{amount(standing.done)} of {amount(goal.target)}"
        if status == Status.UPCOMING:
            return f"Starts {goal.starts_on:%-d %b}."
        if status in (Status.REACHED, Status.MISSED):
            return f"{done}."
        trend = (
            f"by today an even pace would be at {amount(standing.expected)}; "
            f"at your pace you finish with {amount(standing.projected)}"
        )
        need = f"{amount(standing.needed_per_week)} a week from today reaches it"
        return f"{done}: {trend}. {need} ({standing.days_left} days left)."
    if goal.kind in (GoalKind.WEEKLY, GoalKind.HABIT):
        measure = None if goal.kind == GoalKind.HABIT else goal.measure
        week = (
            f" This week: {amount_text(measure, standing.this_week, units)} of "
            f"{amount_text(measure, goal.target, units)}."
            if standing.this_week is not None
            else ""
        )
        if status == Status.UPCOMING:
            return f"Starts {goal.starts_on:%-d %b}."
        if standing.weeks_due == 0:
            return f"First week.{week}"
        weeks = f"{standing.weeks_due} week{'' if standing.weeks_due == 1 else 's'}"
        return f"{standing.weeks_met} of {weeks} so far met the target.{week}"
    best = (
        f"Your best {goal.race_label} since {goal.starts_on:%-d %b}: "
        f"{u.format_effort(standing.best_s)}."
        if standing.best_s
        else f"No {goal.race_label} run since {goal.starts_on:%-d %b} yet."
    )
    return best


Offer = tuple[str, dict[str, str]]  # a goal that fits, and the builder's fields for it


def form_fields(goal: Goal, units: str) -> dict[str, str]:
    """The builder's fields for `goal`: to edit it, or changed, to offer a nearer one."""
    fields = {
        "kind": goal.kind,
        "starts_on": goal.starts_on.isoformat(),
        "ends_on": goal.ends_on.isoformat(),
        "weeks": str(goal.weeks),
    }
    if goal.kind == GoalKind.RACE:
        fields |= {"race_label": goal.race_label or "", "race_time": u.format_duration(goal.target)}
    else:
        fields |= {
            "measure": goal.measure or "",
            "amount": _form_amount(goal.measure, goal.target, units),
        }
    return fields


def _form_amount(measure: str | None, value: float, units: str) -> str:
    if measure == Measure.DISTANCE:
        return f"{u.from_metres(value, units):g}"
    if measure == Measure.TIME:
        return f"{value / 3600:g}"
    return f"{round(value)}"


@dataclass(frozen=True)
class Advice:
    fits: bool | None
    text: str
    offers: list[Offer]
    race: rules.RaceVerdict | None = None


def _race_advice(goal: Goal, today: date, efforts: list[tuple[float, float]], units: str) -> Advice:
    race = rules.judge_race(goal.target, goal.race_distance_m or 0.0, goal.ends_on, today, efforts)
    if race.predicted_s is None or race.allows_s is None:
        return Advice(None, "Log a run of a mile or more to get a predicted time.", [], race)
    predicted = f"Your recent runs predict {u.format_duration(race.predicted_s)}"
    allows = u.format_duration(race.allows_s)
    if race.fits:
        return Advice(True, f"{predicted}; training can bring it to {allows} by then.", [], race)
    offers: list[Offer] = []
    fields = form_fields(goal, units)
    if race.lower_target_s:
        time = u.format_duration(race.lower_target_s)
        offers.append((f"{goal.race_label} under {time}", fields | {"race_time": time}))
    if race.later_end:
        later = race.later_end
        offers.append(
            (f"the same time by {later:%-d %b %Y}", fields | {"ends_on": later.isoformat()})
        )
    text = (
        f"{predicted}. About 0.5 % a week of training takes you to {allows} by "
        f"{goal.ends_on:%-d %b}, not {u.format_duration(goal.target)}."
    )
    return Advice(False, text, offers, race)


def _volume_advice(
    goal: Goal, done: float, today: date, history: dict[Measure, list[float]], units: str
) -> Advice:
    habit = goal.kind == GoalKind.HABIT
    measure = Measure.RUNS if habit else Measure(goal.measure or Measure.RUNS)
    shown = None if habit else goal.measure
    if goal.kind == GoalKind.TOTAL:
        verdict = rules.judge_total(
            measure, goal.target, done, goal.starts_on, goal.ends_on, today, history[measure]
        )
        asks = f"{amount_text(shown, verdict.asks, units)} still to go"
        allows = f"about {amount_text(shown, verdict.allows, units)} by {goal.ends_on:%-d %b}"
        per = ""
    else:
        verdict = rules.judge_weekly(
            measure, goal.target, goal.starts_on, goal.ends_on, today, history[measure]
        )
        asks = f"{amount_text(shown, verdict.asks, units)} a week"
        allows = f"{amount_text(shown, verdict.allows, units)} a week by its first week"
        per = " a week"
    base = f"your last 4 weeks averaged {amount_text(shown, verdict.base, units)} a week"
    if verdict.fits:
        return Advice(True, f"It asks {asks}; {base}.", [])
    fields = form_fields(goal, units)
    offers: list[Offer] = []
    if verdict.lower_target:
        amount = _form_amount(shown, verdict.lower_target, units)
        label = amount_text(shown, verdict.lower_target, units) + per
        offers.append((label, fields | {"amount": amount}))
    if verdict.later_end:
        later = verdict.later_end
        weeks = str(-(-((later - goal.starts_on).days + 1) // 7))
        changed = {"ends_on": later.isoformat(), "weeks": weeks}
        offers.append((f"the same until {later:%-d %b %Y}", fields | changed))
    text = f"It asks {asks}; {base}, and a safe build-up (10 % a week) allows {allows}."
    return Advice(False, text, offers)


def advice_for(
    goal: Goal,
    counted: Counted,
    today: date,
    history: dict[Measure, list[float]],
    efforts: list[tuple[float, float]],
    units: str,
) -> Advice:
    """Whether the goal fits the runner's history, the warning with its numbers, and the
    nearest goals that fit."""
    if goal.kind == GoalKind.RACE:
        return _race_advice(goal, today, efforts, units)
    return _volume_advice(goal, counted.amount(goal.measure), today, history, units)


def goals_page(user: User, now: datetime) -> GoalsPage:
    """The runner's goals, running first (soonest deadline first), then those finished in
    the last 90 days; steps under their goal."""
    goals = list(
        db.session.scalars(
            select(Goal)
            .options(joinedload(Goal.club))  # "shared with …" on the card
            .where(
                Goal.user_id == user.id,
                Goal.ends_at > now - timedelta(days=KEEP_FINISHED_DAYS),
            )
            .order_by(Goal.ends_at, Goal.id)
        )
    )
    since = now - timedelta(weeks=HISTORY_WEEKS)
    counted, efforts = counts_and_efforts(goals, user.id, since)
    history = _history(user, now)
    cards: dict[int, GoalCard] = {}
    for goal in goals:
        today = now.astimezone(user.zone).date()
        advice = advice_for(goal, counted[goal.id], today, history, efforts, user.units)
        standing = progress(goal, counted[goal.id], now, advice.race)
        finished = standing.status in (Status.REACHED, Status.MISSED)
        cards[goal.id] = GoalCard(
            goal,
            title_of(goal, user.units),
            standing,
            _reason(goal, standing, user.units),
            None if finished else advice.fits,
            "" if finished else advice.text,
            [] if finished else advice.offers,
            [],
        )
    for goal in goals:
        if goal.parent_id in cards:
            cards[goal.parent_id].steps.append(cards[goal.id])
    top = [card for card in cards.values() if card.goal.parent_id not in cards]
    finished = [c for c in top if c.progress.status in (Status.REACHED, Status.MISSED)]
    return GoalsPage(
        [c for c in top if c not in finished], finished, base_text(history, user.units)
    )


def base_text(history: dict[Measure, list[float]], units: str) -> str:
    """The runner's recent weeks in a line, for the builder's reference."""
    recent = history[Measure.DISTANCE][-rules.BASE_WEEKS :]
    if not any(recent):
        beginner = amount_text(Measure.DISTANCE, rules.BEGINNER_WEEK[Measure.DISTANCE], units)
        return (
            f"No runs in the last 4 weeks: goals are weighed from a beginner's {beginner} a week."
        )
    average = amount_text(Measure.DISTANCE, sum(recent) / len(recent), units)
    return f"Your last 4 weeks: {average} a week on average."


@dataclass(frozen=True)
class DashboardGoal:
    goal_id: int
    title: str
    progress: Progress


def dashboard_goals(user: User, now: datetime, limit: int = 5) -> list[DashboardGoal]:
    """The runner's running goals, soonest deadline first, steps aside: two statements."""
    goals = list(
        db.session.scalars(
            select(Goal)
            .where(Goal.user_id == user.id, Goal.parent_id.is_(None), Goal.ends_at > now)
            .order_by(Goal.ends_at, Goal.id)
            .limit(limit)
        )
    )
    counted, efforts = counts_and_efforts(goals, user.id, now - timedelta(weeks=HISTORY_WEEKS))
    today = now.astimezone(user.zone).date()
    shown = []
    for goal in goals:
        race = None
        if goal.kind == GoalKind.RACE:
            distance = goal.race_distance_m or 0.0
            race = rules.judge_race(goal.target, distance, goal.ends_on, today, efforts)
        standing = progress(goal, counted[goal.id], now, race)
        shown.append(DashboardGoal(goal.id, title_of(goal, user.units), standing))
    return shown
