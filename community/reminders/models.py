from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db_types import UTCDateTime, utcnow
from community.extensions import db


class SentReminder(db.Model):
    """A reminder sent: at most one of a kind about one thing to one runner, ever."""

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("user_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(64))  # what it is about: a run's id
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailOptOut(db.Model):
    """A kind of e-mail the runner does not want (settings, or the one-click unsubscribe)."""

    __tablename__ = "mail_opt_outs"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
