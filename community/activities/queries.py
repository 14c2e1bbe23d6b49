"""Read-only queries for run pages."""

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from community.activities.models import Run
from community.clubs.models import Membership
from community.extensions import db


def shares_a_club(user_a: int, user_b: int) -> bool:
    mine, theirs = aliased(Membership), aliased(Membership)
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    mine.user_id == user_a,
                    theirs.user_id == user_b,
                    mine.club_id == theirs.club_id,
                )
            )
        )
    )


def can_view(run: Run, viewer_id: int | None) -> bool:
    """Public runs are for everyone, "members" runs for people in a club with the runner,
    private runs for the runner alone."""
    if viewer_id == run.user_id or run.visibility == "public":
        return True
    if run.visibility == "members" and viewer_id is not None:
        return shares_a_club(viewer_id, run.user_id)
    return False


def runs_of(user_id: int, page: int, per_page: int = 20) -> Pagination:
    """A runner's own runs, newest first."""
    statement = (
        select(Run).where(Run.user_id == user_id).order_by(Run.start_time.desc(), Run.id.desc())
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)
