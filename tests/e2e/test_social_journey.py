"""Following and kudos in a real browser: the other runner hears of it live."""

from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from community.accounts.models import User
from community.activities import services as runs
from community.db_types import utcnow
from community.extensions import db
from tests.e2e.pages import log_in
from tests.helpers import make_runner

pytestmark = pytest.mark.browser


def bell(page: Page):
    return page.locator("[data-live-field='unread']").first


def connected(page: Page) -> None:
    expect(page.locator("body[data-live-connected='true']")).to_be_attached()


def ana_ran_an_hour_ago(app: Flask, metres: float, seconds: float) -> None:
    """Ana Lima and Ben Okafor, and a public run of Ana's that ended in the last hour."""
    make_runner(app, "ana", display_name="Ana Lima")
    make_runner(app, "ben", display_name="Ben Okafor")
    with app.app_context():
        ana_user = db.session.scalar(select(User).where(User.username == "ana"))
        now = utcnow()
        runs.log_run(
            ana_user,
            runs.RunDetails(
                start_time=now - timedelta(hours=1), distance_m=metres, duration_s=seconds
            ),
            now=now,
        )
        db.session.commit()


def test_a_request_to_follow_reaches_the_runner_live_and_the_answer_comes_back(
    app: Flask, new_page
) -> None:
    make_runner(app, "ana", display_name="Ana Lima")
    make_runner(app, "ben", display_name="Ben Okafor")
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "ben")).approves_followers = True
        db.session.commit()
    ana, ben = new_page(), new_page()
    log_in(ben, "ben")
    connected(ben)
    expect(bell(ben)).to_have_text("0")
    log_in(ana, "ana")
    ana.goto("/u/ben")
    ana.get_by_role("button", name="Ask to follow").click()
    expect(ana.get_by_text("Request sent: Ben Okafor approves each follower.")).to_be_visible()
    connected(ana)

    # Ben hears of it on the page he has open, without a reload.
    expect(bell(ben)).to_have_text("1")
    ben.goto("/follows/requests")
    ben.locator("[data-follower='ana']").get_by_role("button", name="Approve").click()
    expect(ben.get_by_text("Approved: they follow you now.")).to_be_visible()

    # And Ana hears the answer on hers.
    expect(bell(ana)).to_have_text("1")
    ana.reload()
    expect(ana.get_by_text("1 follower")).to_be_visible()
    expect(ana.get_by_role("button", name="Unfollow")).to_be_visible()


def test_kudos_and_comments_on_a_run_reach_the_runner_live(app: Flask, new_page) -> None:
    ana_ran_an_hour_ago(app, 8000, 2640)
    ana, ben = new_page(), new_page()
    log_in(ana, "ana")
    connected(ana)
    expect(bell(ana)).to_have_text("0")
    log_in(ben, "ben")
    ben.goto("/u/ana")
    ben.get_by_role("button", name="Give kudos").click()
    expect(ben.get_by_text("Ben Okafor gave kudos")).to_be_visible()
    expect(ben.get_by_role("button", name="Take back kudos")).to_be_visible()
    expect(bell(ana)).to_have_text("1")

    # A comment, with markup that must stay text, reaches Ana's bell too.
    ben.get_by_label("Comment").fill("<b>Strong</b> finish!")
    ben.get_by_role("button", name="Comment", exact=True).click()
    expect(ben.get_by_text("<b>Strong</b> finish!")).to_be_visible()
    expect(bell(ana)).to_have_text("2")
    ana.goto("/u/ana")
    expect(ana.get_by_text("1 comment", exact=True)).to_be_visible()
    ana.get_by_text("1 comment", exact=True).click()
    expect(ana.get_by_text("<b>Strong</b> finish!")).to_be_visible()


def test_a_blocked_runner_loses_the_blockers_profile_and_runs(app: Flask, new_page) -> None:
    ana_ran_an_hour_ago(app, 6000, 1980)
    ana, ben = new_page(), new_page()
    log_in(ben, "ben")
    ben.goto("/u/ana")
    expect(ben.get_by_text("Ana Lima ran 6.00 km")).to_be_visible()

    log_in(ana, "ana")
    ana.goto("/u/ben")
    ana.get_by_role("button", name="Block").click()
    expect(
        ana.get_by_text("You blocked Ben Okafor: neither of you sees the other now.")
    ).to_be_visible()

    assert ben.goto("/u/ana").status == 404
    assert ben.goto("/feed/u/ana").status == 404

    # Ana can lift it from Ben's profile.
    ana.goto("/u/ben")
    ana.get_by_role("button", name="Unblock").click()
    expect(ana.get_by_text("You unblocked Ben Okafor.")).to_be_visible()
    assert ben.goto("/u/ana").status == 200
