"""What the pages show of reflections: the prompt under a run, and a searchable journal."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from community.accounts.models import User
from community.activities.models import Run
from community.db_types import escape_like
from community.extensions import db
from community.reflections.models import Reflection

# A run older than this asks for no reflection (the week is long gone).
PROMPT_FOR = timedelta(days=8)


@dataclass(frozen=True)
class RunReflection:
    """Under the runner's own run: the reflection kept with it, or the prompt for one when
    its week has none yet and the run is recent."""

    run_id: int
    reflection: Reflection | None
    prompt: bool
    week_start: date
    # The week's reflection, kept with another of its runs.
    elsewhere: Reflection | None = None


def for_run(run: Run, user: User, now: datetime) -> RunReflection:
    day = run.start_time.astimezone(user.zone).date()
    monday = day - timedelta(days=day.weekday())
    rows = db.session.scalars(
        select(Reflection).where(
            Reflection.user_id == user.id,
            (Reflection.run_id == run.id) | (Reflection.week_start == monday),
        )
    ).all()
    mine = next((r for r in rows if r.run_id == run.id), None)
    elsewhere = next((r for r in rows if r.run_id != run.id), None)
    prompt = mine is None and not rows and now - run.start_time <= PROMPT_FOR
    return RunReflection(run.id, mine, prompt, monday, elsewhere)


def journal(user_id: int, words: str, page: int, per_page: int = 20) -> Pagination:
    """The runner's reflections, newest week first; with `words`, those whose text holds
    them (any case)."""
    statement = (
        select(Reflection)
        .join(Run, Run.id == Reflection.run_id)
        # Each entry names its run: read with it, not one query per entry.
        .options(contains_eager(Reflection.run))
        .where(Reflection.user_id == user_id)
        .order_by(Reflection.week_start.desc(), Reflection.id.desc())
    )
    if words.strip():
        pattern = f"%{escape_like(words.strip())}%"
        statement = statement.where(
            Reflection.went_well.ilike(pattern, escape="\\") | Run.title.ilike(pattern, escape="\\")
        )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)
