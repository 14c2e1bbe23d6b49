"""Three days before a challenge ends, each entrant who can still reach its goal (what is
left is no more than three of their best days in it) hears of it, once."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from community.challenges import services as challenges
from community.extensions import db
from community.reminders import services as reminders
from community.reminders.models import SentReminder
from tests.accounts.test_password_reset import Inbox, inbox  # noqa: F401 (a fixture)
from tests.challenges.builders import challenge, log, runner
from tests.reminders.test_run_reminders import plain_text

MARCH = datetime(2026, 3, 1, tzinfo=UTC)
THREE_DAYS_BEFORE = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # the end: 1 April, 00:00 UTC


@pytest.fixture
def march(ctx):
    organiser = runner("olga", is_site_admin=True)
    month = challenge(organiser, title="March 100 km", goal=100_000.0)
    days = {
        "ana": [20, 20, 20, 10, 10],  # 80 km, best day 20: 20 km left, in reach
        "ben": [5, 5, 5, 5],  # 20 km, best day 5: 80 km left, out of reach
        "chloe": [30, 30, 30, 30],  # done
        "dev": [],  # entered, never ran: nothing to go by
    }
    for name, kms in days.items():
        entrant = runner(name)
        challenges.join(entrant, month, now=MARCH)
        for day, km in enumerate(kms):
            start = MARCH + timedelta(days=day + 1, hours=7)
            log(entrant, start, km=km, minutes=km * 6, now=start + timedelta(hours=2))
    db.session.commit()
    return month


def test_only_entrants_who_can_still_finish_are_told(march):
    told = reminders.ending_challenges(THREE_DAYS_BEFORE)

    assert [(e.user.username, e.total, e.best_day) for e in told] == [("ana", 80_000, 20_000)]


def test_nobody_is_told_before_the_last_three_days(march):
    assert reminders.ending_challenges(THREE_DAYS_BEFORE - timedelta(days=1)) == []


def test_the_mail_says_what_is_left_once(march, inbox):  # noqa: F811
    first = reminders.send_challenge_endings(THREE_DAYS_BEFORE)
    db.session.commit()
    again = reminders.send_challenge_endings(THREE_DAYS_BEFORE + timedelta(hours=1))
    db.session.commit()

    assert (first, again) == ("1 challenge endings sent", "0 challenge endings sent")
    assert inbox.arrived.wait(5)
    [message] = inbox.messages
    assert message["Subject"] == "3 days left: March 100 km"
    text = plain_text(message)
    assert "You're at 80.00 km of 100.00 km: 20.00 km to go." in text
    assert "Your best day in it so far was 20.00 km." in text
    assert "its last day is Tuesday 31 March" in text
    kinds = db.session.scalars(select(SentReminder.kind))
    assert list(kinds) == ["challenge_ending"]
