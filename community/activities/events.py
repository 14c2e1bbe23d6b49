"""The runs log's one domain event: a run was created, edited or deleted.

Challenges, milestones and group runs subscribe with `run_changed.connect(handler)`; a
handler gets `RunChange` with the run as it was before and after, so it can adjust its own
totals without re-reading every run. Handlers run inside the caller's transaction, in no set
order. `run_told` follows, for what tells others of the change (the feed): by then the
run's milestones are known, and its item is written once, with them.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from blinker import Namespace

from community.activities.models import Run
from community.db_types import utcnow

_signals = Namespace()
run_changed = _signals.signal("run-changed")
run_told = _signals.signal("run-told")


@dataclass(frozen=True)
class RunSnapshot:
    run_id: int
    user_id: int
    start_time: datetime
    distance_m: float
    duration_s: float
    elevation_gain_m: float | None
    visibility: str

    @classmethod
    def of(cls, run: Run) -> "RunSnapshot":
        return cls(
            run_id=run.id,
            user_id=run.user_id,
            start_time=run.start_time,
            distance_m=run.distance_m,
            duration_s=run.duration_s,
            elevation_gain_m=run.elevation_gain_m,
            visibility=run.visibility,
        )


@dataclass(frozen=True)
class RunChange:
    kind: Literal["created", "updated", "deleted"]
    before: RunSnapshot | None
    after: RunSnapshot | None
    # When it happened, by the caller's clock (a late upload is judged by this).
    at: datetime = field(default_factory=utcnow)


def announce(change: RunChange) -> None:
    run_changed.send(change.kind, change=change)
    run_told.send(change.kind, change=change)
