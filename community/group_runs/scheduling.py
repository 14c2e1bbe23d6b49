"""Scheduling, changing and cancelling group runs. Functions flush; the caller commits."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from community.accounts.models import User
from community.clubs.models import Club
from community.clubs.services import membership_of
from community.extensions import db
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
) -> GroupRun:
    """Schedule a run of `club` (owners and admins). Without pace groups the run has one
    group of `capacity` places (None: no limit)."""
    membership = membership_of(club.id, actor.id)
    if membership is None or not membership.is_admin:
        raise NotAllowed("Only the club's owner and admins can schedule runs.")
    if starts_at <= now:
        raise GroupRunError("Schedule the run in the future.", field="date")
    if rsvp_deadline is not None and rsvp_deadline > starts_at:
        raise GroupRunError("The RSVP deadline must be before the start.", field="rsvp_deadline")
    if (latitude is None) != (longitude is None):
        raise GroupRunError("Give both latitude and longitude, or neither.", field="latitude")
    specs = pace_groups or [PaceGroupSpec(name="", capacity=capacity)]
    for spec in specs:
        if spec.capacity is not None and spec.capacity < 0:
            raise GroupRunError("A capacity can't be negative.", field="capacity")
        if spec.leader_id is not None and membership_of(club.id, spec.leader_id) is None:
            raise GroupRunError("A pace group's leader must be a club member.", field="pace_groups")
    if len({spec.name.strip().lower() for spec in specs}) != len(specs):
        raise GroupRunError("Give each pace group its own name.", field="pace_groups")
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
    )
    run.pace_groups = [
        PaceGroup(
            name=spec.name.strip(),
            position=index,
            capacity=spec.capacity,
            no_drop=spec.no_drop,
            leader_id=spec.leader_id,
        )
        for index, spec in enumerate(specs)
    ]
    db.session.add(run)
    db.session.flush()
    return run


def cancel_run(actor: User, run: GroupRun, *, now: datetime) -> None:
    """Cancel the run (admins): calendars get STATUS:CANCELLED, everyone going is told."""
    membership = membership_of(run.club_id, actor.id)
    if membership is None or not membership.is_admin:
        raise NotAllowed("Only the club's owner and admins can cancel runs.")
    if run.is_cancelled:
        raise GroupRunError("This run is already cancelled.")
    run.cancelled_at = now
    run.sequence += 1
    db.session.flush()
    attending = db.session.scalars(
        select(Rsvp.user_id).where(
            Rsvp.run_id == run.id,
            Rsvp.status.in_([RsvpStatus.GOING.value, RsvpStatus.WAITLISTED.value]),
        )
    )
    for user_id in attending:
        emit_after_commit(
            "run:changed",
            {"run_id": run.id, "title": run.title, "cancelled": True},
            room=user_room(user_id),
        )
    announce_roster_change(run)
