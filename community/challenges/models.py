from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.clubs.models import Club
from community.db_types import UTCDateTime, utcnow
from community.extensions import db


class ChallengeKind(StrEnum):
    DISTANCE = "distance"
    TIME = "time"
    ELEVATION = "elevation"
    RUNS = "runs"
    LONGEST_RUN = "longest_run"
    FASTEST_EFFORT = "fastest_effort"
    STREAK = "streak"
    CLUB_GOAL = "club_goal"


KIND_LABELS = {
    ChallengeKind.DISTANCE: "Most distance",
    ChallengeKind.TIME: "Most time running",
    ChallengeKind.ELEVATION: "Most elevation gain",
    ChallengeKind.RUNS: "Most runs",
    ChallengeKind.LONGEST_RUN: "Longest single run",
    ChallengeKind.FASTEST_EFFORT: "Fastest effort over a distance",
    ChallengeKind.STREAK: "Weekly streak",
    ChallengeKind.CLUB_GOAL: "Club goal (together)",
}

_KINDS_SQL = ", ".join(f"'{kind.value}'" for kind in ChallengeKind)


class Challenge(db.Model):
    """A challenge over a window of whole local days in a published time zone.

    `starts_at`/`ends_at` are the window in UTC (local midnight of the first day, local
    midnight after the last), computed once from the dates and the zone when saved.
    """

    __tablename__ = "challenges"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind_known"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("ends_at > starts_at", name="window_not_empty"),
        CheckConstraint("goal IS NULL OR goal > 0", name="goal_positive"),
        CheckConstraint("grace_days BETWEEN 0 AND 30", name="grace_days_range"),
        CheckConstraint("freeze_hours BETWEEN 0 AND 168", name="freeze_hours_range"),
        CheckConstraint("entrants >= 0", name="entrants_not_negative"),
        CheckConstraint(
            "kind <> 'fastest_effort' OR effort_label IS NOT NULL", name="effort_has_distance"
        ),
        CheckConstraint(
            "kind <> 'streak' OR (runs_per_week >= 1 AND goal IS NOT NULL)",
            name="streak_has_rule",
        ),
        CheckConstraint(
            "runs_per_week IS NULL OR runs_per_week BETWEEN 1 AND 14", name="runs_per_week_range"
        ),
        CheckConstraint("kind <> 'club_goal' OR goal IS NOT NULL", name="club_goal_has_goal"),
        CheckConstraint("kind <> 'club_goal' OR club_id IS NOT NULL", name="club_goal_in_club"),
        # "Which challenges does this run fall in" and the listing of a club's challenges.
        Index("ix_challenges_club_id_ends_at", "club_id", "ends_at"),
        Index("ix_challenges_ends_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL: a site challenge, open to everyone.
    club_id: Mapped[int | None] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    # In SI units: metres, seconds, a count of runs, or weeks for a streak. For a fastest
    # effort, a target time in seconds. NULL: a pure leaderboard.
    goal: Mapped[float | None] = mapped_column(Float)
    effort_label: Mapped[str | None] = mapped_column(String(20))
    runs_per_week: Mapped[int | None]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    grace_days: Mapped[int] = mapped_column(default=3)
    freeze_hours: Mapped[int] = mapped_column(default=0)
    safe_mode: Mapped[bool] = mapped_column(Boolean, default=False)
    # "site:2026-12" or "club:7:2026-12" for the automatic monthly ones: one per month.
    monthly_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    # A club goal: when the club's combined total reached the goal (None again if a run
    # edited or deleted takes it back under).
    goal_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it first did: set once, so the club celebrates once (tally._settle_club_goal).
    goal_first_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many have entered, kept by join and leave (the page shows it without a count).
    entrants: Mapped[int] = mapped_column(default=0, server_default="0")
    # Moves with every change of a row on the public board: rows rendered for one version
    # are shared by every viewer until the next (board_cache.py).
    board_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the board's snapshot was taken, the first change after the freeze began.
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    club: Mapped[Club | None] = relationship()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def closes_at(self) -> datetime:
        """Runs logged after this no longer count, even if dated inside the window."""
        return self.ends_at + timedelta(days=self.grace_days)

    @property
    def freezes_at(self) -> datetime | None:
        if not self.freeze_hours:
            return None
        return max(self.starts_at, self.ends_at - timedelta(hours=self.freeze_hours))

    @property
    def is_cooperative(self) -> bool:
        return self.kind == ChallengeKind.CLUB_GOAL.value

    @property
    def lower_is_better(self) -> bool:
        return self.kind == ChallengeKind.FASTEST_EFFORT.value

    def counts_start(self, start_time: datetime) -> bool:
        return self.starts_at <= start_time < self.ends_at

    def is_open_at(self, now: datetime) -> bool:
        return now <= self.closes_at

    def has_started(self, now: datetime) -> bool:
        return now >= self.starts_at

    def has_ended(self, now: datetime) -> bool:
        return now >= self.ends_at

    def is_frozen_at(self, now: datetime) -> bool:
        freezes_at = self.freezes_at
        return freezes_at is not None and freezes_at <= now < self.ends_at

    def __repr__(self) -> str:
        return f"<Challenge {self.id} {self.kind}>"


class ChallengeEntry(db.Model):
    """One runner in one challenge, with their total kept up to date as runs change.

    `score` orders the board, higher first, for every kind (a fastest effort stores minus
    its seconds); NULL means nothing counts yet. `reached_at` is the start of the run that
    brought the runner to this score: equal scores go to whoever got there first.
    """

    __tablename__ = "challenge_entries"
    __table_args__ = (
        # One entry per runner and challenge: two clicks or two tabs join once.
        UniqueConstraint("challenge_id", "user_id"),
        CheckConstraint("total IS NULL OR total >= 0", name="total_not_negative"),
        CheckConstraint("(total IS NULL) = (score IS NULL)", name="score_with_total"),
        Index("ix_challenge_entries_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    total: Mapped[float | None] = mapped_column(Float)
    # Active history: the score histogram needs the old value of a score or hidden flag
    # set on an expired row (see histogram.py).
    score: Mapped[float | None] = mapped_column(Float, active_history=True)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Hidden from the public board (still counted, and shown to the runner).
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)
    # The standing when the board froze (see tally.freeze_if_due); NULL: not on it then.
    frozen_total: Mapped[float | None] = mapped_column(Float)
    frozen_score: Mapped[float | None] = mapped_column(Float)
    frozen_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
    challenge: Mapped[Challenge] = relationship()


# The board: top N, a runner's rank by an indexed count, and neighbours, in board order.
Index(
    "ix_challenge_entries_board",
    ChallengeEntry.challenge_id,
    ChallengeEntry.hidden,
    ChallengeEntry.score.desc(),
    ChallengeEntry.reached_at,
    ChallengeEntry.id,
)
# The same order over the snapshot, for boards during a freeze.
Index(
    "ix_challenge_entries_frozen_board",
    ChallengeEntry.challenge_id,
    ChallengeEntry.hidden,
    ChallengeEntry.frozen_score.desc(),
    ChallengeEntry.frozen_reached_at,
    ChallengeEntry.id,
)


class ScoreBucket(db.Model):
    """How many of a challenge's public board rows have a score inside one bucket.

    Kept by `histogram.py` on every flush that moves an entry; "my rank" sums the buckets
    above a score instead of counting every entry ahead. No check that `entrants` stays
    at or above 0: a flush's moves are one upsert whose proposed rows carry the changes,
    minus ones included, and a check would refuse those before their conflict is found.
    The property test and `flask challenges rebuild` hold the counts to the entries.
    """

    __tablename__ = "challenge_score_buckets"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    bucket: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entrants: Mapped[int] = mapped_column(default=0)


class MonthlySeries(db.Model):
    """A club's recurring monthly distance challenge (the site's own needs no row)."""

    __tablename__ = "challenge_monthly_series"
    __table_args__ = (CheckConstraint("goal_m > 0", name="goal_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"), unique=True)
    goal_m: Mapped[float] = mapped_column(Float, default=100_000.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
