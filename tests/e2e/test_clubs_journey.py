"""Clubs in a real browser: invite links, requests to join, and a member list kept live."""

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from community.accounts.models import User
from community.clubs import services
from community.db_types import utcnow
from community.extensions import db
from tests.e2e.pages import log_in
from tests.helpers import make_runner

pytestmark = pytest.mark.browser

CLUB = "Riverside Runners"
SLUG = "riverside-runners"


def private_club(app: Flask, owner: User, *members: User) -> None:
    """A private club owned by `owner`, which `members` joined through an invite link."""
    with app.app_context():
        club = services.create_club(
            db.session.get(User, owner.id), name=CLUB, slug=SLUG, visibility="private"
        )
        if members:
            invite = services.create_invite(db.session.get(User, owner.id), club)
            for member in members:
                services.join_by_invite(db.session.get(User, member.id), invite.token, now=utcnow())
        db.session.commit()


def open_club_live(page: Page) -> None:
    """Open the club page and wait until the server has put it in the club's room."""
    page.goto(f"/clubs/{SLUG}")
    expect(page.get_by_role("heading", name=CLUB, level=1)).to_be_visible()
    expect(page.locator("[data-club-live][data-watching='true']")).to_be_attached()


def create_invite_link(page: Page) -> str:
    """On the manage page: create a link and read it back from the invite list."""
    page.get_by_role("button", name="Create invite link").click()
    expect(page.get_by_text("A new invite link is ready to share.")).to_be_visible()
    link = page.get_by_label("Invite link", exact=True)
    expect(link).to_have_value(re.compile(r"^http://\S+/clubs/invite/\S+$"))
    return link.input_value()


def test_a_runner_joins_a_private_club_by_invite_and_the_owner_sees_them_arrive(
    app, new_page, live_server
):
    make_runner(app, "ana", display_name="Ana Lima")
    make_runner(app, "ben", display_name="Ben Okafor")
    ana, ben = new_page(), new_page()

    log_in(ana, "ana")
    ana.get_by_role("navigation", name="Main").get_by_role("link", name="Clubs").click()
    ana.get_by_role("link", name="Start a club").click()
    ana.get_by_label("Club name").fill(CLUB)
    ana.get_by_label("Club address").fill(SLUG)
    ana.get_by_label("About the club").fill("Easy miles along the river, every Sunday.")
    ana.get_by_label("City or area").fill("Leeds")
    ana.get_by_label("Who can see and join").select_option("private")
    ana.get_by_role("button", name="Create the club").click()
    expect(ana.get_by_text(f"{CLUB} is ready. Invite your runners!")).to_be_visible()
    expect(ana).to_have_url(re.compile(f"/clubs/{SLUG}$"))
    expect(ana.get_by_role("heading", name=CLUB, level=1)).to_contain_text("Private")

    ana.get_by_role("link", name="Manage club").click()
    expect(ana.get_by_role("heading", name=f"Manage {CLUB}")).to_be_visible()
    invite_url = create_invite_link(ana)
    assert invite_url.startswith(f"{live_server}/clubs/invite/")

    ana.get_by_role("link", name="Back to the club page").click()
    expect(ana.locator("[data-club-live][data-watching='true']")).to_be_attached()
    members = ana.locator("#members")
    expect(members.get_by_role("listitem")).to_have_count(1)
    expect(members.get_by_text("Ben Okafor")).to_have_count(0)
    ana.evaluate("window.stillTheSamePage = true")

    log_in(ben, "ben")
    ben.goto(invite_url)
    expect(ben.get_by_role("heading", name=f"You're invited to {CLUB}")).to_be_visible()
    ben.get_by_role("button", name=f"Join {CLUB}").click()
    expect(ben).to_have_url(re.compile(f"/clubs/{SLUG}$"))
    expect(ben.get_by_text(f"Welcome to {CLUB}!")).to_be_visible()
    expect(ben.get_by_text("You are a member")).to_be_visible()

    # Ana's open page learns of Ben over the socket, without a reload.
    expect(members.get_by_role("link", name="Ben Okafor")).to_be_visible()
    expect(ana.locator("#member-count")).to_have_text("2")
    assert ana.evaluate("window.stillTheSamePage") is True


def test_an_owner_approves_a_request_to_join_a_private_club(app, new_page):
    owner = make_runner(app, "ana", display_name="Ana Lima")
    make_runner(app, "ben", display_name="Ben Okafor")
    private_club(app, owner)
    ana, ben = new_page(), new_page()

    log_in(ben, "ben")
    ben.goto(f"/clubs/{SLUG}")
    expect(ben.get_by_role("heading", name=CLUB, level=1)).to_contain_text("Private")
    expect(ben.get_by_text("This club is private")).to_be_visible()
    expect(ben.locator("#members")).to_have_count(0)
    expect(ben.get_by_text("Ana Lima")).to_have_count(0)
    ben.get_by_label("A note for the admins (optional)").fill("I run the river loop on Sundays.")
    ben.get_by_role("button", name="Ask to join").click()
    expect(ben.get_by_text("Your request is sent.")).to_be_visible()
    expect(
        ben.get_by_text("Your request to join is waiting for the club's admins.")
    ).to_be_visible()

    log_in(ana, "ana")
    ana.goto(f"/clubs/{SLUG}")
    ana.get_by_role("link", name="Manage club").click()
    expect(ana.get_by_text("I run the river loop on Sundays.")).to_be_visible()
    ana.get_by_role("button", name="Approve Ben Okafor").click()
    expect(ana.get_by_text("Request approved: welcome aboard!")).to_be_visible()
    expect(ana.get_by_text("No requests waiting.")).to_be_visible()

    ben.reload()
    members = ben.locator("#members")
    expect(members.get_by_role("link", name="Ana Lima")).to_be_visible()
    expect(members.get_by_role("link", name="Ben Okafor")).to_be_visible()
    expect(ben.get_by_text("You are a member")).to_be_visible()


def test_a_revoked_invite_link_no_longer_lets_anyone_in(app, new_page):
    owner = make_runner(app, "ana", display_name="Ana Lima")
    make_runner(app, "ben", display_name="Ben Okafor")
    private_club(app, owner)
    ana, ben = new_page(), new_page()

    log_in(ana, "ana")
    ana.goto(f"/clubs/{SLUG}/manage")
    invite_url = create_invite_link(ana)
    ana.get_by_role("button", name="Revoke link").click()
    expect(ana.get_by_text("The invite link no longer works.")).to_be_visible()
    expect(ana.locator("#invites").get_by_text("revoked", exact=True)).to_be_visible()

    log_in(ben, "ben")
    ben.goto(invite_url)
    expect(ben.get_by_role("heading", name=f"You're invited to {CLUB}")).to_be_visible()
    expect(ben.get_by_role("alert")).to_have_text(
        "This invite link has expired or been revoked. Ask for a new one."
    )
    expect(ben.get_by_role("button", name=f"Join {CLUB}")).to_have_count(0)

    ben.goto(f"/clubs/{SLUG}")
    expect(ben.get_by_text("This club is private")).to_be_visible()


def test_a_removed_member_loses_the_private_club_page_at_once(app, new_page):
    owner = make_runner(app, "ana", display_name="Ana Lima")
    member = make_runner(app, "ben", display_name="Ben Okafor")
    private_club(app, owner, member)
    ana, ben = new_page(), new_page()

    log_in(ben, "ben")
    open_club_live(ben)
    expect(ben.locator("#members").get_by_role("link", name="Ana Lima")).to_be_visible()

    log_in(ana, "ana")
    ana.goto(f"/clubs/{SLUG}/manage")
    ana.get_by_role("row", name=re.compile("Ben Okafor")).get_by_role(
        "button", name="Remove"
    ).click()
    expect(ana.get_by_text("The member was removed.")).to_be_visible()

    # Ben's open page reloads by itself and shows what a non-member sees.
    expect(ben.get_by_text("This club is private")).to_be_visible()
    expect(ben).to_have_url(re.compile(f"/clubs/{SLUG}$"))
    expect(ben.locator("#members")).to_have_count(0)
    expect(ben.get_by_text("Ana Lima")).to_have_count(0)
    expect(ben.get_by_role("button", name="Ask to join")).to_be_visible()
