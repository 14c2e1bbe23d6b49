"""Challenge counters against the rows: entrants, standings, the score histogram."""

import math

from sqlalchemy import func, select

from community.challenges import histogram
from community.challenges.models import Challenge, ChallengeEntry
from community.challenges.tally import SCORE_DECIMALS, standings_from_scratch
from community.db_types import utcnow
from community.extensions import db
from community.invariants import Difference


def differences() -> list[Difference]:
    found: list[Difference] = []
    now = utcnow()
    entries = dict(
        db.session.execute(
            select(ChallengeEntry.challenge_id, func.count()).group_by(ChallengeEntry.challenge_id)
        ).all()
    )
    for challenge in db.session.scalars(select(Challenge).order_by(Challenge.id)):
        name = f"challenge {challenge.id}"
        counted = entries.get(challenge.id, 0)
        if challenge.entrants != counted:
            found.append(Difference(f"{name} entrants", challenge.entrants, counted))
        buckets, recounted = (
            histogram.buckets_of(challenge.id),
            histogram.from_entries(challenge.id),
        )
        if buckets != recounted:
            found.append(Difference(f"{name} score buckets", buckets, recounted))
        # A run changed after a challenge closes no longer moves it: closed ones are final.
        if challenge.is_open_at(now):
            found += _standings(challenge)
    return found


def _standings(challenge: Challenge) -> list[Difference]:
    found = []
    fresh = standings_from_scratch(challenge)
    entries = db.session.scalars(
        select(ChallengeEntry)
        .where(ChallengeEntry.challenge_id == challenge.id)
        .order_by(ChallengeEntry.id)
    )
    for entry in entries:
        standing = fresh[entry.user_id]
        what = f"challenge {challenge.id} runner {entry.user_id}"
        score = None if standing.score is None else round(standing.score, SCORE_DECIMALS)
        if entry.score != score:
            found.append(Difference(f"{what} score", entry.score, score))
        if (entry.total is None) != (standing.total is None) or not math.isclose(
            entry.total or 0.0, standing.total or 0.0, abs_tol=1e-6
        ):
            found.append(Difference(f"{what} total", entry.total, standing.total))
    return found
