"""A challenge's rules in plain words, its totals in the viewer's units, and "on track"."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from community import units as u
from community.challenges.counting import SAFE_MODE_MIN_WEEK_M, goal_met
from community.challenges.models import KIND_LABELS, Challenge, ChallengeKind

DISTANCE_KINDS = frozenset(
    {ChallengeKind.DISTANCE.value, ChallengeKind.LONGEST_RUN.value, ChallengeKind.CLUB_GOAL.value}
)


def format_total(challenge: Challenge, value: float | None, units: str) -> str:
    """A total or goal as a person reads it, in km or miles by their choice."""
    if value is None:
        return "—"
    kind = challenge.kind
    if kind in DISTANCE_KINDS:
        return u.format_distance(value, units)
    if kind == ChallengeKind.FASTEST_EFFORT.value:
        # To the tenth the board ranks by (counting.EFFORT_DECIMALS): two rows that rank
        # differently never read the same.
        return u.format_effort(value)
    if kind == ChallengeKind.TIME.value:
        return u.format_duration(value)
    if kind == ChallengeKind.ELEVATION.value:
        return u.format_elevation(value, units)
    if kind == ChallengeKind.STREAK.value:
        weeks = round(value)
        return f"{weeks} week{'' if weeks == 1 else 's'}"
    runs = round(value)
    return f"{runs} run{'' if runs == 1 else 's'}"


def describe(challenge: Challenge, units: str) -> list[str]:
    """The rules, one sentence each, as shown on the challenge page."""
    goal = format_total(challenge, challenge.goal, units) if challenge.goal else None
    kind = challenge.kind
    first = f"{challenge.starts_on:%-d %B %Y}"
    last = f"{challenge.ends_on:%-d %B %Y}"
    lines = []
    if kind == ChallengeKind.CLUB_GOAL.value:
        lines.append(f"Together, the club runs {goal} from {first} to {last}. There is no ranking.")
    elif kind == ChallengeKind.STREAK.value:
        lines.append(
            f"Run at least {challenge.runs_per_week} times a week for {goal} in a row, "
            f"between {first} and {last}. Weeks run from Monday to Sunday."
        )
    elif kind == ChallengeKind.FASTEST_EFFORT.value:
        target = f" Beat {goal} to complete it." if goal else ""
        lines.append(
            f"Your fastest {challenge.effort_label} between {first} and {last} counts, taken "
            f"from the best efforts of runs uploaded with a GPS track (not those flagged as "
            f"suspect, faster than a world record).{target}"
        )
    else:
        what = KIND_LABELS[ChallengeKind(kind)].lower()
        target = f"Reach {goal} to complete it; the board ranks {what}." if goal else ""
        lines.append(f"{KIND_LABELS[ChallengeKind(kind)]} from {first} to {last}. {target}".strip())
    lines.append(
        f"Days are counted in {challenge.timezone}: a run counts by the local date and time it "
        f"started, from midnight at the start of {first} to midnight at the end of {last}."
    )
    lines.append(
        "Join any time before the end: your runs since the start count, also those "
        "logged before you joined."
    )
    if challenge.grace_days:
        lines.append(
            f"Late uploads: runs dated inside the challenge still count if logged up to "
            f"{challenge.grace_days} day{'' if challenge.grace_days == 1 else 's'} after the end."
        )
    else:
        lines.append("Runs must be logged by the end of the last day.")
    if challenge.freeze_hours:
        lines.append(
            f"The board freezes for the last {challenge.freeze_hours} hours: it shows the order "
            f"at the freeze while totals keep counting (you see your own), and the final "
            f"order is revealed at the end."
        )
    if challenge.safe_mode:
        lines.append(
            "Safe mode: each week counts up to your average weekly distance of the 4 weeks "
            "before it plus 10% (at least "
            f"{u.format_distance(SAFE_MODE_MIN_WEEK_M, units)}), so a sudden jump in volume is "
            "not rewarded."
        )
    if kind == ChallengeKind.FASTEST_EFFORT.value:
        lines.append(
            "Times count to the tenth of a second. Equal times share a rank; between them, "
            "whoever ran it first is listed first."
        )
    elif is_ranked(challenge):
        lines.append(
            "Equal totals share a rank; between them, whoever got there first is listed first."
        )
    return lines


def is_ranked(challenge: Challenge) -> bool:
    """A club goal is run together: nobody has a rank, on the board or on their own card."""
    return not challenge.is_cooperative


def goal_total(challenge: Challenge, own: float | None, together: float | None) -> float | None:
    """What the goal is measured against: the club's combined total for a club goal (the
    board and every entrant's card alike), otherwise the runner's own total."""
    return together if challenge.is_cooperative else own


@dataclass(frozen=True)
class Progress:
    fraction: float
    days_left: int
    # What is still needed each remaining day to reach the goal; None once reached.
    needed_per_day: float | None
    on_track: bool
    reached: bool

    @property
    def percent(self) -> float:
        return round(self.fraction * 100, 1)


def progress(challenge: Challenge, total: float | None, now: datetime) -> Progress | None:
    """How far along the goal a total is, and whether the pace so far will get there.

    `total` is what `goal_total` says the goal is measured against."""
    if challenge.goal is None or challenge.lower_is_better or total is None:
        return None
    fraction = min(1.0, total / challenge.goal)
    span = challenge.ends_at - challenge.starts_at
    elapsed = min(max(now - challenge.starts_at, timedelta(0)), span)
    left = span - elapsed
    days_left = math.ceil(left / timedelta(days=1))
    reached = goal_met(challenge, total)
    remaining = max(0.0, challenge.goal - total)
    needed = None if reached else remaining / max(days_left, 1)
    on_track = reached or (fraction >= elapsed / span if span else True)
    return Progress(fraction, days_left, needed, on_track, reached)
