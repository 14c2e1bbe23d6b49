"""The live feed in a real browser: two runners, two contexts, each sees the other act."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.e2e.pages import item, log_a_run, log_in, open_comments, watching
from tests.helpers import add_member, make_runner

pytestmark = pytest.mark.browser


def connected(page: Page) -> None:
    expect(page.locator("body[data-live-connected='true']")).to_be_attached()


def log_a_recent_run(page: Page, distance: str, title: str) -> None:
    log_a_run(page, datetime.now(UTC) - timedelta(hours=1), distance, "0:40:00", title)


def test_a_run_kudos_and_a_comment_reach_the_other_runner_live(club_mates, new_page) -> None:
    ana, ben = new_page(), new_page()
    log_in(ben, "ben")
    ben.goto("/clubs/riverside")
    watching(ben)

    # Ana logs a run; Ben's open club feed shows it without a reload.
    log_in(ana, "ana")
    log_a_recent_run(ana, "8", "Tempo by the river")
    expect(item(ben, "Tempo by the river")).to_contain_text("Ana Lima ran 8.00 km")

    # Ana goes to her dashboard; Ben's kudos reach her count and her bell there.
    ana.goto("/dashboard")
    watching(ana)
    expect(ana.locator("[data-live-field='unread']").first).to_have_text("0")
    item(ben, "Tempo by the river").get_by_role("button", name="Give kudos").click()
    expect(item(ben, "Tempo by the river")).to_contain_text("Ben Okafor gave kudos")
    expect(item(ana, "Tempo by the river")).to_contain_text("Ben Okafor gave kudos")
    expect(
        item(ana, "Tempo by the river").locator(".faces .avatar[data-initials='BO']")
    ).to_be_visible()
    expect(ana.locator("[data-live-field='unread']").first).to_have_text("1")
    # The bell's name says the new count to a screen reader too.
    expect(ana.get_by_role("link", name="Notifications, 1 unread")).to_be_attached()

    # Ben comments (markup stays text); Ana sees it under her run, live.
    watching(ben)
    ben_item = item(ben, "Tempo by the river")
    ben_item.get_by_label("Comment").fill("<i>Flying</i>, @ana!")
    ben_item.get_by_role("button", name="Comment", exact=True).click()
    expect(item(ana, "Tempo by the river")).to_contain_text("Ben Okafor: <i>Flying</i>, @ana!")
    expect(item(ana, "Tempo by the river").locator("[data-comment-count]")).to_have_text(
        "1 comment"
    )
    expect(ana.locator("[data-live-field='unread']").first).to_have_text("2")


def test_a_page_that_reconnects_catches_up_once(club_mates, new_page) -> None:
    ana, ben = new_page(), new_page()
    log_in(ben, "ben")
    ben.goto("/clubs/riverside")
    watching(ben)
    ben.evaluate("Runhive.live.socket.disconnect()")
    expect(ben.locator("body[data-live-connected='false']")).to_be_attached()

    log_in(ana, "ana")
    log_a_recent_run(ana, "5", "Missed while offline")
    log_a_recent_run(ana, "6", "Also missed")
    expect(item(ben, "Missed while offline")).to_have_count(0)

    ben.evaluate("Runhive.live.socket.connect()")
    connected(ben)
    expect(item(ben, "Also missed")).to_have_count(1)
    expect(item(ben, "Missed while offline")).to_have_count(1)
    # Newest first, each once, even after another reconnect.
    ben.evaluate("Runhive.live.socket.disconnect(); Runhive.live.socket.connect()")
    connected(ben)
    items = ben.locator("#slot-feed li.feed-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Also missed")
    expect(items.nth(1)).to_contain_text("Missed while offline")


def test_someone_typing_a_comment_keeps_it_when_others_comment(club_mates, new_page) -> None:
    ana, ben = new_page(), new_page()
    log_in(ana, "ana")
    log_a_recent_run(ana, "10", "Long one")
    ana.goto("/dashboard")
    watching(ana)
    log_in(ben, "ben")
    ben.goto("/clubs/riverside")
    item(ana, "Long one").get_by_label("Comment").fill("Thanks all, half-typed")

    ben_item = item(ben, "Long one")
    ben_item.get_by_label("Comment").fill("Great run!")
    ben_item.get_by_role("button", name="Comment", exact=True).click()
    expect(item(ana, "Long one")).to_contain_text("Ben Okafor: Great run!")
    expect(item(ana, "Long one").get_by_label("Comment")).to_have_value("Thanks all, half-typed")


def test_a_reported_comment_reaches_the_admin_live_and_hiding_it_clears_it_live(
    club_mates, app: Flask, new_page
) -> None:
    add_member(app, club_mates, make_runner(app, "cleo", display_name="Cleo Park"))
    ana, ben, cleo_page = new_page(), new_page(), new_page()
    log_in(ana, "ana")
    log_a_recent_run(ana, "7", "Hill reps")
    log_in(cleo_page, "cleo")
    cleo_page.goto("/clubs/riverside")
    item(cleo_page, "Hill reps").get_by_label("Comment").fill("Buy cheap shoes at spam.example")
    item(cleo_page, "Hill reps").get_by_role("button", name="Comment", exact=True).click()

    # Ben (the club's owner) has his dashboard open; Ana reports the comment.
    log_in(ben, "ben")
    connected(ben)
    ana.goto("/dashboard")
    watching(ana)
    open_comments(item(ana, "Hill reps"))
    comment = item(ana, "Hill reps").locator("li[data-comment-id]")
    comment.get_by_text("Report", exact=True).click()
    comment.get_by_label("Why report it?").fill("Spam")
    comment.get_by_role("button", name="Send report").click()
    expect(ana.get_by_text("Reported: thank you.")).to_be_visible()
    watching(ana)
    expect(ben.locator("[data-live-field='unread']").first).to_have_text("1")

    # He hides it from the reports page; it leaves Ana's open feed without a reload.
    ben.goto("/clubs/riverside")
    ben.get_by_role("link", name="Reports").click()
    expect(ben.get_by_text("Reported by Ana Lima")).to_be_visible()
    ben.get_by_role("button", name="Hide it").click()
    expect(ben.get_by_text("No open reports.")).to_be_visible()
    expect(item(ana, "Hill reps")).not_to_contain_text("spam.example")


def test_an_announcement_reaches_members_open_club_page_live(club_mates, new_page) -> None:
    ana, ben = new_page(), new_page()
    log_in(ana, "ana")
    ana.goto("/clubs/riverside")
    watching(ana)

    log_in(ben, "ben")
    ben.goto("/clubs/riverside")
    ben.get_by_text("Post an announcement").click()
    ben.get_by_label("Announcement").fill("Track night moves to Thursday this week.")
    ben.get_by_label("Pin it to the top of the club feed").check()
    ben.get_by_role("button", name="Post", exact=True).click()
    expect(ben.get_by_text("Posted to the club feed.")).to_be_visible()
    expect(ben.locator("[data-pinned-posts]")).to_contain_text("Track night moves to Thursday")

    announcement = item(ana, "Track night moves to Thursday this week.")
    expect(announcement).to_contain_text("Ben Okafor posted in Riverside Runners")
    expect(announcement).to_contain_text("Pinned")
