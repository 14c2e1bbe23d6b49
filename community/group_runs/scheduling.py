"""Scheduling, changing and cancelling group runs. Functions flush; the caller commits."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from community.accounts.models import User
from community.clubs.models import Club
from community.clubs.services import is_admin, membership_of
from community.extensions import db
from community.group_runs import events
from community.group_runs.models import GroupRun, PaceGroup, Rsvp, RsvpStatus
from community.group_runs.services import GroupRunError, NotAllowed, announce_roster_change
from community.realtime import emit_after_commit, user_room


@dataclass(frozen=True)
class PaceGroupSpec:
    name: str
    capacity: int | None = None
    no_drop: bool = False
    leader_id: int | None = None


def schedule_run(
    actor: User,
    club: Club,
    *,
    title: str,
    starts_at: datetime,
    meeting_point: str,
    now: datetime,
    description: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    planned_distance_m: float | None = None,
    rsvp_deadline: datetime | None = None,
    capacity: int | None = None,
    pace_groups: list[PaceGroupSpec] | None = None,
    route: list[tuple[float, float]] | None = None,
) -> GroupRun:
    """Schedule a run of `club` (owners and admins). Without pace groups the run has one
    group of `capacity` places (None: no limit)."""
    require_scheduler(club, actor)
    if starts_at <= now:
        raise GroupRunError("Schedule the run in the future.", field="date")
    if rsvp_deadline is not None and rsvp_deadline > starts_at:
        raise GroupRunError("The RSVP deadline must be before the start.", field="rsvp_deadline")
    check_place(latitude, longitude)
    specs = checked_groups(club.id, pace_groups or [PaceGroupSpec(name="", capacity=capacity)])
    run = GroupRun(
        club_id=club.id,
        created_by_id=actor.id,
        title=title.strip(),
        description=description.strip(),
        starts_at=starts_at,
        rsvp_deadline=rsvp_deadline,
        meeting_point=meeting_point.strip(),
        latitude=latitude,
        longitude=longitude,
        planned_distance_m=planned_distance_m,
        route=[list(point) for point in route] if route else None,
    )
    run.pace_groups = groups_from(specs)
    db.session.add(run)
    db.session.flush()
    return run


def may_schedule(club: Club, user_id: int) -> bool:
    """Admins schedule runs; members too when the club allows it."""
    membership = membership_of(club.id, user_id)
    return membership is not None and (membership.is_admin or club.members_schedule_runs)


def require_scheduler(club: Club, actor: User) -> None:
    if not may_schedule(club, actor.id):
        raise NotAllowed("Only the club's owner and admins can schedule runs.")


def require_admin(club_id: int, actor: User, action: str) -> None:
    if not is_admin(club_id, actor.id):
        raise NotAllowed(f"Only the club's owner and admins can {action}.")


def check_place(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise GroupRunError("Give both latitude and longitude, or neither.", field="latitude")


def checked_groups(club_id: int, specs: list[PaceGroupSpec]) -> list[PaceGroupSpec]:
    for spec in specs:
        if spec.capacity is not None and spec.capacity < 0:
            raise GroupRunError("A capacity can't be negative.", field="capacity")
        if spec.leader_id is not None and membership_of(club_id, spec.leader_id) is None:
            raise GroupRunError("A pace group's leader must be a club member.", field="pace_groups")
    if len({spec.name.strip().lower() for spec in specs}) != len(specs):
        raise GroupRunError("Give each pace group its own name.", field="pace_groups")
    return specs


def groups_from(specs: list[PaceGroupSpec]) -> list[PaceGroup]:
    return [
        PaceGroup(
            name=spec.name.strip(),
            position=index,
            capacity=spec.capacity,
            no_drop=spec.no_drop,
            leader_id=spec.leader_id,
        )
        for index, spec in enumerate(specs)
    ]


@dataclass(frozen=True)
class RunChanges:
    """What an admin may change on a scheduled run (times are UTC, already resolved)."""

    title: str
    starts_at: datetime
    meeting_point: str
    description: str = ""
    latitude: float | None = None
    longitude: float | None = None
    planned_distance_m: float | None = None
    rsvp_deadline: datetime | None = None


def change_run(actor: User, run: GroupRun, changes: RunChanges, *, now: datetime) -> None:
    """Edit one run. A new time or place bumps its calendar SEQUENCE and tells everyone
    going or waiting."""
    require_admin(run.club_id, actor, "change runs")
    if run.is_cancelled:
        raise GroupRunError("This run is cancelled.")
    if changes.starts_at <= now:
        raise GroupRunError("Schedule the run in the future.", field="date")
    if changes.rsvp_deadline is not None and changes.rsvp_deadline > changes.starts_at:
        raise GroupRunError("The RSVP deadline must be before the start.", field="rsvp_deadline")
    check_place(changes.latitude, changes.longitude)
    apply_changes(run, changes)


def apply_changes(run: GroupRun, changes: RunChanges) -> None:
    moved = (run.starts_at, run.meeting_point, run.latitude, run.longitude) != (
        changes.starts_at,
        changes.meeting_point.strip(),
        changes.latitude,
        changes.longitude,
    )
    run.title = changes.title.strip()
    run.starts_at = changes.starts_at
    run.meeting_point = changes.meeting_point.strip()
    run.description = changes.description.strip()
    run.latitude, run.longitude = changes.latitude, changes.longitude
    run.planned_distance_m = changes.planned_distance_m
    run.rsvp_deadline = changes.rsvp_deadline
    run.sequence += 1
    db.session.flush()
    if moved:
        tell_attendees(run, cancelled=False)
    announce_roster_change(run)


def tell_attendees(run: GroupRun, *, cancelled: bool) -> None:
    """Everyone going or waiting hears of a new time or place, or of the cancellation."""
    attending = list(
        db.session.scalars(
            select(Rsvp.user_id).where(
                Rsvp.run_id == run.id,
                Rsvp.status.in_([RsvpStatus.GOING.value, RsvpStatus.WAITLISTED.value]),
            )
        )
    )
    payload = {"run_id": run.id, "title": run.title, "cancelled": cancelled}
    for user_id in attending:
        emit_after_commit("run:changed", payload, room=user_room(user_id))
    events.run_changed.send(
        None, run_id=run.id, user_ids=attending, title=run.title, cancelled=cancelled
    )


def cancel_run(actor: User, run: GroupRun, *, now: datetime) -> None:
    """Cancel the run (admins): calendars get STATUS:CANCELLED, everyone going is told."""
    require_admin(run.club_id, actor, "cancel runs")
    if run.is_cancelled:
        raise GroupRunError("This run is already cancelled.")
    run.cancelled_at = now
    run.sequence += 1
    db.session.flush()
    tell_attendees(run, cancelled=True)
    announce_roster_change(run)
