"""The runner's home page as one page model: this week against last week, the streak, the
next group runs, their clubs and, for a newcomer, the first steps still to take.

Home is the top layer: it reads the other features' queries and never writes."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select

from community.accounts.models import User
from community.activities.models import Run
from community.activities.progress import bucket_totals, week_starts, week_streak
from community.challenges.models import ChallengeEntry
from community.clubs.models import Membership
from community.clubs.queries import my_clubs
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


def dashboard(user: User, now: datetime) -> Dashboard:
    """Everything the dashboard shows but the feed and the challenges (theirs come from
    their own features' page models)."""
    zone = user.zone
    last, this = bucket_totals(user.id, week_starts(now, zone, 2))
    clubs = my_clubs(user.id)
    answered, entered, has_runs = db.session.execute(
        select(
            exists().where(Rsvp.user_id == user.id),
            exists().where(ChallengeEntry.user_id == user.id),
            exists().where(Run.user_id == user.id),
        )
    ).one()
    return Dashboard(
        week=Week(
            this.distance_m, this.duration_s, this.runs, last.distance_m, last.duration_s, last.runs
        ),
        streak_weeks=week_streak(user.id, now, zone) if has_runs else 0,
        has_runs=bool(has_runs),
        next_runs=next_runs_of(user.id, now),
        clubs=clubs,
        first_steps=FirstSteps(bool(clubs), bool(answered), bool(entered)),
    )
