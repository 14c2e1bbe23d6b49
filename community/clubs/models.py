from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.db_types import UTCDateTime, utcnow
from community.extensions import db


class ClubVisibility(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


# Who runs a club: its owner and admins moderate, post, pin and schedule. The one place
# this rule lives; `Membership.is_admin` says it in Python and in SQL alike.
ADMIN_ROLES = (Role.OWNER.value, Role.ADMIN.value)


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class MembershipEventKind(StrEnum):
    JOINED = "joined"
    APPROVED = "approved"
    DECLINED = "declined"
    REMOVED = "removed"
    LEFT = "left"
    PROMOTED = "promoted"
    DEMOTED = "demoted"
    OWNERSHIP_TRANSFERRED = "ownership_transferred"


class Club(db.Model):
    __tablename__ = "clubs"
    __table_args__ = (
        CheckConstraint("visibility IN ('public', 'private')", name="visibility_known"),
        CheckConstraint("slug = lower(slug)", name="slug_lowercase"),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"
        ),
        # A home is a point: half of one is no place.
        CheckConstraint(
            "(latitude IS NULL AND longitude IS NULL)"
            " OR (latitude IS NOT NULL AND longitude IS NOT NULL)",
            name="home_whole",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    visibility: Mapped[str] = mapped_column(String(10), default=ClubVisibility.PUBLIC.value)
    # Whether members, not only admins, may schedule group runs.
    members_schedule_runs: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The club's home area (where it usually runs from), shown on its page's map; optional.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # The club image's key (community.images), in its URLs; None: initials on a colour.
    image_key: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_private(self) -> bool:
        return self.visibility == ClubVisibility.PRIVATE.value

    def shows_content_to(self, membership: "Membership | None") -> bool:
        """Public clubs show everything; a private club's members, runs and feed are for
        its members (`membership`: the viewer's, if any)."""
        return not self.is_private or membership is not None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def has_home(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def __repr__(self) -> str:
        return f"<Club {self.slug}>"


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        # One membership per runner and club: concurrent joins cannot create two.
        UniqueConstraint("club_id", "user_id"),
        CheckConstraint("role IN ('owner', 'admin', 'member')", name="role_known"),
        Index("ix_memberships_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10), default=Role.MEMBER.value)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    club: Mapped[Club] = relationship()

    @hybrid_property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    @is_admin.inplace.expression
    @classmethod
    def _is_admin_expression(cls) -> ColumnElement[bool]:
        return cls.role.in_(ADMIN_ROLES)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER.value


class JoinRequest(db.Model):
    __tablename__ = "join_requests"
    __table_args__ = (
        UniqueConstraint("club_id", "user_id"),
        CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=RequestStatus.PENDING.value)
    message: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class ClubInvite(db.Model):
    __tablename__ = "club_invites"
    __table_args__ = (
        CheckConstraint("uses >= 0", name="uses_not_negative"),
        CheckConstraint("max_uses IS NULL OR max_uses > 0", name="max_uses_positive"),
        CheckConstraint("max_uses IS NULL OR uses <= max_uses", name="uses_within_limit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_uses: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    club: Mapped[Club] = relationship()

    def usable_at(self, now: datetime) -> bool:
        return (
            self.revoked_at is None
            and (self.expires_at is None or now < self.expires_at)
            and (self.max_uses is None or self.uses < self.max_uses)
        )


class MembershipEvent(db.Model):
    """A dated record of who joined, left, was approved or removed (the feed reads these)."""

    __tablename__ = "membership_events"
    __table_args__ = (Index("ix_membership_events_club_id_created_at", "club_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    club_id: Mapped[int] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
