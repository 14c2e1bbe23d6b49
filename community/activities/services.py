"""Logging, editing and deleting runs. Functions flush; the caller commits."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from community.accounts.models import User
from community.activities import records
from community.activities.events import RunChange, RunSnapshot, announce
from community.activities.models import Run, RunSource, RunType
from community.db_types import utcnow
from community.extensions import db

MAX_DISTANCE_M = 400_000.0  # longer than any single run we expect; 900 km is a typo
MAX_DURATION_S = 4 * 24 * 3600.0
FUTURE_TOLERANCE = timedelta(minutes=5)


class RunError(Exception):
    """Input the runs log refuses; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NeedsConfirmation(RunError):
    """Plausible only as a mistake; saved once the runner confirms it."""


class NotYourRun(RunError):
    """Only the runner who logged a run may change it (a 403)."""


@dataclass(frozen=True)
class RunDetails:
    """What a runner enters for a run, already in SI units and UTC."""

    start_time: datetime
    distance_m: float
    duration_s: float
    title: str = ""
    notes: str = ""
    run_type: str = RunType.EASY.value
    visibility: str = "public"
    elevation_gain_m: float | None = None
    effort: int | None = None


def default_title(start_time: datetime, user: User) -> str:
    hour = start_time.astimezone(user.zone).hour
    if 5 <= hour < 12:
        return "Morning Run"
    if 12 <= hour < 14:
        return "Lunch Run"
    if 14 <= hour < 18:
        return "Afternoon Run"
    if 18 <= hour < 22:
        return "Evening Run"
    return "Night Run"


def check_details(details: RunDetails, *, now: datetime, confirmed_fast: bool = False) -> None:
    """Raise RunError for values that cannot be right, NeedsConfirmation for unlikely ones."""
    if details.distance_m <= 0:
        raise RunError("Enter a distance above zero.", field="distance")
    if details.distance_m > MAX_DISTANCE_M:
        raise RunError("That is longer than any single run; check the distance.", field="distance")
    if details.duration_s <= 0:
        raise RunError("Enter a time above zero.", field="duration")
    if details.duration_s > MAX_DURATION_S:
        raise RunError("That is longer than any single run; check the time.", field="duration")
    if details.start_time > now + FUTURE_TOLERANCE:
        raise RunError("The run can't start in the future.", field="date")
    if details.elevation_gain_m is not None and not 0 <= details.elevation_gain_m <= 20_000:
        raise RunError("Enter an elevation gain between 0 and 20,000 m.", field="elevation_gain")
    if details.effort is not None and not 1 <= details.effort <= 10:
        raise RunError("Effort is from 1 (very easy) to 10 (all out).", field="effort")
    if details.run_type not in {t.value for t in RunType}:
        raise RunError("Choose a type of run.", field="run_type")
    if details.visibility not in {"public", "members", "private"}:
        raise RunError("Choose who can see this run.", field="visibility")
    # Beyond a world record is most likely miles typed as km or minutes as hours: the runner
    # is asked to confirm, and a confirmed run is kept, flagged as suspect.
    reason = records.pace_reason(details.distance_m, details.duration_s)
    if reason and not confirmed_fast:
        raise NeedsConfirmation(
            f"That pace is faster than the world record. {reason} Check the distance, the "
            "units and the time, or confirm that it is right (the run is then flagged as "
            "suspect).",
            field="distance",
        )


def _apply(run: Run, details: RunDetails, user: User) -> None:
    run.start_time = details.start_time
    run.distance_m = details.distance_m
    run.duration_s = details.duration_s
    run.title = details.title.strip() or default_title(details.start_time, user)
    run.notes = details.notes.strip()
    run.run_type = details.run_type
    run.visibility = details.visibility
    run.elevation_gain_m = details.elevation_gain_m
    run.effort = details.effort
    if not run.has_track:  # a file's run is judged by its best efforts, when imported
        run.suspect_reason = records.pace_reason(details.distance_m, details.duration_s)


def lock_runner(user_id: int) -> None:
    """One change to a runner's runs at a time (PostgreSQL; SQLite writes one at a time).

    What follows a run's change counts the runner's other runs (milestones count the runs
    before it): two of their runs logged at once must each see the other. Taken first,
    before any challenge's row, so that every run change locks in the same order. FOR NO
    KEY UPDATE: a run's insert holds a key-share lock on its runner, which this must not
    wait for."""
    if db.session.get_bind().dialect.name == "postgresql":
        # key_share=True: FOR NO KEY UPDATE on PostgreSQL.
        db.session.execute(
            select(User.id).where(User.id == user_id).with_for_update(key_share=True)
        )


def log_run(user: User, details: RunDetails, *, now: datetime, confirmed_fast: bool = False) -> Run:
    """Log a run entered by hand."""
    check_details(details, now=now, confirmed_fast=confirmed_fast)
    lock_runner(user.id)
    run = Run(user_id=user.id, created_at=now, source=RunSource.MANUAL.value)
    _apply(run, details, user)
    db.session.add(run)
    db.session.flush()
    announce(RunChange("created", None, RunSnapshot.of(run), at=now))
    return run


def _require_owner(user: User, run: Run) -> None:
    if run.user_id != user.id:
        raise NotYourRun("Only the runner who logged this run can change it.")


def update_run(
    user: User, run: Run, details: RunDetails, *, now: datetime, confirmed_fast: bool = False
) -> Run:
    """Edit a run. A run from a file keeps its measured distance, time and elevation."""
    _require_owner(user, run)
    if run.has_track:
        details = RunDetails(
            start_time=run.start_time,
            distance_m=run.distance_m,
            duration_s=run.duration_s,
            elevation_gain_m=run.elevation_gain_m,
            title=details.title,
            notes=details.notes,
            run_type=details.run_type,
            visibility=details.visibility,
            effort=details.effort,
        )
    check_details(details, now=now, confirmed_fast=confirmed_fast or run.has_track)
    lock_runner(user.id)
    before = RunSnapshot.of(run)
    _apply(run, details, user)
    db.session.flush()
    announce(RunChange("updated", before, RunSnapshot.of(run), at=now))
    return run


def delete_run(user: User, run: Run, *, now: datetime | None = None) -> None:
    _require_owner(user, run)
    lock_runner(user.id)
    before = RunSnapshot.of(run)
    db.session.execute(delete(Run).where(Run.id == run.id))
    db.session.expunge(run)
    announce(RunChange("deleted", before, None, at=now or utcnow()))
