from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db_types import UTCDateTime, utcnow
from community.extensions import db


class FollowStatus(StrEnum):
    # Asked to follow a runner who approves their followers, and not answered yet.
    PENDING = "pending"
    ACCEPTED = "accepted"


class Follow(db.Model):
    """One runner following another: accepted at once, or pending the other's approval."""

    __tablename__ = "follows"
    __table_args__ = (
        # One follow per pair: a double click or two tabs follow once.
        UniqueConstraint("follower_id", "followee_id"),
        CheckConstraint("follower_id <> followee_id", name="not_self"),
        CheckConstraint("status IN ('pending', 'accepted')", name="status_known"),
        CheckConstraint("(status = 'accepted') = (accepted_at IS NOT NULL)", name="accepted_when"),
        # A runner's followers and follow requests.
        Index("ix_follows_followee_id_status", "followee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follower_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    followee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
