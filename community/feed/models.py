from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from community.accounts.models import User
from community.activities.models import Run
from community.challenges.models import Challenge
from community.clubs.models import Club
from community.db_types import UTCDateTime, utcnow
from community.extensions import db


class ItemKind(StrEnum):
    RUN = "run"
    CHALLENGE_COMPLETED = "challenge_completed"
    NEW_MEMBER = "new_member"
    PERSONAL_BEST = "personal_best"
    ATTENDED = "attended"
    # An announcement a club's owner or admins write, pinned at the top if they choose.
    POST = "post"
    # A club reached its club-goal challenge together (the actor's run took it over the line).
    CLUB_GOAL = "club_goal"


MAX_POST = 2000


_KINDS_SQL = ", ".join(f"'{kind.value}'" for kind in ItemKind)


class FeedItem(db.Model):
    """Something to cheer: a run logged, a challenge completed, a new club member.

    Who may see an item is decided when it is read, from what it points at (the run's
    visibility, the club's privacy, blocks), so a run made private later leaves every feed
    at once. Feeds page by id, newest first: a cursor that new items never shift.
    """

    __tablename__ = "feed_items"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind_known"),
        CheckConstraint("kind <> 'run' OR run_id IS NOT NULL", name="run_item_has_run"),
        CheckConstraint("kind <> 'new_member' OR club_id IS NOT NULL", name="member_has_club"),
        CheckConstraint(
            "kind <> 'personal_best' OR run_id IS NOT NULL", name="personal_best_has_run"
        ),
        CheckConstraint(
            "kind <> 'attended' OR (group_run_id IS NOT NULL AND club_id IS NOT NULL)",
            name="attended_has_group_run",
        ),
        CheckConstraint(
            f"kind <> 'post' OR (club_id IS NOT NULL AND length(body) BETWEEN 1 AND {MAX_POST})",
            name="post_has_club_and_body",
        ),
        CheckConstraint("kind = 'post' OR NOT pinned", name="only_posts_pinned"),
        CheckConstraint(
            "kind <> 'club_goal' OR (club_id IS NOT NULL AND challenge_id IS NOT NULL)",
            name="club_goal_has_club_and_challenge",
        ),
        # A club reaches a goal once: one item, however many runs crossed the line at once.
        Index(
            "ux_feed_items_club_goal_challenge_id",
            "challenge_id",
            unique=True,
            sqlite_where=text("kind = 'club_goal'"),
            postgresql_where=text("kind = 'club_goal'"),
        ),
        # A group run attended is that attendance: unlinked or its run deleted, it goes.
        CheckConstraint(
            "kind <> 'attended' OR attendance_id IS NOT NULL", name="attended_has_attendance"
        ),
        # One "ran" and one "personal bests" item a run; and the index its deletion cascades by.
        UniqueConstraint("run_id", "kind"),
        # A runner's items (profile feed, and the home feeds they appear in) and a club's.
        Index("ix_feed_items_actor_id_id", "actor_id", "id"),
        # What a kudos points at: the item and its runner together (see Kudos).
        UniqueConstraint("id", "actor_id"),
        Index("ix_feed_items_club_id_id", "club_id", "id"),
        # A club's pinned posts, newest first: a few rows, whatever the size of its feed.
        # Not a partial index: a query with its values as parameters could not use one.
        Index("ix_feed_items_club_id_kind_pinned_id", "club_id", "kind", "pinned", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The club it happened in, if any: its members (or everyone, if it is public) see it.
    club_id: Mapped[int | None] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    challenge_id: Mapped[int | None] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    group_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("group_runs.id", ondelete="CASCADE"), index=True
    )
    attendance_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendances.id", ondelete="CASCADE"), unique=True
    )
    # What it was called when it happened (a challenge's or group run's title, the personal
    # bests set), for the sentence shown.
    title: Mapped[str] = mapped_column(String(200), default="")
    # A club post's text (plain, escaped where shown) and whether it stays on top.
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    pinned: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A run's route as a small SVG polyline (drawn once, when the item is made).
    route: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Hidden by a club's admins (or the site's) after a report: its runner alone sees it.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor: Mapped[User] = relationship(lazy="joined")
    run: Mapped[Run | None] = relationship(lazy="joined")
    club: Mapped[Club | None] = relationship(lazy="joined")
    # Read with the item (a club goal's item shows the goal): no statement of its own.
    challenge: Mapped[Challenge | None] = relationship(lazy="joined")
    # Whether the viewer owns or admins the item's club (they moderate its comments and
    # posts), read with a page's items (feed.queries); None where loaded otherwise.
    viewer_runs_club: Mapped[bool | None] = query_expression()


class Kudos(db.Model):
    """A runner cheering an item: one each, taken back by deleting it."""

    __tablename__ = "kudos"
    __table_args__ = (
        # One per runner per item: a double click or two tabs never count twice.
        UniqueConstraint("item_id", "giver_id"),
        Index("ix_kudos_giver_id", "giver_id"),
        # The item's runner, kept beside it so the database itself refuses kudos on your own.
        ForeignKeyConstraint(
            ["item_id", "actor_id"], ["feed_items.id", "feed_items.actor_id"], ondelete="CASCADE"
        ),
        CheckConstraint("giver_id <> actor_id", name="not_own_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int]
    actor_id: Mapped[int]
    giver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Comment(db.Model):
    """A short comment on a feed item, in plain text (escaped wherever it is shown)."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint("length(body) BETWEEN 1 AND 500", name="body_length"),
        Index("ix_comments_item_id_id", "item_id", "id"),
        # What a report points at: the comment and its author together (see Report).
        UniqueConstraint("id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("feed_items.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Hidden by admins after a report: its author alone sees it.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship(lazy="joined")
    item: Mapped[FeedItem] = relationship()

    def deletable_by(self, user_id: int, item: FeedItem, admin_of: set[int]) -> bool:
        return Comment.may_delete(user_id, self.author_id, item, admin_of)

    @staticmethod
    def may_delete(user_id: int, author_id: int, item: FeedItem, admin_of: set[int]) -> bool:
        """Its author, the runner whose item it is on, or an admin of the item's club
        (`admin_of`: the clubs `user_id` owns or admins)."""
        return user_id in (author_id, item.actor_id) or item.club_id in admin_of


class ReportStatus(StrEnum):
    OPEN = "open"
    HIDDEN = "hidden"
    DISMISSED = "dismissed"


class Report(db.Model):
    """A runner asking a club's admins (or, outside clubs, the site's) to look at an item
    or a comment. Admins hide what was reported, or dismiss the report; the runner it is
    about is never one of them (nor told who reported them)."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("(item_id IS NULL) <> (comment_id IS NULL)", name="one_target"),
        CheckConstraint("status IN ('open', 'hidden', 'dismissed')", name="status_known"),
        CheckConstraint("length(reason) BETWEEN 1 AND 300", name="reason_length"),
        CheckConstraint("(status = 'open') = (decided_at IS NULL)", name="decided_unless_open"),
        # One report per runner per thing: a second click is not a second voice.
        UniqueConstraint("reporter_id", "item_id"),
        UniqueConstraint("reporter_id", "comment_id"),
        Index("ix_reports_club_id_status", "club_id", "status"),
        # The runner it is about is kept beside what was reported (the item's runner, the
        # comment's author), so the database itself refuses a report on one's own post and
        # a decision by the runner it is about.
        ForeignKeyConstraint(
            ["item_id", "subject_id"],
            ["feed_items.id", "feed_items.actor_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["comment_id", "subject_id"],
            ["comments.id", "comments.author_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("reporter_id <> subject_id", name="not_own_post"),
        CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> subject_id", name="not_decided_by_subject"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Whose admins decide: the club it was seen in; None for the site's admins.
    club_id: Mapped[int | None] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(index=True)
    comment_id: Mapped[int | None] = mapped_column(index=True)
    # Whom it is about: the item's runner, or the comment's author.
    subject_id: Mapped[int]
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default=ReportStatus.OPEN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id], lazy="joined")
    club: Mapped[Club | None] = relationship()
    # By id alone: subject_id is set from what is reported, never through these.
    item: Mapped[FeedItem | None] = relationship(foreign_keys=[item_id])
    comment: Mapped[Comment | None] = relationship(foreign_keys=[comment_id])
