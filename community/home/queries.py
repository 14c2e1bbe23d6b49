"""The runner's home page as one page model: this week against last week, the streak, the
next group runs, their clubs and, for a newcomer, the first steps still to take.

Home is the top layer: it reads the other features' queries and never writes."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import (
    CompoundSelect,
    Integer,
    bindparam,
    case,
    exists,
    func,
    null,
    select,
    union_all,
)

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


# Start times are read grouped in spans shorter than any week, each as its first and last:
# a span holds at most one local Monday 00:00 (weeks are 167 to 169 hours long), so its
# first and last start fall in every week any of its starts does, and the streak is the
# same. A runner with 2,000 runs over two years sends 250 numbers, not 2,000 rows.
SPAN_S = 6 * 24 * 3600


@cache
def _runs_and_flags() -> CompoundSelect:
    """The runner's start times (epoch seconds) as each span's first and last, for the
    streak; then one row of this week's and last week's distance, time and runs with the
    first-step flags (an aggregate without GROUP BY: a row even for a runner without runs).
    The spans read the (user, start) index alone; only the two weeks' runs are read from
    the table. Built once: it runs on every visit home."""
    user_id = bindparam("user_id", type_=Integer)
    last, this, following = (
        bindparam(name, type_=UTCDateTime()) for name in ("last", "this", "next")
    )
    start = epoch_seconds(Run.start_time)
    nothing = [null()] * 8
    spans = (
        select(func.min(start), func.max(start), *nothing)
        .where(Run.user_id == user_id)
        .group_by(start // SPAN_S)
    )
    this_week = Run.start_time >= this
    weeks = select(
        null(),
        null(),
        *(
            total
            for week in (this_week, ~this_week)
            for total in (
                func.sum(case((week, Run.distance_m), else_=0.0)),
                func.sum(case((week, Run.duration_s), else_=0.0)),
                func.sum(case((week, 1), else_=0)),
            )
        ),
        exists().where(Rsvp.user_id == user_id),
        exists().where(ChallengeEntry.user_id == user_id),
    ).where(Run.user_id == user_id, Run.start_time >= last, Run.start_time < following)
    return union_all(spans, weeks)


def dashboard(user: User, now: datetime) -> Dashboard:
    """Everything the dashboard shows but the feed and the challenges (theirs come from
    their own features' page models), in three statements: the runner's runs with the
    first-step flags, their clubs, their next group runs."""
    zone = user.zone
    last, this, following = week_starts(now, zone, 2)
    rows = db.session.execute(
        _runs_and_flags(), {"user_id": user.id, "last": last, "this": this, "next": following}
    ).all()
    # The weeks' row is the one with flags (a union's rows come in no promised order).
    weeks = next(row for row in rows if row[8] is not None)
    starts = sorted({at for row in rows if row is not weeks for at in row[:2]}, reverse=True)
    totals = [value or 0 for value in weeks[2:8]]
    answered, entered = weeks[8], weeks[9]
    clubs = my_clubs(user.id)
    return Dashboard(
        week=Week(totals[0], totals[1], int(totals[2]), totals[3], totals[4], int(totals[5])),
        streak_weeks=streak_of(starts, now, zone),
        has_runs=bool(starts),
        next_runs=next_runs_of(user.id, now),
        clubs=clubs,
        first_steps=FirstSteps(bool(clubs), bool(answered), bool(entered)),
    )
