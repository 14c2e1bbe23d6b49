from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db_types import UTCDateTime, utcnow
from community.extensions import db


class YearShare(db.Model):
    """A runner chose to show their year in running to everyone (counted from their public
    runs only). No row: the page is theirs alone."""

    __tablename__ = "year_shares"
    __table_args__ = (
        UniqueConstraint("user_id", "year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_plausible"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    year: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
