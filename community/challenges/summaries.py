"""What other pages show of challenges: the runner's running challenges on the dashboard,
a club page's challenges and week board, a profile's badges. Each is a page model read in a
fixed number of statements, whatever the number of challenges or entrants, by the view of
the page (templates only render them)."""

import functools
import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, bindparam, case, func, select
from sqlalchemy.orm import aliased, contains_eager

from community.challenges import club_boards, histogram, rules
from community.challenges.models import Challenge, ChallengeEntry, ChallengeKind, MonthlySeries
from community.challenges.queries import visible_to
from community.clubs.models import Club
from community.db_types import UTCDateTime
from community.extensions import db


@dataclass(frozen=True)
class MyChallenge:
    """A running challenge on the runner's dashboard."""

    challenge: Challenge
    # What its goal is measured against (rules.goal_total), formatted in the runner's units.
    total: str
    goal: str | None
    progress: rules.Progress | None
    # A club goal: the total is the club's, run together.
    together: bool
    # Whole days until it ends, today counted while any of it is left.
    days_left: int
    # The runner's place on the board (where a hidden runner would be); None: no score
    # yet, or a club goal, which ranks nobody.
    rank: int | None = None


@functools.cache
def _running_entries() -> Select:
    others = aliased(ChallengeEntry)
    # A club goal's total is every entrant's, summed, read alongside.
    club_total = case(
        (
            Challenge.kind == ChallengeKind.CLUB_GOAL.value,
            select(func.coalesce(func.sum(others.total), 0.0))
            .where(others.challenge_id == ChallengeEntry.challenge_id)
            .scalar_subquery(),
        )
    )
    return (
        select(ChallengeEntry, club_total)
        .join(ChallengeEntry.challenge)
        .options(contains_eager(ChallengeEntry.challenge))
        .where(
            ChallengeEntry.user_id == bindparam("user_id"),
            Challenge.ends_at > bindparam("now", type_=UTCDateTime()),
        )
        .order_by(Challenge.ends_at, Challenge.id)
        .limit(20)
    )


def dashboard_challenges(user_id: int, units: str, now: datetime) -> list[MyChallenge]:
    """The runner's challenges still running, ending soonest first (two statements: the
    entries with their club goals' totals, and the ranks)."""
    values = {"user_id": user_id, "now": now}
    rows = db.session.execute(_running_entries(), values).all()
    entries = [entry for entry, _ in rows]
    together = {entry.challenge_id: float(total) for entry, total in rows if total is not None}
    # Ranks on the live board, from its histogram, as `my_standing` counts them.
    ahead = histogram.ahead_of_each(
        {
            e.challenge_id: e.score
            for e in entries
            if e.score is not None and rules.is_ranked(e.challenge)
        }
    )
    shown = []
    for entry in entries:
        challenge = entry.challenge
        total = rules.goal_total(challenge, entry.total, together.get(challenge.id))
        shown.append(
            MyChallenge(
                challenge,
                rules.format_total(challenge, total, units),
                rules.format_total(challenge, challenge.goal, units) if challenge.goal else None,
                rules.progress(challenge, total, now),
                challenge.is_cooperative,
                math.ceil((challenge.ends_at - now).total_seconds() / 86_400),
                ahead[challenge.id] + 1 if challenge.id in ahead else None,
            )
        )
    return shown


@dataclass(frozen=True)
class ClubChallenges:
    """A club page's challenge slots."""

    # This week's distance board, top five.
    week: list[club_boards.BoardRow]
    current: list[Challenge]
    # The club's monthly distance challenge setting (None: never switched on).
    monthly: MonthlySeries | None


def club_page(club: Club, viewer_id: int | None, now: datetime) -> ClubChallenges:
    """What a club page shows of challenges (the page has checked the viewer may see the
    club, so every challenge of the club): two statements."""
    # The monthly setting rides along with the club's current challenges (one row per
    # challenge, or a single row without one).
    rows = db.session.execute(
        select(MonthlySeries, Challenge)
        .select_from(Club)
        .outerjoin(MonthlySeries, MonthlySeries.club_id == Club.id)
        .outerjoin(Challenge, and_(Challenge.club_id == Club.id, Challenge.ends_at > now))
        .where(Club.id == club.id)
        .order_by(Challenge.starts_at, Challenge.id)
        .limit(100)
    ).all()
    return ClubChallenges(
        week=club_boards.weekly(club, now, top=5),
        current=[challenge for _, challenge in rows if challenge is not None],
        monthly=rows[0][0] if rows else None,
    )


@dataclass(frozen=True)
class Badge:
    challenge_id: int
    title: str
    completed_at: datetime


def badges_for(user_id: int, viewer_id: int | None) -> list[Badge]:
    """The challenges the runner completed that the viewer may see, newest first: the
    badges on their profile (one statement)."""
    rows = db.session.execute(
        select(ChallengeEntry.challenge_id, Challenge.title, ChallengeEntry.completed_at)
        .join(Challenge, Challenge.id == ChallengeEntry.challenge_id)
        .outerjoin(Club, Club.id == Challenge.club_id)
        .where(
            ChallengeEntry.user_id == user_id,
            ChallengeEntry.completed_at.is_not(None),
            visible_to(viewer_id),
        )
        .order_by(ChallengeEntry.completed_at.desc())
        .limit(50)
    )
    return [Badge(*row) for row in rows]
