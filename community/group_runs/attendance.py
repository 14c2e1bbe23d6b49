"""Attendance closes the loop: a logged run that matches a group run is "ran together".

A new run is linked automatically when it starts within 30 minutes of one of the runner's
clubs' group runs and within 500 m of its meeting point (or, for a run or meeting point
without a position, when the runner had said they were going). Runners link or unlink by
hand too. Subscribed to the runs log's `run_changed` event, so it never scans all runs.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.activities.events import RunChange, run_changed
from community.activities.models import Run
from community.activities.queries import track_points
from community.activities.tracks import surface_distance_m
from community.clubs.models import Membership
from community.extensions import db
from community.group_runs import events
from community.group_runs.models import Attendance, GroupRun, Rsvp, RsvpStatus
from community.group_runs.services import GroupRunError

TIME_TOLERANCE = timedelta(minutes=30)
PLACE_TOLERANCE_M = 500.0


def _start_position(run_id: int) -> tuple[float, float] | None:
    points = track_points(run_id) or []
    return next(((p.lat, p.lon) for p in points if p.lat is not None and p.lon is not None), None)


def _said_going(group_run_id: int, user_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(Rsvp.id).where(
                Rsvp.run_id == group_run_id,
                Rsvp.user_id == user_id,
                Rsvp.status == RsvpStatus.GOING.value,
            )
        )
    )


def matching_group_run(activity: Run) -> GroupRun | None:
    """The runner's clubs' group run this run most likely was, or None."""
    candidates = db.session.scalars(
        select(GroupRun)
        .join(Membership, Membership.club_id == GroupRun.club_id)
        .where(
            Membership.user_id == activity.user_id,
            GroupRun.cancelled_at.is_(None),
            GroupRun.starts_at.between(
                activity.start_time - TIME_TOLERANCE, activity.start_time + TIME_TOLERANCE
            ),
        )
    ).all()
    start = _start_position(activity.id) if candidates else None
    matches = []
    for group_run in candidates:
        if start is not None and group_run.latitude is not None and group_run.longitude is not None:
            near = surface_distance_m(*start, group_run.latitude, group_run.longitude)
            if near > PLACE_TOLERANCE_M:
                continue
        elif not _said_going(group_run.id, activity.user_id):
            continue
        matches.append(group_run)
    return min(matches, key=lambda g: abs(g.starts_at - activity.start_time), default=None)


def _link(group_run: GroupRun, activity: Run, linked_by: str) -> Attendance | None:
    try:
        with db.session.begin_nested():
            attendance = Attendance(
                group_run_id=group_run.id,
                user_id=activity.user_id,
                activity_id=activity.id,
                linked_by=linked_by,
            )
            db.session.add(attendance)
    except IntegrityError:
        return None  # already linked to this group run, or this run to another
    events.attended.send(None, group_run_id=group_run.id, user_id=activity.user_id)
    return attendance


def on_run_changed(sender: object, change: RunChange) -> None:
    if change.kind != "created" or change.after is None:
        return
    activity = db.session.get(Run, change.after.run_id)
    if activity is not None and (group_run := matching_group_run(activity)) is not None:
        _link(group_run, activity, "auto")


def link(user: User, group_run: GroupRun, activity_id: int) -> Attendance:
    """Link one of the runner's own runs to a group run of their club, by hand."""
    activity = db.session.get(Run, activity_id)
    if activity is None or activity.user_id != user.id:
        raise GroupRunError("Choose one of your own runs.", field="activity")
    is_member = db.session.scalar(
        select(Membership.id).where(
            Membership.club_id == group_run.club_id, Membership.user_id == user.id
        )
    )
    if not is_member:
        raise GroupRunError("Only the club's members can say they ran it.")
    attendance = _link(group_run, activity, "runner")
    if attendance is None:
        raise GroupRunError("That run or this group run is already linked.")
    return attendance


def unlink(user: User, group_run: GroupRun) -> None:
    attendance = db.session.scalar(
        select(Attendance).where(
            Attendance.group_run_id == group_run.id, Attendance.user_id == user.id
        )
    )
    if attendance is not None:
        db.session.delete(attendance)
        db.session.flush()
        events.unattended.send(None, group_run_id=group_run.id, user_id=user.id)


def attendees(group_run_id: int) -> list[Attendance]:
    return list(
        db.session.scalars(
            select(Attendance)
            .where(Attendance.group_run_id == group_run_id)
            .order_by(Attendance.created_at)
        )
    )


def regulars(club_id: int, *, since: datetime, limit: int = 5) -> list[tuple[User, int]]:
    """The club's most frequent group runners since `since`, most runs first."""
    count = func.count(Attendance.id).label("runs")
    rows = db.session.execute(
        select(User, count)
        .join(Attendance, Attendance.user_id == User.id)
        .join(GroupRun, GroupRun.id == Attendance.group_run_id)
        .where(GroupRun.club_id == club_id, GroupRun.starts_at >= since)
        .group_by(User.id)
        .order_by(count.desc(), User.display_name)
        .limit(limit)
    ).all()
    return [(user, runs) for user, runs in rows]


def runs_near(user_id: int, moment: datetime) -> list[Run]:
    """The runner's runs within a day of `moment`, for linking one by hand."""
    return list(
        db.session.scalars(
            select(Run)
            .where(
                Run.user_id == user_id,
                Run.start_time.between(moment - timedelta(days=1), moment + timedelta(days=1)),
            )
            .order_by(Run.start_time)
        )
    )


def attendance_count(user_id: int) -> int:
    return (
        db.session.scalar(select(func.count(Attendance.id)).where(Attendance.user_id == user_id))
        or 0
    )


def subscribe() -> None:
    run_changed.connect(on_run_changed)
