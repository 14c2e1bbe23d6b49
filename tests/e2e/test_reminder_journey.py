"""A reminder the evening before, in real Chromium: the runner frees the place from the
e-mail, and the first on the waitlist, whose run page is open, moves up without a reload."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from community.accounts.models import User
from community.clubs.models import Club
from community.extensions import db
from community.group_runs import services as group_runs
from community.group_runs.models import GroupRun, RsvpStatus
from community.group_runs.scheduling import PaceGroupSpec, schedule_run
from community.reminders import services as reminders
from tests.accounts.test_password_reset import Inbox, inbox  # noqa: F401 (a fixture)
from tests.e2e.pages import log_in
from tests.e2e.test_group_runs_journey import (
    SLUG,
    TITLE,
    ZONE,
    club_with_runners,
    my_rsvp,
    open_run_live,
)
from tests.reminders.test_run_reminders import plain_text

pytestmark = pytest.mark.browser


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def test_the_runner_frees_the_place_from_the_reminder_and_the_next_moves_up_live(
    app,
    live_server,
    new_page,
    inbox,  # noqa: F811
):
    club_with_runners(app)
    app.config["PUBLIC_URL"] = live_server
    zone = ZoneInfo(ZONE)
    tomorrow = datetime.now(zone).date() + timedelta(days=1)
    starts = datetime.combine(tomorrow, time(18, 30), tzinfo=zone)
    with app.app_context():
        club = db.session.scalar(select(Club).where(Club.slug == SLUG))
        for name in ("ana", "ben"):
            user(name).timezone = ZONE
        run = schedule_run(
            user("olga"),
            club,
            title=TITLE,
            starts_at=starts,
            meeting_point="The bandstand",
            now=datetime.now(zone),
            pace_groups=[PaceGroupSpec("", capacity=1)],
        )
        group_runs.rsvp(user("ana"), run, RsvpStatus.GOING, now=datetime.now(zone))
        group_runs.rsvp(user("ben"), run, RsvpStatus.GOING, now=datetime.now(zone))
        run_id = run.id
        db.session.commit()
    run_path = f"/group-runs/{run_id}"
    ben = new_page()
    log_in(ben, "ben")
    open_run_live(ben, run_path)
    expect(my_rsvp(ben)).to_have_text("You're on the waitlist.")

    with app.app_context():
        evening = reminders.evening_before(db.session.get(GroupRun, run_id), zone)
        assert reminders.send_run_reminders(evening) == "1 run reminders sent"
        db.session.commit()
    assert inbox.arrived.wait(10)
    [message] = inbox.messages
    assert message["To"] == "ana@example.com"
    cant_go = re.search(r"(http://\S+/mail/cant-go/\S+)", plain_text(message)).group(1)

    ana = new_page()  # from the mail: not logged in on this device
    ana.goto(cant_go)
    expect(ana.get_by_role("heading", name=f"Can't go to {TITLE}?")).to_be_visible()
    ana.get_by_role("button", name="I can't go: free my place").click()
    expect(ana.get_by_role("heading", name="Your place is free")).to_be_visible()

    expect(my_rsvp(ben)).to_have_text("You're going.")
    expect(ben.locator("#live-status")).to_have_text(
        f"A place opened up: you're now going to {TITLE}!"
    )
