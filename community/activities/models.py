from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.db_types import UTCDateTime, utcnow
from community.extensions import db


class RunType(StrEnum):
    EASY = "easy"
    LONG = "long"
    TEMPO = "tempo"
    INTERVALS = "intervals"
    RACE = "race"
    RECOVERY = "recovery"


class RunSource(StrEnum):
    MANUAL = "manual"
    GPX = "gpx"
    TCX = "tcx"
    FIT = "fit"


class Run(db.Model):
    """A logged run. Distances in metres, durations in seconds, times in UTC."""

    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint("distance_m > 0", name="distance_positive"),
        CheckConstraint("duration_s > 0", name="duration_positive"),
        CheckConstraint("moving_s IS NULL OR moving_s > 0", name="moving_positive"),
        CheckConstraint(
            "elevation_gain_m IS NULL OR elevation_gain_m >= 0", name="elevation_not_negative"
        ),
        CheckConstraint("effort IS NULL OR effort BETWEEN 1 AND 10", name="effort_scale"),
        CheckConstraint(
            "run_type IN ('easy', 'long', 'tempo', 'intervals', 'race', 'recovery')",
            name="run_type_known",
        ),
        CheckConstraint("visibility IN ('public', 'members', 'private')", name="visibility_known"),
        CheckConstraint("source IN ('manual', 'gpx', 'tcx', 'fit')", name="source_known"),
        # The same file uploaded twice by one runner is one run.
        UniqueConstraint("user_id", "file_hash"),
        # Progress pages and challenges read a runner's runs by time.
        Index("ix_runs_user_id_start_time", "user_id", "start_time"),
        # A club's week board reads the week's runs, then its members among them: without
        # this PostgreSQL read every run (36 ms for a 2,007-member club; 4 ms with it).
        Index("ix_runs_start_time", "start_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    notes: Mapped[str] = mapped_column(Text, default="")
    run_type: Mapped[str] = mapped_column(String(12), default=RunType.EASY.value)
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    start_time: Mapped[datetime] = mapped_column(UTCDateTime)
    distance_m: Mapped[float] = mapped_column(Float)
    duration_s: Mapped[float] = mapped_column(Float)
    moving_s: Mapped[float | None] = mapped_column(Float)
    elevation_gain_m: Mapped[float | None] = mapped_column(Float)
    effort: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(10), default=RunSource.MANUAL.value)
    file_hash: Mapped[str | None] = mapped_column(String(64))
    # Why the run is beyond belief (faster than a world record: activities.records), or
    # NULL. A suspect run is kept, but sets no personal best and counts in no fastest-effort
    # challenge.
    suspect_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()

    @property
    def pace_s_per_km(self) -> float:
        return self.duration_s / (self.distance_m / 1000)

    @property
    def has_track(self) -> bool:
        return self.source != RunSource.MANUAL.value

    def __repr__(self) -> str:
        return f"<Run {self.id} {self.distance_m:.0f} m>"


class RunTrack(db.Model):
    """A run's track points, packed into one blob (see activities.tracks.encode_points)."""

    __tablename__ = "run_tracks"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    point_count: Mapped[int]
    points: Mapped[bytes] = mapped_column(LargeBinary)
    # Where it started (its first point with a position), for the places a runner runs from
    # without unpacking every track; None for a track without positions (a treadmill).
    start_lat: Mapped[float | None] = mapped_column(Float)
    start_lon: Mapped[float | None] = mapped_column(Float)


class BestEffort(db.Model):
    """The fastest time for a standard distance within one run (from its track)."""

    __tablename__ = "best_efforts"
    __table_args__ = (
        UniqueConstraint("run_id", "label"),
        CheckConstraint("duration_s > 0", name="duration_positive"),
        # Personal bests: the fastest per runner and distance.
        Index("ix_best_efforts_user_id_label_duration_s", "user_id", "label", "duration_s"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(20))
    distance_m: Mapped[float] = mapped_column(Float)
    duration_s: Mapped[float] = mapped_column(Float)
    # The run's start, copied so that "the date each was set" needs no join.
    achieved_at: Mapped[datetime] = mapped_column(UTCDateTime)
