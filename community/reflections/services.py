"""Writing a reflection: one a week, on one's own run."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.activities.models import Run
from community.extensions import db
from community.reflections.models import FEELINGS, MAX_TEXT, Reflection
from community.refusals import Refusal


class ReflectionError(Refusal):
    """A reflection the rules refuse; `field` names the form field it belongs to."""


class NotYours(LookupError):
    """Not the runner's own run: the same answer as no such run."""


@dataclass(frozen=True)
class Thoughts:
    feeling: int
    went_well: str


def week_start(run: Run, user: User) -> date:
    day = run.start_time.astimezone(user.zone).date()
    return day - timedelta(days=day.weekday())


def _check(thoughts: Thoughts) -> str:
    if thoughts.feeling not in FEELINGS:
        raise ReflectionError("Choose how the week felt.", "feeling")
    text = thoughts.went_well.strip()
    if len(text) > MAX_TEXT:
        raise ReflectionError(f"Keep it to {MAX_TEXT} characters.", "went_well")
    return text


def reflect(user: User, run: Run, thoughts: Thoughts, *, now: datetime) -> Reflection:
    """Write (or rewrite) the reflection kept with `run`. A week has one: another run of the
    same week that has it already is named in the refusal."""
    if run.user_id != user.id:
        raise NotYours("No such run.")
    text = _check(thoughts)
    week = week_start(run, user)
    found = db.session.scalar(
        select(Reflection).where(Reflection.user_id == user.id, Reflection.week_start == week)
    )
    if found is not None and found.run_id != run.id:
        raise ReflectionError(
            f"You reflected on this week already, after “{found.run.title}”: change it there."
        )
    if found is None:
        found = Reflection(user_id=user.id, run_id=run.id, week_start=week, created_at=now)
        try:
            with db.session.begin_nested():
                found.feeling, found.went_well, found.updated_at = thoughts.feeling, text, now
                db.session.add(found)
        except IntegrityError:  # the same week, written at the same moment from two tabs
            raise ReflectionError("You reflected on this week already.") from None
        return found
    found.feeling, found.went_well, found.updated_at = thoughts.feeling, text, now
    return found
