"""The evening before a group run, each runner going gets one e-mail (time, meeting point,
pace group, a one-click "can't go"), in their zone and units, never twice, and never after
they unsubscribe."""

import re
from datetime import UTC, datetime, timedelta
from email.message import Message

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.clubs import services as clubs
from community.extensions import db
from community.group_runs import services as group_runs
from community.group_runs.models import GroupRun, Rsvp, RsvpStatus
from community.group_runs.scheduling import PaceGroupSpec, schedule_run
from community.jobs import periodic
from community.reminders import services as reminders
from community.reminders.models import SentReminder
from tests.accounts.test_password_reset import Inbox, inbox  # noqa: F401 (a fixture)
from tests.challenges.builders import runner
from tests.helpers import each_at_once, submit

# Tuesday 09:00 UTC; the run is on Wednesday at 07:00 in London (winter: UTC).
NOW = datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
RUN_AT = datetime(2027, 1, 13, 7, 0, tzinfo=UTC)
EVENING = datetime(2027, 1, 12, 18, 0, tzinfo=UTC)


@pytest.fixture
def run_tomorrow(ctx) -> GroupRun:
    owner = runner("olga", timezone="Europe/London")
    ana = runner("ana", timezone="Europe/London", units="mi")
    ben = runner("ben", timezone="Europe/London")
    club = clubs.create_club(owner, name="Riverside", slug="riverside")
    for member in (ana, ben):
        clubs.join(member, club)
    run = schedule_run(
        owner,
        club,
        title="Dawn tempo",
        starts_at=RUN_AT,
        meeting_point="The bandstand",
        now=NOW - timedelta(days=3),
        planned_distance_m=8046.72,
        pace_groups=[PaceGroupSpec("5:00/km", capacity=1)],
    )
    group = run.pace_groups[0].id
    group_runs.rsvp(ana, run, RsvpStatus.GOING, now=NOW - timedelta(days=2), pace_group_id=group)
    group_runs.rsvp(ben, run, RsvpStatus.GOING, now=NOW - timedelta(days=1), pace_group_id=group)
    db.session.commit()
    return run


def status_of(run: GroupRun, username: str) -> str:
    return db.session.scalar(
        select(Rsvp.status)
        .join(User, User.id == Rsvp.user_id)
        .where(Rsvp.run_id == run.id, User.username == username)
    )


def test_nothing_is_due_before_the_evening_before(run_tomorrow):
    assert reminders.due_run_reminders(EVENING - timedelta(minutes=1)) == []


def test_at_six_in_the_evening_the_runner_going_is_due_and_the_waitlisted_is_not(run_tomorrow):
    due = reminders.due_run_reminders(EVENING)

    assert [(d.user.username, d.run.title, d.group.name) for d in due] == [
        ("ana", "Dawn tempo", "5:00/km")
    ]


def test_the_evening_is_the_runners_own(run_tomorrow):
    ana = db.session.scalar(select(User).where(User.username == "ana"))
    ana.timezone = "America/New_York"  # 18:00 there is 23:00 UTC

    assert reminders.due_run_reminders(EVENING) == []
    assert len(reminders.due_run_reminders(datetime(2027, 1, 12, 23, 0, tzinfo=UTC))) == 1


def test_a_cancelled_run_reminds_nobody(run_tomorrow):
    run_tomorrow.cancelled_at = NOW

    assert reminders.due_run_reminders(EVENING) == []


def test_a_reminder_is_sent_once_however_often_and_wherever_the_task_runs(app, run_tomorrow):
    run_id = run_tomorrow.id
    db.session.commit()  # and nothing more read here: the threads take the write lock

    results, errors = each_at_once(app, [lambda: reminders.send_run_reminders(EVENING)] * 3)
    again = reminders.send_run_reminders(EVENING + timedelta(minutes=10))

    assert errors == []
    assert sorted(results) == [
        "0 run reminders sent",
        "0 run reminders sent",
        "1 run reminders sent",
    ]
    assert again == "0 run reminders sent"
    sent = db.session.scalar(
        select(func.count()).select_from(SentReminder).where(SentReminder.key == str(run_id))
    )
    assert sent == 1


def plain_text(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def link(message: Message, path: str) -> str:
    match = re.search(rf"http://127\.0\.0\.1:5000({path}/\S+)", plain_text(message))
    assert match, plain_text(message)
    return match.group(1)


def test_the_runner_gets_the_reminder_and_frees_the_place_from_it(
    app,
    client,
    run_tomorrow,
    inbox,  # noqa: F811
):
    periodic.run_due(EVENING, tuple(t for t in periodic.TASKS if t.name == "run-reminders"))

    assert inbox.arrived.wait(5)
    [message] = inbox.messages
    assert message["To"] == "ana@example.com"
    assert message["Subject"] == "Tomorrow: Dawn tempo, 07:00"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/mail/unsubscribe/")
    kinds = [part.get_content_type() for part in message.walk()]
    assert "text/plain" in kinds and "text/html" in kinds
    plain = plain_text(message)
    assert "Meeting point: The bandstand" in plain
    assert "Your pace group: 5:00/km" in plain
    assert "Planned distance: 5.00 mi" in plain
    cant_go = link(message, "/mail/cant-go")

    page = client.get(cant_go)
    assert page.status_code == 200 and status_of(run_tomorrow, "ana") == "going"
    freed = submit(client, cant_go, page=cant_go)

    assert freed.status_code == 200, freed.get_data(as_text=True)[-1500:]
    assert "Your place is free" in freed.get_data(as_text=True)
    db.session.expire_all()
    assert (status_of(run_tomorrow, "ana"), status_of(run_tomorrow, "ben")) == (
        "not_going",
        "going",
    )


def test_one_click_unsubscribe_stops_the_next_reminders(app, client, run_tomorrow, inbox):  # noqa: F811
    reminders.send_run_reminders(EVENING)
    db.session.commit()
    assert inbox.arrived.wait(5)
    unsubscribe = link(inbox.messages[0], "/mail/unsubscribe")

    # As a mail client does it (RFC 8058): a POST, no session, no CSRF token.
    response = client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    ana = db.session.scalar(select(User).where(User.username == "ana"))
    assert reminders.opted_out(ana.id) == {"run_reminder"}
    assert reminders.due_run_reminders(EVENING + timedelta(days=7)) == []


def test_a_link_that_was_not_signed_here_finds_nothing(client):
    assert client.get("/mail/cant-go/WzEsMV0.forged").status_code == 404
    assert client.post("/mail/unsubscribe/WzEsInJ1bl9yZW1pbmRlciJd.forged").status_code == 404


def test_a_place_opened_up_is_mailed_to_the_runner_moved_up_once(
    app,
    client,
    run_tomorrow,
    inbox,  # noqa: F811
):
    ana = db.session.scalar(select(User).where(User.username == "ana"))

    group_runs.rsvp(ana, run_tomorrow, RsvpStatus.NOT_GOING, now=NOW)
    db.session.commit()

    assert inbox.arrived.wait(5)
    [message] = inbox.messages
    assert message["To"] == "ben@example.com"
    assert message["Subject"] == "You're in: Dawn tempo, Wed 13 Jan 07:00"
    assert "A place opened up: you're going to Dawn tempo" in plain_text(message)
    ben = db.session.scalar(select(User).where(User.username == "ben"))
    reminders.on_promoted(None, run_id=run_tomorrow.id, user_id=ben.id)
    db.session.commit()
    assert len(inbox.messages) == 1


def test_a_runner_who_stopped_them_gets_no_place_opened_mail(app, run_tomorrow, inbox):  # noqa: F811
    ana, ben = (
        db.session.scalar(select(User).where(User.username == name)) for name in ("ana", "ben")
    )
    reminders.set_opt_out(ben.id, reminders.PLACE_OPENED, off=True)

    group_runs.rsvp(ana, run_tomorrow, RsvpStatus.NOT_GOING, now=NOW)
    db.session.commit()

    assert status_of(run_tomorrow, "ben") == "going"
    assert not inbox.arrived.wait(1)
