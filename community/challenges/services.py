"""Challenge rules: creating, entering, leaving, monthly series. Functions flush; callers commit."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.activities.analysis import BEST_EFFORT_DISTANCES
from community.challenges import board_cache
from community.challenges.counting import standing_of
from community.challenges.models import Challenge, ChallengeEntry, ChallengeKind, MonthlySeries
from community.challenges.tally import (
    announce,
    freeze_if_due,
    remove_entries,
    save_standing,
    set_hidden_in,
)
from community.clubs.models import Club
from community.clubs.services import can_see_content, is_admin, membership_of
from community.db_types import utcnow
from community.extensions import db
from community.refusals import Refusal

MAX_WINDOW_DAYS = 366
MONTHLY_GOAL_M = 100_000.0


class ChallengeError(Refusal):
    """A request the challenge rules refuse; `field` names the form field it belongs to."""


class NotAllowed(ChallengeError):
    """The actor may not do this (a 403)."""


@dataclass(frozen=True)
class ChallengeSpec:
    """A challenge as entered, already in SI units (goal in metres, seconds, runs or weeks)."""

    title: str
    kind: str
    starts_on: date
    ends_on: date
    timezone: str = "UTC"
    description: str = ""
    goal: float | None = None
    effort_label: str | None = None
    runs_per_week: int | None = None
    grace_days: int = 3
    freeze_hours: int = 0
    safe_mode: bool = False


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a local day, in UTC (DST-safe: the zone decides the offset)."""
    return datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)


def can_manage(actor: User, club: Club | None) -> bool:
    """Club admins create a club's challenges; site admins create the site's."""
    if club is None:
        return actor.is_site_admin
    return is_admin(club.id, actor.id)


def can_view(challenge: Challenge, viewer_id: int | None) -> bool:
    """Site challenges are public; a club's follow the club (private: members only)."""
    return challenge.club is None or can_see_content(challenge.club, viewer_id)


def can_enter(user: User, challenge: Challenge) -> bool:
    return challenge.club_id is None or membership_of(challenge.club_id, user.id) is not None


def _check(spec: ChallengeSpec, club: Club | None, *, now: datetime) -> None:
    if not spec.title.strip():
        raise ChallengeError("Give the challenge a title.", field="title")
    if spec.kind not in {k.value for k in ChallengeKind}:
        raise ChallengeError("Choose what the challenge counts.", field="kind")
    if spec.timezone not in available_timezones():
        raise ChallengeError("Choose a time zone from the list.", field="timezone")
    if spec.ends_on < spec.starts_on:
        raise ChallengeError("The last day can't be before the first.", field="ends_on")
    if (spec.ends_on - spec.starts_on).days >= MAX_WINDOW_DAYS:
        raise ChallengeError("A challenge lasts a year at most.", field="ends_on")
    if local_midnight(spec.ends_on + timedelta(days=1), ZoneInfo(spec.timezone)) <= now:
        raise ChallengeError("The last day is already over.", field="ends_on")
    if spec.goal is not None and spec.goal <= 0:
        raise ChallengeError("A goal is above zero, or left empty.", field="goal")
    if not 0 <= spec.grace_days <= 30:
        raise ChallengeError("Late uploads: 0 to 30 days.", field="grace_days")
    if not 0 <= spec.freeze_hours <= 168:
        raise ChallengeError("Freeze: 0 to 168 hours.", field="freeze_hours")
    if spec.kind == ChallengeKind.FASTEST_EFFORT.value and (
        spec.effort_label not in BEST_EFFORT_DISTANCES
    ):
        raise ChallengeError("Choose the distance to race.", field="effort_label")
    if spec.kind == ChallengeKind.STREAK.value:
        if not spec.runs_per_week or not 1 <= spec.runs_per_week <= 14:
            raise ChallengeError("Runs a week: 1 to 14.", field="runs_per_week")
        if spec.goal is None or spec.goal != int(spec.goal):
            raise ChallengeError("Give the number of weeks in a row.", field="goal")
    if spec.kind == ChallengeKind.CLUB_GOAL.value:
        if club is None:
            raise ChallengeError("A club goal belongs to a club.", field="kind")
        if spec.goal is None:
            raise ChallengeError("A club goal needs a target.", field="goal")
    if spec.safe_mode and spec.kind not in (
        ChallengeKind.DISTANCE.value,
        ChallengeKind.CLUB_GOAL.value,
    ):
        raise ChallengeError("Safe mode caps weekly distance: use it with distance.", "safe_mode")


def _build(spec: ChallengeSpec, club: Club | None, creator: User | None) -> Challenge:
    zone = ZoneInfo(spec.timezone)
    kind = ChallengeKind(spec.kind)
    return Challenge(
        club_id=club.id if club else None,
        created_by_id=creator.id if creator else None,
        title=spec.title.strip(),
        description=spec.description.strip(),
        kind=kind.value,
        goal=spec.goal,
        effort_label=spec.effort_label if kind == ChallengeKind.FASTEST_EFFORT else None,
        runs_per_week=spec.runs_per_week if kind == ChallengeKind.STREAK else None,
        timezone=spec.timezone,
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        starts_at=local_midnight(spec.starts_on, zone),
        ends_at=local_midnight(spec.ends_on + timedelta(days=1), zone),
        grace_days=spec.grace_days,
        freeze_hours=spec.freeze_hours,
        safe_mode=spec.safe_mode,
    )


def create_challenge(
    actor: User, club: Club | None, spec: ChallengeSpec, *, now: datetime
) -> Challenge:
    """Create a club challenge (club admins) or a site challenge (site admins)."""
    if not can_manage(actor, club):
        raise NotAllowed(
            "Only the club's owner and admins can create its challenges."
            if club
            else "Only site admins can create challenges open to everyone."
        )
    _check(spec, club, now=now)
    challenge = _build(spec, club, actor)
    db.session.add(challenge)
    db.session.flush()
    return challenge


def entry_of(challenge_id: int, user_id: int) -> ChallengeEntry | None:
    return db.session.scalar(
        select(ChallengeEntry).where(
            ChallengeEntry.challenge_id == challenge_id, ChallengeEntry.user_id == user_id
        )
    )


def join(user: User, challenge: Challenge, *, now: datetime) -> ChallengeEntry:
    """Enter a challenge. Runs since its start count, those logged before joining too."""
    if not can_enter(user, challenge):
        raise NotAllowed("This challenge is for the club's members: join the club first.")
    if challenge.has_ended(now):
        raise ChallengeError("This challenge is over.")
    existing = entry_of(challenge.id, user.id)
    if existing is not None:
        return existing
    # Someone joining during a freeze is not on the frozen board.
    freeze_if_due(challenge, now)
    entry = ChallengeEntry(
        challenge_id=challenge.id,
        user_id=user.id,
        hidden=user.leaderboard_hidden,
        joined_at=now,
        total=0.0,
        score=0.0,
        reached_at=now,
    )
    try:
        # A second click or tab may get here at the same time: the unique key decides.
        # The challenge row is locked first, as leaving and rebuilding do.
        with db.session.begin_nested():
            board_cache.remember(
                db.session.execute(
                    update(Challenge)
                    .where(Challenge.id == challenge.id)
                    .values(
                        entrants=Challenge.entrants + 1, board_version=Challenge.board_version + 1
                    )
                    .returning(Challenge.id, Challenge.board_version)
                    .execution_options(synchronize_session=False)
                )
            )
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        db.session.expire(challenge, ["board_version"])  # remembered, then rolled back
        found = entry_of(challenge.id, user.id)
        if found is None:
            raise
        return found
    entry.challenge = challenge
    standing = standing_of(challenge, user.id, now)
    if not save_standing(entry, challenge, standing, now=now, entering=True):
        # Nothing counted yet: open boards still get the new row.
        announce(entry, challenge, now=now, was=None)
    db.session.flush()
    return entry


def leave(user: User, challenge: Challenge, *, now: datetime) -> None:
    """Leave before the end; the runner's runs stay theirs, and a rejoin counts them again.

    Leaving twice (two tabs at once) is harmless: the entry is looked for again under the
    challenge's lock, and only the request that removes it counts the runner out.
    """
    if challenge.has_ended(now):
        raise ChallengeError("The challenge is over: its final standings stay as they are.")
    if entry_of(challenge.id, user.id) is not None:
        remove_entries(user.id, [challenge], now=now)


def set_hidden(user: User, challenge: Challenge, hidden: bool) -> ChallengeEntry:
    """Hide from the public board, or show again; the total counts either way."""
    if challenge.is_cooperative:
        raise ChallengeError("A club goal is run together: nobody is ranked, so nobody hides.")
    entry = entry_of(challenge.id, user.id)
    if entry is None:
        raise ChallengeError("Join the challenge first.")
    if entry.hidden == hidden:
        return entry
    # Decided again under the challenge's lock: of two tabs at once, one moves the entry.
    set_hidden_in(user.id, [challenge], hidden, now=utcnow())
    return entry


def _month_bounds(now: datetime, zone: ZoneInfo) -> tuple[date, date]:
    today = now.astimezone(zone).date()
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _monthly_key(club: Club | None, now: datetime) -> str:
    first, _ = _month_bounds(now, club.zone if club else ZoneInfo("UTC"))
    return f"club:{club.id}:{first:%Y-%m}" if club else f"site:{first:%Y-%m}"


def _ensure_month(club: Club | None, goal_m: float, now: datetime) -> Challenge | None:
    zone = club.zone if club else ZoneInfo("UTC")
    first, last = _month_bounds(now, zone)
    key = _monthly_key(club, now)
    if db.session.scalar(select(Challenge.id).where(Challenge.monthly_key == key)):
        return None
    km = round(goal_m / 1000)
    spec = ChallengeSpec(
        title=f"{first:%B %Y}: run {km} km",
        kind=ChallengeKind.DISTANCE.value,
        starts_on=first,
        ends_on=last,
        timezone=zone.key,
        goal=goal_m,
        description=f"Run {km} km between the first and the last day of {first:%B}.",
    )
    challenge = _build(spec, club, None)
    challenge.monthly_key = key
    try:
        # Two requests (or a request and cron) may create it at once: the key decides.
        with db.session.begin_nested():
            db.session.add(challenge)
    except IntegrityError:
        return None
    return challenge


def _monthly_clubs() -> list[tuple[MonthlySeries, Club]]:
    return [
        (item, club)
        for item, club in db.session.execute(
            select(MonthlySeries, Club)
            .join(Club, Club.id == MonthlySeries.club_id)
            .where(MonthlySeries.active.is_(True))
            .order_by(MonthlySeries.id)
        )
    ]


def monthly_missing(now: datetime) -> bool:
    """Whether this month's site or club challenge is still to be created (a read only)."""
    keys = {_monthly_key(None, now), *(_monthly_key(club, now) for _, club in _monthly_clubs())}
    found = db.session.scalars(select(Challenge.monthly_key).where(Challenge.monthly_key.in_(keys)))
    return set(found) != keys


def ensure_monthly(now: datetime) -> list[Challenge]:
    """Create this month's site challenge and each opted-in club's, where missing."""
    created = [c for c in [_ensure_month(None, MONTHLY_GOAL_M, now)] if c]
    for item, club in _monthly_clubs():
        made = _ensure_month(club, item.goal_m, now)
        if made:
            created.append(made)
    db.session.flush()
    return created


def monthly_series_of(club_id: int) -> MonthlySeries | None:
    return db.session.scalar(select(MonthlySeries).where(MonthlySeries.club_id == club_id))


def set_monthly(
    actor: User, club: Club, *, active: bool, goal_m: float, now: datetime
) -> MonthlySeries:
    """Switch a club's monthly distance challenge on or off; on creates this month's now."""
    if not can_manage(actor, club):
        raise NotAllowed("Only the club's owner and admins can change its challenges.")
    if goal_m <= 0:
        raise ChallengeError("A monthly goal is above zero.", field="goal")
    series = monthly_series_of(club.id)
    if series is None:
        series = MonthlySeries(club_id=club.id, goal_m=goal_m, active=active)
        db.session.add(series)
    else:
        series.active = active
        series.goal_m = goal_m
    db.session.flush()
    if active:
        _ensure_month(club, goal_m, now)
        db.session.flush()
    return series
