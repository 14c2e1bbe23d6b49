from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, SmallInteger, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.activities.models import Run
from community.db_types import UTCDateTime, utcnow
from community.extensions import db

FEELINGS = {1: "Tough", 2: "Heavy", 3: "OK", 4: "Good", 5: "Great"}
MAX_TEXT = 500


class Reflection(db.Model):
    """A runner's look back at their week, written after one of its runs and kept with it
    (deleted with it). One a week, Monday to Sunday in the runner's zone; theirs alone."""

    __tablename__ = "reflections"
    __table_args__ = (
        UniqueConstraint("user_id", "week_start"),
        CheckConstraint("feeling BETWEEN 1 AND 5", name="feeling_known"),
        CheckConstraint(f"length(went_well) <= {MAX_TEXT}", name="went_well_short"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), unique=True)
    # The Monday of the run's week, in the runner's zone when they wrote it.
    week_start: Mapped[date] = mapped_column(Date)
    feeling: Mapped[int] = mapped_column(SmallInteger)
    went_well: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    run: Mapped[Run] = relationship()

    @property
    def feeling_word(self) -> str:
        return FEELINGS[self.feeling]
