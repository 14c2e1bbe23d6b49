from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from community.db_types import UTCDateTime
from community.extensions import db


class PeriodicRun(db.Model):
    """When a periodic task last started and finished, and what it did: the claim that
    lets one host run it when several try at once (`periodic.claim`)."""

    __tablename__ = "periodic_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(200), default="", server_default="")

    def __repr__(self) -> str:
        return f"<PeriodicRun {self.name} {self.started_at}>"
