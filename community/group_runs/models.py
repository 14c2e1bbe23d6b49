from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.clubs.models import Club
from community.db_types import UTCDateTime, utcnow
from community.extensions import db


class RsvpStatus(StrEnum):
    GOING = "going"
    WAITLISTED = "waitlisted"
    MAYBE = "maybe"
    NOT_GOING = "not_going"


class RunSeries(db.Model):
    """A recurring run ("every Tuesday at 18:30"): the template its occurrences are made from.

    The time is local to the club, so an occurrence after a daylight-saving change still
    starts at 18:30 on the clock.
    """

    __tablename__ = "run_series"
    __table_args__ = (
        CheckConstraint("interval_weeks IN (1, 2)", name="weekly_or_fortnightly"),
        CheckConstraint("until_date IS NULL OR until_date >= first_date", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    meeting_point: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    planned_distance_m: Mapped[float | None] = mapped_column(Float)
    first_date: Mapped[date] = mapped_column(Date)
    local_time: Mapped[time] = mapped_column(Time)
    interval_weeks: Mapped[int] = mapped_column(default=1)
    until_date: Mapped[date | None] = mapped_column(Date)
    capacity: Mapped[int | None]
    # [{"name", "capacity", "no_drop", "leader_id"}]: copied into each occurrence.
    pace_groups: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    route: Mapped[list[list[float]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    club: Mapped[Club] = relationship()


class GroupRun(db.Model):
    __tablename__ = "group_runs"
    __table_args__ = (
        # One occurrence per series and day: expanding a series twice creates nothing new.
        UniqueConstraint("series_id", "occurrence_date"),
        CheckConstraint(
            "planned_distance_m IS NULL OR planned_distance_m > 0", name="distance_positive"
        ),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"
        ),
        Index("ix_group_runs_club_id_starts_at", "club_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rsvp_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meeting_point: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    planned_distance_m: Mapped[float | None] = mapped_column(Float)
    # The planned route from a GPX file: [[lat, lon], ...], drawn like a run's track.
    route: Mapped[list[list[float]] | None] = mapped_column(JSON)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("run_series.id", ondelete="SET NULL"))
    occurrence_date: Mapped[date | None] = mapped_column(Date)
    # iCalendar SEQUENCE: bumped on every change a calendar should pick up.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    club: Mapped[Club] = relationship()
    pace_groups: Mapped[list["PaceGroup"]] = relationship(
        back_populates="run", order_by="PaceGroup.position", cascade="all, delete-orphan"
    )

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class PaceGroup(db.Model):
    """A group within a run with its own capacity; a run without groups has one, unnamed."""

    __tablename__ = "pace_groups"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("taken >= 0", name="taken_not_negative"),
        # The last line of defence against overbooking: the database refuses it.
        CheckConstraint("capacity IS NULL OR taken <= capacity", name="within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("group_runs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    capacity: Mapped[int | None]
    taken: Mapped[int] = mapped_column(default=0)
    # The last arrival number given out in this group (see Rsvp.ticket).
    last_ticket: Mapped[int] = mapped_column(default=0, server_default="0")
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    no_drop: Mapped[bool] = mapped_column(Boolean, default=False)

    run: Mapped[GroupRun] = relationship(back_populates="pace_groups")
    leader: Mapped[User | None] = relationship()

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.taken


class Rsvp(db.Model):
    __tablename__ = "rsvps"
    __table_args__ = (
        UniqueConstraint("run_id", "user_id"),
        CheckConstraint(
            "status IN ('going', 'waitlisted', 'maybe', 'not_going')", name="status_known"
        ),
        CheckConstraint(
            "status NOT IN ('going', 'waitlisted') OR pace_group_id IS NOT NULL",
            name="group_when_going",
        ),
        # A runner in a pace group has an arrival number there, and nobody else has it.
        CheckConstraint("(pace_group_id IS NULL) = (ticket IS NULL)", name="ticket_in_its_group"),
        UniqueConstraint("pace_group_id", "ticket"),
        # The waitlist, first come first served.
        Index("ix_rsvps_pace_group_id_status_ticket", "pace_group_id", "status", "ticket"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("group_runs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    pace_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("pace_groups.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(12))
    # Whether this runner holds one of the group's counted places (leaders do not).
    holds_place: Mapped[bool] = mapped_column(Boolean, default=False)
    # Arrival number in its pace group, given when the runner asks for a place there, under
    # the group's row lock: where the place is decided. A time read before the lock (or an
    # id from before it) let a request that reached the lock later queue ahead of one it
    # had beaten to the last place.
    ticket: Mapped[int | None]
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    pace_group: Mapped[PaceGroup | None] = relationship()


# First come, first served, in one order: the order places are given in, a pace group's
# waitlist is shown in and promotion takes from. Tickets are unique in a group; rows outside
# any group (maybe, not going) have none and keep the order they were made in.
ARRIVAL_ORDER = (Rsvp.ticket, Rsvp.queued_at, Rsvp.id)


class CalendarFeed(db.Model):
    """A runner's secret calendar subscription URL; a new token revokes the old one."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attendance(db.Model):
    """A logged run that was this group run ("ran together"), linked by time and place or
    by the runner."""

    __tablename__ = "attendances"
    __table_args__ = (
        UniqueConstraint("group_run_id", "user_id"),
        CheckConstraint("linked_by IN ('auto', 'runner')", name="linked_by_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_run_id: Mapped[int] = mapped_column(
        ForeignKey("group_runs.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), unique=True)
    linked_by: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
