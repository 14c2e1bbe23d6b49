from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.clubs.models import Club
from community.db_types import UTCDateTime, utcnow
from community.extensions import db


class GoalKind(StrEnum):
    TOTAL = "total"  # distance, time or runs over the whole period: 1,000 km in 2027
    WEEKLY = "weekly"  # distance or time every week: 30 km a week for 8 weeks
    RACE = "race"  # a time over a distance by a date: 10 km under 50:00 by 1 March
    HABIT = "habit"  # runs every week: 3 times a week for 12 weeks


class Measure(StrEnum):
    DISTANCE = "distance_m"
    TIME = "duration_s"
    RUNS = "runs"


_KINDS_SQL = ", ".join(f"'{kind.value}'" for kind in GoalKind)


class Goal(db.Model):
    """A runner's own goal over whole local days, in the zone they had when they set it.

    `target` is in SI units: metres, seconds or runs over the period (total), each week
    (weekly, habit), or the time to beat (race). Weeks are the goal's own: seven days from
    its first day. `starts_at`/`ends_at` are the window in UTC, computed once when saved.
    Progress is never stored: it is counted from the runs whenever it is shown.
    """

    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind_known"),
        CheckConstraint(
            "(kind = 'total' AND measure IS NOT NULL"
            " AND measure IN ('distance_m', 'duration_s', 'runs'))"
            " OR (kind = 'weekly' AND measure IS NOT NULL"
            " AND measure IN ('distance_m', 'duration_s'))"
            " OR (kind IN ('race', 'habit') AND measure IS NULL)",
            name="measure_fits_kind",
        ),
        CheckConstraint("target > 0", name="target_positive"),
        CheckConstraint("kind <> 'habit' OR target BETWEEN 1 AND 14", name="habit_range"),
        CheckConstraint(
            "(kind = 'race' AND race_label IS NOT NULL AND race_distance_m > 0)"
            " OR (kind <> 'race' AND race_label IS NULL AND race_distance_m IS NULL)",
            name="race_has_distance",
        ),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("ends_at > starts_at", name="window_not_empty"),
        Index("ix_goals_user_id_ends_at", "user_id", "ends_at"),
        Index("ix_goals_parent_id", "parent_id"),
        Index("ix_goals_club_id", "club_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # A step toward a longer goal (a month or a week of it); deleted with it.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    # Shared with a club, whose members see it and cheer; private when NULL.
    club_id: Mapped[int | None] = mapped_column(ForeignKey("clubs.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10))
    measure: Mapped[str | None] = mapped_column(String(10))
    target: Mapped[float] = mapped_column(Float)
    race_label: Mapped[str | None] = mapped_column(String(20))
    race_distance_m: Mapped[float | None] = mapped_column(Float)
    timezone: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    club: Mapped[Club | None] = relationship()

    @property
    def weeks(self) -> int:
        """Whole weeks from the first day to the last (a partial last week counts)."""
        return -(-((self.ends_on - self.starts_on).days + 1) // 7)

    def __repr__(self) -> str:
        return f"<Goal {self.id} {self.kind} {self.target}>"


class GoalCheer(db.Model):
    """A club-mate cheering a goal shared with their club: once each."""

    __tablename__ = "goal_cheers"
    __table_args__ = (UniqueConstraint("goal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
