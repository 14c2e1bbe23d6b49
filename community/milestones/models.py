from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db_types import UTCDateTime, utcnow
from community.extensions import db


class MilestoneKind(StrEnum):
    FIRST_RUN = "first_run"
    FIRST_5K = "first_5k"
    FIRST_10K = "first_10k"
    FIRST_HALF = "first_half"
    FIRST_MARATHON = "first_marathon"
    TOTAL_100 = "total_100"
    TOTAL_500 = "total_500"
    TOTAL_1000 = "total_1000"
    TOTAL_5000 = "total_5000"
    LONGEST_RUN = "longest_run"
    STREAK_4 = "streak_4"
    STREAK_12 = "streak_12"
    STREAK_26 = "streak_26"
    STREAK_52 = "streak_52"
    FIRST_GROUP_RUN = "first_group_run"
    FIRST_CHALLENGE = "first_challenge"
    GOAL_REACHED = "goal_reached"
    CLUB_ANNIVERSARY = "club_anniversary"


_KINDS_SQL = ", ".join(f"'{kind.value}'" for kind in MilestoneKind)


class Milestone(db.Model):
    """A milestone a runner earned, with the run that earned it.

    Never entered by hand: `services` derives every milestone from the runner's runs (and
    their group runs, challenges, goals and clubs), so `recompute` can rebuild them all and
    must give the same rows. `key` tells apart the milestones of one kind that a runner
    earns several times: the run of each new longest run, the goal reached, the club and
    year of an anniversary; it is empty for the rest, earned once.
    """

    __tablename__ = "milestones"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind_known"),
        UniqueConstraint("user_id", "kind", "key"),
        CheckConstraint(
            "kind IN ('goal_reached', 'first_challenge') OR run_id IS NOT NULL",
            name="run_earns_it",
        ),
        Index("ix_milestones_run_id", "run_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(40), default="")
    # The run that earned it; a deleted run takes its milestones with it (and the runner's
    # milestones are worked out again: another run may earn them).
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    # What it is about, for its title: a challenge's or goal's name, a club's.
    label: Mapped[str] = mapped_column(String(200), default="")
    earned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Milestone {self.user_id} {self.kind} {self.key!r}>"
