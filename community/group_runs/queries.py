"""Read-only queries for group-run pages."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import aliased, selectinload

from community.clubs.models import Club, Membership
from community.db_types import UTCDateTime
from community.extensions import db
from community.group_runs.models import ARRIVAL_ORDER, GroupRun, PaceGroup, Rsvp, RsvpStatus


def upcoming_for_club(club_id: int, now: datetime, limit: int = 5) -> list[GroupRun]:
    return list(
        db.session.scalars(
            select(GroupRun)
            .where(GroupRun.club_id == club_id, GroupRun.starts_at > now)
            .order_by(GroupRun.starts_at)
            .limit(limit)
        )
    )


def upcoming_for_member(user_id: int, now: datetime, limit: int = 50) -> list[GroupRun]:
    """The next runs of every club the runner belongs to, soonest first."""
    return list(
        db.session.scalars(
            select(GroupRun)
            .join(Membership, Membership.club_id == GroupRun.club_id)
            .where(Membership.user_id == user_id, GroupRun.starts_at > now)
            .options(selectinload(GroupRun.club))  # the page names each run's club
            .order_by(GroupRun.starts_at)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class NextRun:
    """A group run the runner is going to or waiting for, as their dashboard lists it."""

    run_id: int
    title: str
    club_name: str
    club_timezone: str
    starts_at: datetime
    meeting_point: str
    pace_group: str
    status: str  # going or waitlisted
    waitlist_place: int | None  # 1 = next in line; None when going


@cache
def _next_runs() -> Select:
    ahead = aliased(Rsvp)
    place = (
        select(func.count(ahead.id) + 1)
        .where(
            ahead.pace_group_id == Rsvp.pace_group_id,
            ahead.status == RsvpStatus.WAITLISTED.value,
            ahead.ticket < Rsvp.ticket,
        )
        .scalar_subquery()
    )
    return (
        select(
            GroupRun.id,
            GroupRun.title,
            Club.name,
            Club.timezone,
            GroupRun.starts_at,
            GroupRun.meeting_point,
            PaceGroup.name,
            Rsvp.status,
            place,
        )
        .join(Rsvp, Rsvp.run_id == GroupRun.id)
        .join(PaceGroup, PaceGroup.id == Rsvp.pace_group_id)
        .join(Club, Club.id == GroupRun.club_id)
        .where(
            Rsvp.user_id == bindparam("user_id"),
            Rsvp.status.in_([RsvpStatus.GOING.value, RsvpStatus.WAITLISTED.value]),
            GroupRun.starts_at > bindparam("now", type_=UTCDateTime()),
            GroupRun.cancelled_at.is_(None),
        )
        .order_by(GroupRun.starts_at, GroupRun.id)
        .limit(bindparam("limit"))
    )


def next_runs_of(user_id: int, now: datetime, limit: int = 3) -> list[NextRun]:
    """The runner's next group runs where they hold a place or wait for one, soonest
    first, with their place in the queue (arrival order, as the waitlist shows it)."""
    values = {"user_id": user_id, "now": now, "limit": limit}
    rows = db.session.execute(_next_runs(), values).all()
    return [
        NextRun(*row[:8], waitlist_place=row[8] if row.status == RsvpStatus.WAITLISTED else None)
        for row in rows
    ]


@dataclass
class GroupRoster:
    group: PaceGroup
    going: list[Rsvp] = field(default_factory=list)
    waiting: list[Rsvp] = field(default_factory=list)


def roster(run: GroupRun) -> tuple[list[GroupRoster], list[Rsvp]]:
    """Who is going and waiting per pace group (in order of arrival), and who said maybe."""
    groups = {group.id: GroupRoster(group) for group in run.pace_groups}
    maybe = []
    rows = db.session.scalars(select(Rsvp).where(Rsvp.run_id == run.id).order_by(*ARRIVAL_ORDER))
    for row in rows:
        if row.status == RsvpStatus.GOING.value and row.pace_group_id in groups:
            groups[row.pace_group_id].going.append(row)
        elif row.status == RsvpStatus.WAITLISTED.value and row.pace_group_id in groups:
            groups[row.pace_group_id].waiting.append(row)
        elif row.status == RsvpStatus.MAYBE.value:
            maybe.append(row)
    return list(groups.values()), maybe


def rsvp_of(run_id: int, user_id: int) -> Rsvp | None:
    return db.session.scalar(select(Rsvp).where(Rsvp.run_id == run_id, Rsvp.user_id == user_id))


def first_occurrence(series_id: int) -> GroupRun:
    return db.session.scalars(
        select(GroupRun).where(GroupRun.series_id == series_id).order_by(GroupRun.starts_at)
    ).first()  # type: ignore[return-value]
