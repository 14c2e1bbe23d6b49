"""Demo goals: a race, a weekly volume, a year's total with its monthly steps, a habit."""

from datetime import datetime, timedelta

from sqlalchemy import exists, select

from community.accounts.models import User
from community.clubs.models import Club
from community.extensions import db
from community.goals import services
from community.goals.models import Goal, Measure
from community.goals.services import GoalSpec


def seed_goals(runners: dict[str, User], now: datetime) -> int:
    """Goals for the demo runners that have none; returns the goals added."""
    added = 0
    riverside = db.session.scalar(select(Club.id).where(Club.slug == "riverside-runners"))
    for username, user in runners.items():
        if db.session.scalar(select(exists().where(Goal.user_id == user.id))):
            continue
        today = now.astimezone(user.zone).date()
        monday = today - timedelta(days=today.weekday())
        if username == "ana":
            # Five months at about 42 km a week, two of them behind her, with monthly steps.
            first = (today.replace(day=1) - timedelta(days=45)).replace(day=1)
            last = (today.replace(day=1) + timedelta(days=100)).replace(day=1) - timedelta(days=1)
            specs = [
                GoalSpec(
                    "race",
                    48 * 60,
                    today,
                    today + timedelta(weeks=10),
                    race_label="10 km",
                    club_id=riverside,  # her club-mates see it and cheer
                ),
                GoalSpec(
                    "weekly",
                    30_000,
                    monday,
                    monday + timedelta(weeks=8, days=-1),
                    Measure.DISTANCE,
                ),
            ]
            season = services.create_goal(
                user,
                GoalSpec("total", 900_000, first, last, Measure.DISTANCE, timezone=user.timezone),
                today,
            )
            services.add_suggested_steps(user, season, today)
            services.set_why_i_run(
                user, "To be the one who shows up on Tuesdays, rain or not.", public=True
            )
            added += 1
        else:
            specs = [GoalSpec("habit", 3, monday, monday + timedelta(weeks=12, days=-1))]
        for spec in specs:
            services.create_goal(
                user, GoalSpec(**{**spec.__dict__, "timezone": user.timezone}), today
            )
            added += 1
    return added
