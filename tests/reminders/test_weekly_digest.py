"""The weekly digest: on Monday morning in the runner's zone, once a week, each club's runs
coming up, club-mates' milestones (never from a private run) and the club's boards."""

from datetime import UTC, datetime, timedelta

import pytest

from community.accounts import blocks
from community.activities.services import RunDetails, update_run
from community.challenges import services as challenges
from community.clubs import services as clubs
from community.extensions import db
from community.group_runs.scheduling import schedule_run
from community.reminders import digest
from community.reminders import services as reminders
from tests.accounts.test_password_reset import Inbox, inbox  # noqa: F401 (a fixture)
from tests.challenges.builders import challenge, log, runner
from tests.reminders.test_run_reminders import plain_text

SUNDAY_EVENING = datetime(2026, 3, 15, 20, 0, tzinfo=UTC)
MONDAY_MORNING = datetime(2026, 3, 16, 7, 5, tzinfo=UTC)  # London: GMT in March


@pytest.fixture
def club_week(ctx):
    olga = runner("olga", timezone="Europe/London")
    ana = runner("ana", display_name="Ana Lima", timezone="Europe/London")
    ben = runner("ben", display_name="Ben Okafor", timezone="Europe/London")
    club = clubs.create_club(olga, name="Riverside", slug="riverside")
    for member in (ana, ben):
        clubs.join(member, club)
    schedule_run(
        olga,
        club,
        title="Tuesday tempo",
        starts_at=datetime(2026, 3, 17, 18, 30, tzinfo=UTC),
        meeting_point="The bandstand",
        now=SUNDAY_EVENING - timedelta(days=3),
    )
    month = challenge(olga, club, title="Riverside March miles")
    firsts = []
    for entrant, km in ((ana, 12), (ben, 8)):
        challenges.join(entrant, month, now=datetime(2026, 3, 1, tzinfo=UTC))
        day = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
        firsts.append(log(entrant, day, km=km, minutes=km * 6, now=day + timedelta(hours=1)))
    db.session.commit()
    return ana, ben, firsts[1]


def test_the_digest_waits_for_monday_morning_in_the_runners_zone(club_week):
    assert digest.due_users(SUNDAY_EVENING) == []
    assert {u.username for u in digest.due_users(MONDAY_MORNING)} == {"olga", "ana", "ben"}


def test_anas_week_has_the_run_the_milestones_and_the_board(club_week):
    ana, _, _ = club_week

    [week] = digest.club_weeks(ana, MONDAY_MORNING)

    assert week.name == "Riverside"
    assert week.runs == ["Tuesday 17 Mar, 18:30: Tuesday tempo"]
    assert "Ben Okafor: First run" in week.milestones
    assert not any(m.startswith("Ana Lima") for m in week.milestones)
    [board] = week.boards
    assert board.title == "Riverside March miles"
    assert board.top == ["1. Ana Lima, 12.00 km", "2. Ben Okafor, 8.00 km"]
    assert board.mine == "You're number 1."


def test_a_milestone_of_a_private_run_stays_out(club_week):
    ana, ben, bens_first = club_week
    details = reminders_details(bens_first, visibility="private")
    update_run(ben, bens_first, details, now=MONDAY_MORNING - timedelta(hours=1))
    db.session.commit()

    [week] = digest.club_weeks(ana, MONDAY_MORNING)

    assert not any(m.startswith("Ben Okafor") for m in week.milestones)


def reminders_details(run, **changes):
    fields = {
        "start_time": run.start_time,
        "distance_m": run.distance_m,
        "duration_s": run.duration_s,
        "title": run.title,
        "visibility": run.visibility,
        **changes,
    }
    return RunDetails(**fields)


def test_the_digest_goes_once_a_week_and_not_to_those_who_stopped_it(club_week, inbox):  # noqa: F811
    _, ben, _ = club_week
    reminders.set_opt_out(ben.id, reminders.WEEKLY_DIGEST, off=True)

    first = digest.send_digests(MONDAY_MORNING)
    db.session.commit()
    again = digest.send_digests(MONDAY_MORNING + timedelta(hours=2))
    db.session.commit()

    assert (first, again) == ("2 weekly digests sent", "0 weekly digests sent")
    assert inbox.arrived.wait(5)
    to_ana = next(m for m in inbox.messages if m["To"] == "ana@example.com")
    assert to_ana["Subject"] == "Your clubs this week"
    assert "- Tuesday 17 Mar, 18:30: Tuesday tempo" in plain_text(to_ana)
    assert all(m["To"] != "ben@example.com" for m in inbox.messages)


def test_no_milestone_of_a_runner_who_blocked_the_reader(club_week):
    ana, ben, _ = club_week
    blocks.block(ben, ana, now=MONDAY_MORNING - timedelta(days=1))
    db.session.commit()

    [week] = digest.club_weeks(ana, MONDAY_MORNING)

    assert not any(m.startswith("Ben Okafor") for m in week.milestones)
