"""Recurring runs: a weekly or fortnightly series and its occurrences.

Each occurrence is its own run with its own RSVPs. Occurrences are made for a rolling
horizon, idempotently (UNIQUE(series_id, occurrence_date)): creating a series makes the
first weeks, and `flask group-runs extend` (daily, from cron) keeps the horizon full.
"""

from dataclasses import asdict, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.clubs.models import Club
from community.extensions import db
from community.group_runs.models import GroupRun, RunSeries
from community.group_runs.scheduling import (
    PaceGroupSpec,
    RunChanges,
    apply_changes,
    check_place,
    checked_groups,
    groups_from,
    require_admin,
    require_scheduler,
)
from community.group_runs.services import GroupRunError

HORIZON_WEEKS = 8


def occurrence_dates(series: RunSeries, *, first: date, last: date) -> list[date]:
    """The series' dates between `first` and `last` (both included)."""
    step = timedelta(weeks=series.interval_weeks)
    day = series.first_date
    if first > day:
        periods = -(-(first - day).days // step.days)  # ceiling division
        day += periods * step
    end = min(last, series.until_date) if series.until_date else last
    dates = []
    while day <= end:
        dates.append(day)
        day += step
    return dates


def local_start(series: RunSeries, day: date) -> datetime:
    """The occurrence's start in UTC: the series' clock time on that day, in the club's zone."""
    return datetime.combine(day, series.local_time, tzinfo=series.club.zone).astimezone(UTC)


def create_series(
    actor: User,
    club: Club,
    *,
    title: str,
    first_date: date,
    local_time: time,
    meeting_point: str,
    now: datetime,
    interval_weeks: int = 1,
    until_date: date | None = None,
    description: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    planned_distance_m: float | None = None,
    capacity: int | None = None,
    pace_groups: list[PaceGroupSpec] | None = None,
    route: list[tuple[float, float]] | None = None,
) -> RunSeries:
    """Start a recurring run and create its occurrences for the coming weeks."""
    require_scheduler(club, actor)
    if interval_weeks not in (1, 2):
        raise GroupRunError("Repeat every week or every two weeks.", field="repeat")
    if until_date is not None and until_date < first_date:
        raise GroupRunError("The series must end after its first run.", field="repeat_until")
    check_place(latitude, longitude)
    specs = checked_groups(club.id, pace_groups or [PaceGroupSpec(name="", capacity=capacity)])
    series = RunSeries(
        club_id=club.id,
        created_by_id=actor.id,
        title=title.strip(),
        description=description.strip(),
        meeting_point=meeting_point.strip(),
        latitude=latitude,
        longitude=longitude,
        planned_distance_m=planned_distance_m,
        first_date=first_date,
        local_time=local_time,
        interval_weeks=interval_weeks,
        until_date=until_date,
        capacity=capacity,
        pace_groups=[asdict(spec) for spec in specs],
        route=[list(point) for point in route] if route else None,
    )
    db.session.add(series)
    db.session.flush()
    if not extend_series(series, now=now):
        raise GroupRunError("The series has no run in the future.", field="date")
    return series


def extend_series(
    series: RunSeries, *, now: datetime, weeks: int = HORIZON_WEEKS
) -> list[GroupRun]:
    """Create the occurrences missing within the horizon; safe to run any number of times."""
    today = now.astimezone(series.club.zone).date()
    existing = set(
        db.session.scalars(select(GroupRun.occurrence_date).where(GroupRun.series_id == series.id))
    )
    created = []
    for day in occurrence_dates(series, first=today, last=today + timedelta(weeks=weeks)):
        starts_at = local_start(series, day)
        if day in existing or starts_at <= now:
            continue
        run = GroupRun(
            club_id=series.club_id,
            created_by_id=series.created_by_id,
            series_id=series.id,
            occurrence_date=day,
            title=series.title,
            description=series.description,
            starts_at=starts_at,
            meeting_point=series.meeting_point,
            latitude=series.latitude,
            longitude=series.longitude,
            planned_distance_m=series.planned_distance_m,
            route=series.route,
        )
        run.pace_groups = groups_from([PaceGroupSpec(**spec) for spec in series.pace_groups])
        try:
            with db.session.begin_nested():
                db.session.add(run)
        except IntegrityError:
            continue  # another process made this occurrence a moment ago
        created.append(run)
    return created


def extend_all(*, now: datetime) -> int:
    """Extend every series that has not ended; returns the number of runs created."""
    ongoing = db.session.scalars(
        select(RunSeries).where(
            (RunSeries.until_date.is_(None)) | (RunSeries.until_date >= now.date())
        )
    )
    return sum(len(extend_series(series, now=now)) for series in ongoing)


def change_following(
    actor: User, run: GroupRun, changes: RunChanges, *, now: datetime
) -> list[GroupRun]:
    """Apply a change to this occurrence and every later one of its series.

    The series is split at this run: the old one ends the day before, a new one carries
    the change from here on, so later occurrences are made with it too.
    """
    if run.series_id is None or run.occurrence_date is None:
        raise GroupRunError("This run is not part of a series.")
    series = db.session.get_one(RunSeries, run.series_id)
    require_admin(series.club_id, actor, "change runs")
    zone = series.club.zone
    new_local = changes.starts_at.astimezone(zone)
    if new_local.date() != run.occurrence_date:
        raise GroupRunError(
            "To move a series to another day, end it and start a new one.", field="date"
        )
    check_place(changes.latitude, changes.longitude)
    following = list(
        db.session.scalars(
            select(GroupRun)
            .where(GroupRun.series_id == series.id, GroupRun.occurrence_date >= run.occurrence_date)
            .order_by(GroupRun.occurrence_date)
        )
    )
    if run.occurrence_date > series.first_date:
        series = _split(series, run.occurrence_date, actor)
    series.title = changes.title.strip()
    series.description = changes.description.strip()
    series.meeting_point = changes.meeting_point.strip()
    series.latitude, series.longitude = changes.latitude, changes.longitude
    series.planned_distance_m = changes.planned_distance_m
    series.local_time = new_local.time().replace(tzinfo=None)
    db.session.flush()
    for occurrence in following:
        occurrence.series_id = series.id
        if occurrence.is_cancelled or occurrence.starts_at <= now:
            continue
        apply_changes(
            occurrence,
            replace(
                changes,
                starts_at=local_start(series, occurrence.occurrence_date),
                rsvp_deadline=None if occurrence is not run else changes.rsvp_deadline,
            ),
        )
    return following


def _split(series: RunSeries, day: date, actor: User) -> RunSeries:
    """End `series` before `day` and start its continuation there."""
    series.until_date, until = day - timedelta(days=1), series.until_date
    continuation = RunSeries(
        club_id=series.club_id,
        created_by_id=actor.id,
        title=series.title,
        description=series.description,
        meeting_point=series.meeting_point,
        latitude=series.latitude,
        longitude=series.longitude,
        planned_distance_m=series.planned_distance_m,
        first_date=day,
        local_time=series.local_time,
        interval_weeks=series.interval_weeks,
        until_date=until,
        capacity=series.capacity,
        pace_groups=list(series.pace_groups),
        route=series.route,
    )
    db.session.add(continuation)
    db.session.flush()
    return continuation
