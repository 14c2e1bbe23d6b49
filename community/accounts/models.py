from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, query_expression

from community.db_types import UTCDateTime, utcnow
from community.extensions import db

# What a username may be, as typed: the registration form checks it, the feed finds @mentions
# by it. It is stored lower-cased (accounts.services.normalise_username).
USERNAME_CHARS = "A-Za-z0-9_-"
USERNAME_PATTERN = f"[{USERNAME_CHARS}]{{3,30}}"


class Units(StrEnum):
    KM = "km"
    MI = "mi"


class Visibility(StrEnum):
    PUBLIC = "public"
    MEMBERS = "members"
    PRIVATE = "private"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Usernames and e-mails are stored folded, so plain unique constraints are
        # case-insensitive on every engine.
        CheckConstraint("username = lower(username)", name="username_lowercase"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("units IN ('km', 'mi')", name="units_known"),
        CheckConstraint(
            "default_visibility IN ('public', 'members', 'private')", name="visibility_known"
        ),
        CheckConstraint("session_version >= 1", name="session_version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    bio: Mapped[str] = mapped_column(Text, default="")
    units: Mapped[str] = mapped_column(String(2), default=Units.KM.value)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    default_visibility: Mapped[str] = mapped_column(String(10), default=Visibility.PUBLIC.value)
    session_version: Mapped[int] = mapped_column(default=1)
    # Still counted in challenges, but left off the boards other people see.
    leaderboard_hidden: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Site admins create the challenges open to everyone (`flask site-admin NAME`).
    is_site_admin: Mapped[bool] = mapped_column(default=False, server_default="0")
    # A private profile: each new follower waits for the runner's approval.
    approves_followers: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Why I run (goals): a short statement for the runner themself, shown on their profile
    # only if they choose to.
    why_i_run: Mapped[str] = mapped_column(String(280), default="", server_default="")
    why_i_run_public: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The avatar's key (community.images), in its URLs; None: initials on a colour instead.
    avatar_key: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The bell's count, read with the session's runner in the same statement
    # (security.load_user); None wherever a User is loaded otherwise.
    unread_notifications: Mapped[int | None] = query_expression()

    def get_id(self) -> str:
        # The session version travels in the session and remember-me cookies, so bumping
        # it revokes every cookie issued before (see accounts.services.end_all_sessions).
        return f"{self.id}:{self.session_version}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Block(db.Model):
    """A runner blocked another: the other no longer sees them or reaches them."""

    __tablename__ = "blocks"
    __table_args__ = (
        UniqueConstraint("blocker_id", "blocked_id"),
        CheckConstraint("blocker_id <> blocked_id", name="not_self"),
        # "Did either block the other", looked up from the blocked side too.
        Index("ix_blocks_blocked_id", "blocked_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    blocker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    blocked_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
