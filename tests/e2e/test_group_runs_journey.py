"""Group runs in a real browser: scheduling, RSVPs, the waitlist and a roster kept live."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from tests.e2e.pages import log_in
from tests.helpers import add_member, make_club, make_runner

pytestmark = pytest.mark.browser

CLUB = "Riverside Runners"
SLUG = "riverside"
ZONE = "Europe/Berlin"
TITLE = "Tuesday tempo"


def run_day() -> datetime:
    """18:30 three days from today, in the club's time zone."""
    zone = ZoneInfo(ZONE)
    day = datetime.now(zone).date() + timedelta(days=3)
    return datetime.combine(day, time(18, 30), tzinfo=zone)


def club_with_runners(app: Flask, *, visibility: str = "public") -> None:
    """A club in Berlin owned by Olga, with Ana and Ben as members."""
    olga = make_runner(app, "olga", display_name="Olga Berg")
    ana = make_runner(app, "ana", display_name="Ana Lima")
    ben = make_runner(app, "ben", display_name="Ben Okafor")
    club_id = make_club(app, olga, SLUG, name=CLUB, timezone=ZONE, visibility=visibility)
    add_member(app, club_id, ana)
    add_member(app, club_id, ben)


def schedule_in_browser(
    page: Page,
    *,
    places: str = "",
    pace_groups: tuple[tuple[str, str], ...] = (),
) -> str:
    """As an admin on the club page: schedule TITLE through the form; returns the run's path."""
    open_club_live(page)
    page.locator("#slot-group-runs").get_by_role("link", name="Schedule a run").click()
    expect(page.get_by_role("heading", name=f"Schedule a run for {CLUB}")).to_be_visible()
    expect(page.get_by_text(f"Times are in the club's time zone, {ZONE}.")).to_be_visible()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Date").fill(run_day().date().isoformat())
    page.get_by_label("Start time").fill("18:30")
    page.get_by_label("Meeting point").fill("The bandstand, north gate")
    for index, (name, capacity) in enumerate(pace_groups):
        page.get_by_label("Pace group").nth(index).fill(name)
        page.get_by_label("Places", exact=True).nth(index).fill(capacity)
    page.get_by_label("Places (without pace groups)").fill(places)
    page.get_by_role("button", name="Schedule the run").click()
    expect(page.get_by_text("The run is on the calendar.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/group-runs/\d+$"))
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    starts = run_day().strftime("%A %-d %B %Y, %H:%M")
    expect(page.get_by_text(f"{starts} ({ZONE})")).to_be_visible()
    wait_until_watching(page)
    return re.sub(r"^https?://[^/]+", "", page.url)


def open_club_live(page: Page) -> None:
    """Open the club page and wait until the server has put it in the club's room."""
    page.goto(f"/clubs/{SLUG}")
    expect(page.get_by_role("heading", name=CLUB, level=1)).to_be_visible()
    expect(page.locator("[data-club-live][data-watching='true']")).to_be_attached()


def open_run_live(page: Page, path: str) -> None:
    """Open the run page and wait until the server has put it in the run's room."""
    page.goto(path)
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    wait_until_watching(page)


def wait_until_watching(page: Page) -> None:
    # Leave a live page only once it watches: if it goes away while its "watch" is still
    # on its way, the server's join_room raises for the gone socket (an app bug).
    expect(page.locator("[data-run-live][data-watching='true']")).to_be_attached()


def press(page: Page, button: str) -> None:
    """Press a roster button; wait for the page it leads to, live again.

    The flash message is not what tells the new page: it once failed to appear while the
    old page, still in the run's room, was re-fetching the roster.
    """
    page.evaluate("document.body.dataset.beforePress = 'true'")
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("body[data-before-press]")).to_have_count(0)
    wait_until_watching(page)


def my_rsvp(page: Page) -> Locator:
    return page.locator("#roster p.my-rsvp")


def going_list(page: Page, group: str | None = None) -> Locator:
    groups = page.locator("#roster .pace-group")
    if group is not None:
        groups = groups.filter(has=page.get_by_role("heading", name=group))
    return groups.locator(".going-list")


def test_a_place_opens_up_and_the_first_on_the_waitlist_is_told_at_once(app, new_page):
    club_with_runners(app)
    olga, ana, ben = new_page(), new_page(), new_page()

    log_in(olga, "olga")
    run_path = schedule_in_browser(olga, places="1")
    expect(olga.locator("#roster")).to_contain_text("0 going of 1")

    # Ben has the page open before the only place goes.
    log_in(ben, "ben")
    open_run_live(ben, run_path)
    expect(ben.locator("#roster").get_by_role("button", name="Going", exact=True)).to_be_visible()

    log_in(ana, "ana")
    open_club_live(ana)
    ana.locator("#slot-group-runs").get_by_role("link", name=TITLE).click()
    expect(ana).to_have_url(re.compile(f"{re.escape(run_path)}$"))
    wait_until_watching(ana)
    expect(my_rsvp(ana)).to_have_count(0)
    press(ana, "Going")
    expect(my_rsvp(ana)).to_have_text("You're going.")
    expect(my_rsvp(ana)).to_have_attribute("data-my-status", "going")
    expect(going_list(ana)).to_have_text("Ana Lima")

    # Ben's open page learns the run is full and offers the waitlist instead.
    expect(going_list(ben)).to_have_text("Ana Lima")
    expect(ben.locator("#roster")).to_contain_text("1 going of 1")
    press(ben, "Join the waitlist")
    expect(my_rsvp(ben)).to_have_text("You're on the waitlist.")
    expect(my_rsvp(ben)).to_have_attribute("data-my-status", "waitlisted")
    expect(ben.locator("#roster .waitlist")).to_have_text("Ben Okafor")
    ben.evaluate("window.stillTheSamePage = true")
    expect(ana.locator("#roster .waitlist")).to_have_text("Ben Okafor")

    press(ana, "Can't go")
    expect(my_rsvp(ana)).to_have_text("You're not going.")
    expect(my_rsvp(ana)).to_have_attribute("data-my-status", "not_going")
    expect(going_list(ana)).not_to_contain_text("Ana Lima")

    # Ben moves up without reloading: his roster refreshes and a toast tells him.
    expect(my_rsvp(ben)).to_have_text("You're going.")
    expect(my_rsvp(ben)).to_have_attribute("data-my-status", "going")
    expect(ben.locator("#live-status")).to_have_text(
        f"A place opened up: you're now going to {TITLE}!"
    )
    expect(going_list(ben)).to_have_text("Ben Okafor")
    expect(going_list(ben)).not_to_contain_text("Ana Lima")
    expect(ben.locator("#roster .waitlist")).to_have_count(0)
    expect(ben.locator("#roster")).to_contain_text("1 going of 1")
    assert ben.evaluate("window.stillTheSamePage") is True


def test_the_going_list_of_a_pace_group_updates_while_the_page_is_open(app, new_page):
    club_with_runners(app)
    olga, ana, ben = new_page(), new_page(), new_page()

    log_in(olga, "olga")
    run_path = schedule_in_browser(olga, pace_groups=(("5:00/km", "2"), ("6:00/km", "")))
    fast = olga.locator("#roster .pace-group").filter(has_text="5:00/km")
    steady = olga.locator("#roster .pace-group").filter(has_text="6:00/km")
    expect(fast.get_by_role("heading")).to_contain_text("0 going of 2")
    expect(steady.get_by_role("heading")).to_have_text(re.compile(r"^\s*6:00/km\s+0 going\s*$"))

    log_in(ana, "ana")
    open_run_live(ana, run_path)
    ana.evaluate("window.stillTheSamePage = true")
    expect(going_list(ana, "5:00/km")).to_be_empty()

    log_in(ben, "ben")
    open_run_live(ben, run_path)
    press(ben, "Going with 5:00/km")
    expect(my_rsvp(ben)).to_have_text("You're going with 5:00/km.")

    fast_on_ana = ana.locator("#roster .pace-group").filter(has_text="5:00/km")
    expect(fast_on_ana.get_by_role("heading")).to_contain_text("1 going of 2")
    expect(going_list(ana, "5:00/km")).to_have_text("Ben Okafor")
    expect(going_list(ana, "6:00/km")).to_be_empty()
    expect(my_rsvp(ana)).to_have_count(0)
    assert ana.evaluate("window.stillTheSamePage") is True


def test_raising_the_places_moves_the_waitlisted_runner_up_live(app, new_page):
    club_with_runners(app)
    olga, ana, ben = new_page(), new_page(), new_page()
    log_in(olga, "olga")
    run_path = schedule_in_browser(olga, places="1")
    log_in(ana, "ana")
    open_run_live(ana, run_path)
    press(ana, "Going")
    expect(my_rsvp(ana)).to_have_text("You're going.")

    log_in(ben, "ben")
    open_run_live(ben, run_path)
    press(ben, "Join the waitlist")
    expect(my_rsvp(ben)).to_have_text("You're on the waitlist.")
    expect(ben.get_by_role("button", name="Set places")).to_have_count(0)
    ben.evaluate("window.stillTheSamePage = true")

    # Olga's page followed along. Once it shows Ben waiting, no refresh of the roster is
    # still on its way: one would swap the form out, and what she typed, for a fresh copy.
    expect(olga.locator("#roster")).to_contain_text("1 going of 1 · 1 waiting")
    expect(olga.get_by_label("Places", exact=True)).to_have_value("1")
    olga.get_by_label("Places", exact=True).fill("2")
    press(olga, "Set places")
    expect(olga.locator("#roster")).to_contain_text("2 going of 2")
    expect(going_list(olga).get_by_role("listitem")).to_have_text(["Ana Lima", "Ben Okafor"])

    expect(my_rsvp(ben)).to_have_text("You're going.")
    expect(ben.locator("#live-status")).to_have_text(
        f"A place opened up: you're now going to {TITLE}!"
    )
    expect(ben.locator("#roster .waitlist")).to_have_count(0)
    assert ben.evaluate("window.stillTheSamePage") is True


def test_a_private_clubs_run_is_not_found_for_outsiders(app, new_page):
    club_with_runners(app, visibility="private")
    make_runner(app, "cara", display_name="Cara Diaz")
    olga, cara = new_page(), new_page()
    log_in(olga, "olga")
    run_path = schedule_in_browser(olga)

    response = cara.goto(run_path)
    assert response is not None and response.status == 404
    expect(cara.get_by_role("heading", name="There is nothing here.")).to_be_visible()

    log_in(cara, "cara")
    response = cara.goto(run_path)
    assert response is not None and response.status == 404
    expect(cara.get_by_role("heading", name="There is nothing here.")).to_be_visible()
    expect(cara.get_by_text(TITLE)).to_have_count(0)
    expect(cara.get_by_text("The bandstand")).to_have_count(0)

    # Cara's address is the one the club's members open.
    open_run_live(olga, run_path)
    expect(olga.get_by_text("The bandstand, north gate")).to_be_visible()
