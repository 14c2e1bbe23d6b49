"""The trophy case: a runner's milestones as a viewer may see them, and what comes next."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from community.activities.models import Run
from community.clubs.models import Membership
from community.extensions import db
from community.milestones import rules
from community.milestones.badges import BADGES, Badge, title
from community.milestones.models import Milestone
from community.milestones.models import MilestoneKind as K
from community.units import format_distance

# Milestones without a run (goals, the first challenge) are about private things: the
# runner's own goals, a challenge that may be a private club's. Only the runner sees them.
RUNLESS = (K.GOAL_REACHED, K.FIRST_CHALLENGE)


@dataclass(frozen=True)
class Trophy:
    kind: str
    title: str
    image: str
    earned_at: datetime
    run_id: int | None
    # The run's distance, for the longest run.
    distance_m: float | None = None


@dataclass(frozen=True)
class Locked:
    badge: Badge
    # What is left, in words with the numbers (for the runner themself), or how to earn it.
    hint: str


@dataclass(frozen=True)
class TrophyCase:
    trophies: list[Trophy]
    # The runner's own next badges (empty for others).
    next_up: list[Locked]
    total_m: float = 0.0

    def __bool__(self) -> bool:
        return bool(self.trophies or self.next_up)


def _rows(user_id: int, viewer_id: int | None):  # type: ignore[no-untyped-def]
    mine, theirs = aliased(Membership), aliased(Membership)
    shares = exists().where(
        mine.user_id == (viewer_id or 0), theirs.user_id == user_id, mine.club_id == theirs.club_id
    )
    return db.session.execute(
        select(
            Milestone.kind,
            Milestone.key,
            Milestone.label,
            Milestone.earned_at,
            Milestone.run_id,
            Run.distance_m,
            Run.visibility,
            shares,
        )
        .outerjoin(Run, Run.id == Milestone.run_id)
        .where(Milestone.user_id == user_id)
        .order_by(Milestone.earned_at.desc(), Milestone.id.desc())
    ).all()


def _visible(row, own: bool) -> bool:  # type: ignore[no-untyped-def]
    if own:
        return True
    if row.kind in RUNLESS or row.run_id is None:
        return False
    return row.visibility == "public" or (row.visibility == "members" and row[7])


def trophy_case(user_id: int, viewer_id: int | None, units: str = "km") -> TrophyCase:
    """Newest first; of the longest runs only the latest (the record that stands). For the
    runner themself, the badges still ahead, with the distance left to the next total."""
    own = viewer_id == user_id
    trophies: list[Trophy] = []
    earned: set[str] = set()
    for row in _rows(user_id, viewer_id):
        latest_longest = row.kind == K.LONGEST_RUN and K.LONGEST_RUN not in earned
        earned.add(row.kind)
        if not _visible(row, own) or (row.kind == K.LONGEST_RUN and not latest_longest):
            continue
        trophies.append(
            Trophy(
                row.kind,
                title(row.kind, row.key, row.label),
                BADGES[row.kind].image,
                row.earned_at,
                row.run_id,
                row.distance_m,
            )
        )
    if not own:
        return TrophyCase(trophies, [])
    total = db.session.scalar(
        select(func.coalesce(func.sum(Run.distance_m), 0.0)).where(
            Run.user_id == user_id, Run.suspect_reason.is_(None)
        )
    )
    return TrophyCase(trophies, _next_up(earned, float(total or 0.0), units), float(total or 0.0))


def _next_up(earned: set[str], total_m: float, units: str) -> list[Locked]:
    ahead: list[Locked] = []
    for kind, metres in rules.TOTALS:
        if kind not in earned:
            left = format_distance(max(0.0, metres - total_m), units)
            ahead.append(Locked(BADGES[kind], f"{left} to go"))
            break
    for kind, _ in rules.FIRSTS:
        if kind not in earned:
            ahead.append(Locked(BADGES[kind], BADGES[kind].how))
            break
    for kind, _ in rules.STREAKS:
        if kind not in earned:
            ahead.append(Locked(BADGES[kind], BADGES[kind].how))
            break
    if K.FIRST_GROUP_RUN not in earned:
        ahead.append(Locked(BADGES[K.FIRST_GROUP_RUN], BADGES[K.FIRST_GROUP_RUN].how))
    return ahead
