"""Maps in a real browser: a run's route, a group run's meeting point, a club's home area.

Tests have no map tiles (config.testing): each map draws on its plain background, and the
page must log no error and no Content-Security-Policy violation (both are console errors).
"""

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Page, expect
from sqlalchemy import select

from community.accounts.models import User
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from community.group_runs import scheduling
from tests.activities.trackfiles import gpx_bytes, make_points
from tests.e2e.pages import log_in
from tests.helpers import make_runner

pytestmark = pytest.mark.browser

BANDSTAND = "The bandstand, Battersea Park"


def console_errors(page: Page) -> list[str]:
    """The page's errors from now on: console errors (CSP violations among them) and
    uncaught exceptions."""
    errors: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", heard)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def expect_a_drawn_map(page: Page, name: str) -> None:
    region = page.get_by_role("region", name=name)
    expect(region).to_be_visible()
    expect(region).to_have_attribute("data-map-drawn", "")
    expect(region.locator(".leaflet-control-zoom-in")).to_be_visible()


def upload_a_gps_run(page: Page, folder: Path) -> None:
    """Upload a 3 km run (due north, from 7:00 UTC) and open its page."""
    track = folder / "morning.gpx"
    track.write_bytes(gpx_bytes(make_points(301, step_s=3.0, step_m=10.0)))
    page.goto("/runs/upload")
    page.get_by_label("GPX, TCX or FIT files, or a zip archive of them").set_input_files(track)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="1 of 1 file imported")).to_be_visible()
    page.get_by_role("link", name="Imported.").click()


def test_an_uploaded_gps_run_shows_its_route_with_start_finish_and_a_scale(
    app: Flask, new_page: Callable[[], Page], tmp_path: Path
):
    make_runner(app, "ana", display_name="Ana Lima")
    page = new_page()
    log_in(page, "ana")
    errors = console_errors(page)

    upload_a_gps_run(page, tmp_path)

    expect(page.get_by_role("heading", name="Route")).to_be_visible()
    expect_a_drawn_map(page, "Map of the route of Morning Run")
    expect(page.locator("path.map-route")).to_have_count(1)
    expect(page.get_by_role("button", name="Start")).to_be_visible()
    expect(page.get_by_role("button", name="Finish")).to_be_visible()
    expect(page.locator(".leaflet-control-scale-line")).to_have_text(re.compile(r"^\d+ k?m$"))
    expect(page.get_by_text("Start Finish")).to_be_visible()
    # No tiles in tests: nothing is fetched from the network.
    expect(page.locator(".leaflet-tile")).to_have_count(0)
    assert errors == []


def test_a_runner_in_miles_reads_the_scale_in_feet_or_miles(
    app: Flask, new_page: Callable[[], Page], tmp_path: Path
):
    make_runner(app, "dev", units="mi")
    page = new_page()
    log_in(page, "dev")
    upload_a_gps_run(page, tmp_path)
    expect_a_drawn_map(page, "Map of the route of Morning Run")
    expect(page.locator(".leaflet-control-scale-line")).to_have_text(re.compile(r"^\d+ (ft|mi)$"))


def test_a_group_runs_meeting_point_is_on_its_map_and_opens_in_a_map_app(
    app: Flask, new_page: Callable[[], Page], club_mates: int
):
    with app.app_context():
        club = db.session.get(Club, club_mates)
        owner = db.session.scalar(select(User).where(User.username == "ben"))
        run = scheduling.schedule_run(
            owner,
            club,
            title="Tuesday social 5K",
            starts_at=utcnow() + timedelta(days=2),
            meeting_point=BANDSTAND,
            latitude=51.4794,
            longitude=-0.1573,
            route=[(51.4794, -0.1573), (51.4810, -0.1600), (51.4830, -0.1580)],
            now=utcnow(),
        )
        db.session.commit()
        run_id = run.id
    page = new_page()
    log_in(page, "ana")
    errors = console_errors(page)

    page.goto(f"/group-runs/{run_id}")

    expect(page.get_by_role("heading", name="Meeting point and route")).to_be_visible()
    expect_a_drawn_map(page, "Map of the meeting point and planned route of Tuesday social 5K")
    expect(page.get_by_role("button", name=BANDSTAND)).to_be_visible()
    expect(page.locator("path.map-route")).to_have_count(1)
    map_section = page.locator(".map-card")
    expect(map_section.get_by_text(BANDSTAND, exact=True)).to_be_visible()
    expect(map_section.get_by_role("link", name="Open in your map app")).to_have_attribute(
        "href", "geo:51.4794,-0.1573?q=51.4794,-0.1573(The%20bandstand%2C%20Battersea%20Park)"
    )
    expect(map_section.get_by_role("link", name="View on OpenStreetMap")).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=51\.4794&mlon=-0\.1573")
    )
    assert errors == []


def test_an_owner_sets_the_clubs_home_and_the_club_page_shows_it_on_a_map(
    app: Flask, new_page: Callable[[], Page], club_mates: int
):
    page = new_page()
    log_in(page, "ben")
    errors = console_errors(page)

    page.goto("/clubs/riverside")
    expect(page.get_by_role("heading", name="Home area")).to_have_count(0)
    page.get_by_role("link", name="Manage club").click()
    page.get_by_label("Home latitude").fill("51.4794")
    page.get_by_label("Home longitude").fill("-0.1573")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("The club's details are saved.")).to_be_visible()

    page.get_by_role("link", name="Back to the club page").click()
    expect(page.get_by_role("heading", name="Home area")).to_be_visible()
    expect_a_drawn_map(page, "Map of Riverside Runners's home area")
    expect(page.get_by_role("button", name="Riverside Runners")).to_be_visible()
    assert errors == []


def test_a_bad_latitude_is_shown_next_to_its_field_and_the_club_keeps_no_home(
    app: Flask, new_page: Callable[[], Page], club_mates: int
):
    page = new_page()
    log_in(page, "ben")
    page.goto("/clubs/riverside/manage")
    page.get_by_label("Home latitude").fill("95")
    page.get_by_label("Home longitude").fill("-0.1573")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Between -90 and 90.")).to_be_visible()
    page.goto("/clubs/riverside")
    expect(page.get_by_role("heading", name="Home area")).to_have_count(0)
