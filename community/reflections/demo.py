"""A few weeks of reflections for the demo runners, so their journal has something in it."""

from datetime import datetime, timedelta

from sqlalchemy import select

from community.accounts.models import User
from community.activities.models import Run
from community.extensions import db
from community.reflections.models import Reflection
from community.reflections.services import week_start

THOUGHTS = {
    "ana": [
        (4, "Long run felt controlled; negative split on the last 5 km."),
        (3, "Heavy legs after Tuesday's hills, but the tempo held."),
        (5, "Best week of the block: every session done, and Sunday with the club."),
    ],
    "chloe": [
        (3, "Knee quiet all week. Kept it easy as planned."),
        (4, "First run over 8 km since the injury, no pain."),
    ],
}


def seed_reflections(users: dict[str, User], now: datetime) -> int:
    """Reflections on the demo runners' last weeks (one a week, on its first run); only
    what is missing."""
    added = 0
    for username, thoughts in THOUGHTS.items():
        user = users.get(username)
        if user is None:
            continue
        runs = db.session.scalars(
            select(Run)
            .where(
                Run.user_id == user.id, Run.start_time > now - timedelta(weeks=len(thoughts) + 1)
            )
            .order_by(Run.start_time)
        ).all()
        weeks: dict[object, Run] = {}
        for run in runs:
            weeks.setdefault(week_start(run, user), run)
        for (week, run), (feeling, text) in zip(
            sorted(weeks.items())[-len(thoughts) :], thoughts, strict=False
        ):
            taken = db.session.scalar(
                select(Reflection.id).where(
                    Reflection.user_id == user.id, Reflection.week_start == week
                )
            )
            if taken is None:
                db.session.add(
                    Reflection(
                        user_id=user.id,
                        run_id=run.id,
                        week_start=week,
                        feeling=feeling,
                        went_well=text,
                        created_at=now,
                        updated_at=now,
                    )
                )
                added += 1
    return added
