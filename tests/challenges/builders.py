"""Builders for challenge specs: real runners, clubs, runs and challenges, in one context."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from community.accounts import services as accounts
from community.accounts.models import User
from community.activities import services as runs
from community.activities.models import Run
from community.challenges import services
from community.challenges.models import Challenge
from community.clubs import services as clubs
from community.clubs.models import Club
from community.extensions import db
from tests.helpers import PASSWORD

# Challenges in these specs run in this month, so the clock is inside it.
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def runner(username: str, **fields: object) -> User:
    user = accounts.register_user(
        username=username,
        email=f"{username}@example.com",
        display_name=username.title(),
        password=PASSWORD,
    )
    for name, value in fields.items():
        setattr(user, name, value)
    db.session.flush()
    return user


def club(owner: User, slug: str = "riverside", **fields: str) -> Club:
    return clubs.create_club(owner, name=slug.title(), slug=slug, **fields)


def challenge(
    creator: User,
    in_club: Club | None = None,
    *,
    kind: str = "distance",
    starts_on: date = date(2026, 3, 1),
    ends_on: date = date(2026, 3, 31),
    **fields: object,
) -> Challenge:
    spec = services.ChallengeSpec(
        title=str(fields.pop("title", f"{kind} challenge")),
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        **fields,  # type: ignore[arg-type]
    )
    # Created as its window opens, so that a window long gone can still be set up.
    opens = services.local_midnight(spec.starts_on, ZoneInfo(spec.timezone))
    return services.create_challenge(creator, in_club, spec, now=opens)


def log(
    user: User,
    start: datetime,
    km: float = 5.0,
    minutes: float = 30.0,
    *,
    now: datetime | None = None,
    elevation: float | None = None,
) -> Run:
    details = runs.RunDetails(
        start_time=start,
        distance_m=km * 1000,
        duration_s=minutes * 60,
        elevation_gain_m=elevation,
    )
    return runs.log_run(user, details, now=now or max(start, NOW), confirmed_fast=True)


def edit(user: User, run: Run, *, now: datetime = NOW, **changes: object) -> Run:
    fields = {
        "start_time": run.start_time,
        "distance_m": run.distance_m,
        "duration_s": run.duration_s,
        "elevation_gain_m": run.elevation_gain_m,
        **changes,
    }
    return runs.update_run(
        user,
        run,
        runs.RunDetails(**fields),
        now=now,
        confirmed_fast=True,  # type: ignore[arg-type]
    )
