"""The database holds the challenge rules too, whatever code path writes the rows."""

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from community.challenges import services
from community.challenges.models import Challenge, ChallengeEntry
from community.extensions import db
from tests.challenges.builders import NOW, challenge, runner


@pytest.fixture
def host(ctx):
    return runner("host", is_site_admin=True)


@pytest.mark.parametrize(
    ("values", "rule"),
    [
        ({"runs_per_week": 15}, "runs_per_week_range"),
        ({"grace_days": 31}, "grace_days_range"),
        ({"freeze_hours": 169}, "freeze_hours_range"),
        ({"goal": 0.0}, "goal_positive"),
        ({"entrants": -1}, "entrants_not_negative"),
        ({"kind": "fastest"}, "kind_known"),
    ],
)
def test_a_challenge_row_breaking_a_rule_is_refused(host, values, rule):
    streak = challenge(host, kind="streak", goal=4.0, runs_per_week=3)
    with pytest.raises(IntegrityError, match=rule):
        db.session.execute(update(Challenge).where(Challenge.id == streak.id).values(**values))


def test_an_entry_without_a_total_has_no_score(host):
    march = challenge(host)
    entry = services.join(runner("ana"), march, now=NOW)
    with pytest.raises(IntegrityError, match="score_with_total"):
        db.session.execute(
            update(ChallengeEntry).where(ChallengeEntry.id == entry.id).values(total=None)
        )
