"""The runner's home page as one page model: this week against last week, the streak, the
next group runs, their clubs and, for a newcomer, the first steps still to take.

Home is the top layer: it reads the other features' queries and never writes."""

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import Integer, Select, bindparam, case, exists, literal, select

from community.accounts.models import User
from community.activities.models import Run
from community.activities.progress import streak_of, week_starts
from community.challenges.models import ChallengeEntry
from community.clubs.models import Membership
from community.clubs.queries import my_clubs
from community.db_types import UTCDateTime, epoch_seconds
from community.extensions import db
from community.group_runs.models import Rsvp
from community.group_runs.queries import NextRun, next_runs_of


@dataclass(frozen=True)
class Week:
    """This week so far (Monday 00:00 in the runner's zone until now) and last week."""

    distance_m: float
    duration_s: float
    runs: int
    last_distance_m: float
    last_duration_s: float
    last_runs: int

    @property
    def ahead_of_last_m(self) -> float:
        """How far this week is past last week's distance (negative: still behind)."""
        return self.distance_m - self.last_distance_m


@dataclass(frozen=True)
class FirstSteps:
    """The three steps that make a runner part of a club's life."""

    joined_club: bool
    answered_a_run: bool
    entered_challenge: bool

    @property
    def all_done(self) -> bool:
        return self.joined_club and self.answered_a_run and self.entered_challenge


@dataclass(frozen=True)
class Dashboard:
    week: Week
    streak_weeks: int
    has_runs: bool
    next_runs: list[NextRun]
    clubs: list[Membership]
    first_steps: FirstSteps


@cache
def _runs_and_flags() -> Select:
    """Every start time, newest first, for the streak (integers: cheap even for thousands
    of runs); distance and time only where a week's totals need them (from `since`), and
    the first-step flags. Joined onto one row so that a runner without runs still gets
    the flags. Built once: it runs on every visit home."""
    user_id = bindparam("user_id", type_=Integer)
    recent = Run.start_time >= bindparam("since", type_=UTCDateTime())
    one = select(literal(1).label("one")).subquery()
    return (
        select(
            epoch_seconds(Run.start_time),
            case((recent, Run.distance_m)),
            case((recent, Run.duration_s)),
            exists().where(Rsvp.user_id == user_id),
            exists().where(ChallengeEntry.user_id == user_id),
        )
        .select_from(one)
        .outerjoin(Run, Run.user_id == user_id)
        .order_by(Run.start_time.desc())
    )


def dashboard(user: User, now: datetime) -> Dashboard:
    """Everything the dashboard shows but the feed and the challenges (theirs come from
    their own features' page models), in three statements: the runner's runs with the
    first-step flags, their clubs, their next group runs."""
    zone = user.zone
    last_monday, this_monday, next_monday = (
        int(start.timestamp()) for start in week_starts(now, zone, 2)
    )
    since = datetime.fromtimestamp(last_monday, UTC)
    rows = db.session.execute(_runs_and_flags(), {"user_id": user.id, "since": since}).all()
    answered, entered = rows[0][3], rows[0][4]
    runs = [(start, distance, duration) for start, distance, duration, *_ in rows if start]
    this = [(d, t) for start, d, t in runs if this_monday <= start < next_monday]
    last = [(d, t) for start, d, t in runs if last_monday <= start < this_monday]
    clubs = my_clubs(user.id)
    return Dashboard(
        week=Week(
            sum(d for d, _ in this),
            sum(t for _, t in this),
            len(this),
            sum(d for d, _ in last),
            sum(t for _, t in last),
            len(last),
        ),
        streak_weeks=streak_of((start for start, *_ in runs), now, zone),
        has_runs=bool(runs),
        next_runs=next_runs_of(user.id, now),
        clubs=clubs,
        first_steps=FirstSteps(bool(clubs), bool(answered), bool(entered)),
    )
