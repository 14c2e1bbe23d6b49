"""Read-only queries for run pages."""

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from community.accounts import blocks
from community.activities.models import BestEffort, Run, RunTrack
from community.activities.tracks import TrackPoint, decode_points
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
    private runs for the runner alone; never for someone either of them blocked."""
    if viewer_id == run.user_id:
        return True
    if blocks.between(viewer_id, run.user_id):
        return False
    if run.visibility == "public":
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


def track_points(run_id: int) -> list[TrackPoint] | None:
    blob = db.session.scalar(select(RunTrack.points).where(RunTrack.run_id == run_id))
    return decode_points(blob) if blob is not None else None


def efforts_of(run_id: int) -> list[tuple[BestEffort, bool]]:
    """The run's best efforts, shortest distance first, each flagged when it was a personal
    best on the day it was set (nothing as fast or faster before it). Efforts of suspect
    runs (beyond a world record) are never personal bests, nor in the way of one."""
    earlier, earlier_run = aliased(BestEffort), aliased(Run)
    faster_before = (
        exists()
        .where(
            earlier.user_id == BestEffort.user_id,
            earlier.label == BestEffort.label,
            earlier.achieved_at < BestEffort.achieved_at,
            earlier.duration_s <= BestEffort.duration_s,
            earlier_run.id == earlier.run_id,
            earlier_run.suspect_reason.is_(None),
        )
        .correlate(BestEffort)
    )
    rows = db.session.execute(
        select(BestEffort, Run.suspect_reason.is_(None) & ~faster_before)
        .join(Run, Run.id == BestEffort.run_id)
        .where(BestEffort.run_id == run_id)
        .order_by(BestEffort.distance_m)
    ).all()
    return [(effort, bool(is_pb)) for effort, is_pb in rows]


def new_personal_bests(run_id: int) -> list[BestEffort]:
    """The run's efforts that beat (or, first of all, set) the runner's best before it."""
    return [effort for effort, is_pb in efforts_of(run_id) if is_pb]


def personal_bests(user_id: int) -> list[BestEffort]:
    """The fastest effort per distance; on a tie, the one set first. Suspect runs (beyond a
    world record) set none."""
    ranked = (
        select(
            BestEffort.id,
            func.row_number()
            .over(
                partition_by=BestEffort.label,
                order_by=(BestEffort.duration_s, BestEffort.achieved_at, BestEffort.id),
            )
            .label("rank"),
        )
        .join(Run, Run.id == BestEffort.run_id)
        .where(BestEffort.user_id == user_id, Run.suspect_reason.is_(None))
        .subquery()
    )
    return list(
        db.session.scalars(
            select(BestEffort)
            .join(ranked, ranked.c.id == BestEffort.id)
            .where(ranked.c.rank == 1)
            .order_by(BestEffort.distance_m)
        )
    )
