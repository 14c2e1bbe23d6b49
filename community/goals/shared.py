"""Goals shared with a club: what its members see of them, and their cheers."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload

from community.accounts.models import Block
from community.extensions import db
from community.goals.models import Goal, GoalCheer
from community.goals.progress import Progress, counts, progress
from community.goals.queries import title_of


@dataclass(frozen=True)
class SharedGoal:
    goal: Goal
    title: str
    progress: Progress
    cheers: int
    cheered: bool  # by the viewer


def club_goals(club_id: int, viewer_id: int, units: str, now: datetime) -> list[SharedGoal]:
    """The running goals shared with a club, as a member sees them: counted without the
    runners' private runs, none of a runner the viewer blocked or is blocked by; three
    statements (goals with their runners, their runs, their cheers)."""
    blocked = exists().where(
        or_(
            and_(Block.blocker_id == viewer_id, Block.blocked_id == Goal.user_id),
            and_(Block.blocker_id == Goal.user_id, Block.blocked_id == viewer_id),
        )
    )
    goals = list(
        db.session.scalars(
            select(Goal)
            .options(joinedload(Goal.user))
            .where(Goal.club_id == club_id, Goal.ends_at > now, ~blocked)
            .order_by(Goal.ends_at, Goal.id)
            .limit(100)
        )
    )
    counted = counts(goals, public_only=True)
    cheers: dict[int, tuple[int, bool]] = {}
    if goals:
        rows = db.session.execute(
            select(
                GoalCheer.goal_id,
                func.count(GoalCheer.id),
                func.max(case((GoalCheer.user_id == viewer_id, 1), else_=0)),
            )
            .where(GoalCheer.goal_id.in_([goal.id for goal in goals]))
            .group_by(GoalCheer.goal_id)
        )
        cheers = {goal_id: (count, bool(mine)) for goal_id, count, mine in rows}
    return [
        SharedGoal(
            goal,
            title_of(goal, units),
            progress(goal, counted[goal.id], now),
            *cheers.get(goal.id, (0, False)),
        )
        for goal in goals
    ]
