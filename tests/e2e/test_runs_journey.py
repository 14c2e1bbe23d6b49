"""The runs log in a real browser: logging by hand, uploading files, who sees a run, progress."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.activities.trackfiles import T0, fit_bytes, gpx_bytes, make_points, zip_bytes
from tests.e2e.pages import (
    confirming,
    console_errors,
    fill_run,
    log_a_run,
    log_in,
    open_log_a_run,
)
from tests.helpers import add_member, make_club, make_runner

pytestmark = pytest.mark.browser

FILES_FIELD = "GPX, TCX or FIT files, or a zip archive of them"


def stat(page: Page, name: str) -> Locator:
    """The value of one figure in a page's list of stats, found by its term."""
    term = page.get_by_role("term").filter(has_text=re.compile(f"^{re.escape(name)}$"))
    return page.locator(".stats > div").filter(has=term)


def upload(page: Page, *paths: Path) -> None:
    page.goto("/runs/upload")
    expect(page.get_by_role("heading", name="Upload runs")).to_be_visible()
    page.get_by_label(FILES_FIELD).set_input_files(list(paths))
    page.get_by_role("button", name="Upload").click()


def test_a_runner_in_miles_logs_edits_and_deletes_a_run(app, new_page):
    make_runner(app, "ana", display_name="Ana Lima", units="mi", timezone="America/New_York")
    page = new_page()
    log_in(page, "ana")

    open_log_a_run(page)
    expect(page.get_by_text("In miles.")).to_be_visible()
    expect(page.get_by_text("Your time zone: America/New_York")).to_be_visible()
    fill_run(
        page,
        date="2024-05-04",
        start="07:30",
        distance="5",
        duration="0:45:00",
        run_type="Long",
        effort="6",
    )
    page.get_by_role("button", name="Save run").click()

    expect(page.get_by_text("Run logged. Nice work!")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/runs/\d+$"))
    run_url = page.url
    expect(page.get_by_role("heading", name="Morning Run", level=1)).to_be_visible()
    expect(page.get_by_text("Saturday 4 May 2024, 07:30 · Long")).to_be_visible()
    expect(stat(page, "Distance")).to_contain_text("5.00 mi")
    expect(stat(page, "Time")).to_contain_text("45:00")
    expect(stat(page, "Pace")).to_contain_text("9:00 /mi")
    expect(stat(page, "Effort")).to_contain_text("6/10")

    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit run")).to_be_visible()
    expect(page.get_by_label("Distance")).to_have_value("5.00")
    expect(page.get_by_label("Time (h:mm:ss)")).to_have_value("45:00")
    page.get_by_label("Title").fill("Saturday long run")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Run updated.")).to_be_visible()
    expect(page).to_have_url(run_url)
    expect(page.get_by_role("heading", name="Saturday long run", level=1)).to_be_visible()
    expect(stat(page, "Distance")).to_contain_text("5.00 mi")

    confirming(page, page.get_by_role("button", name="Delete run").click)
    expect(page.get_by_text("Run deleted.")).to_be_visible()
    expect(page.get_by_role("heading", name="My runs")).to_be_visible()
    expect(page.get_by_text("No runs yet.")).to_be_visible()
    expect(page.get_by_role("link", name="Saturday long run")).to_have_count(0)
    assert page.goto(run_url).status == 404


def test_a_world_record_pace_is_saved_only_once_confirmed(app, new_page):
    make_runner(app, "ana", units="mi")
    page = new_page()
    log_in(page, "ana")

    open_log_a_run(page)
    expect(page.get_by_label("Yes, this pace is right")).to_have_count(0)
    # 3 miles in 10 minutes: 3:20 a mile, faster than any world record.
    fill_run(page, date="2024-05-04", start="18:00", distance="3", duration="0:10:00")
    page.get_by_role("button", name="Save run").click()

    expect(page.get_by_role("heading", name="Log a run")).to_be_visible()
    expect(page.get_by_text("That pace is faster than the world record.")).to_be_visible()
    expect(page.get_by_label("Distance")).to_have_attribute("aria-invalid", "true")
    confirm = page.get_by_label("Yes, this pace is right")
    expect(confirm).not_to_be_checked()
    expect(page.get_by_label("Distance")).to_have_value("3")

    confirm.check()
    page.get_by_role("button", name="Save run").click()
    expect(page.get_by_text("Run logged. Nice work!")).to_be_visible()
    expect(page.get_by_role("heading", name="Evening Run", level=1)).to_be_visible()
    expect(stat(page, "Pace")).to_contain_text("3:20 /mi")


def test_an_uploaded_gpx_shows_its_route_splits_and_personal_bests(app, new_page, tmp_path):
    make_runner(app, "ana")
    track = tmp_path / "morning.gpx"
    track.write_bytes(gpx_bytes(make_points(401, step_s=3.0, step_m=10.0)))  # 4 km at 5:00/km
    page = new_page()
    log_in(page, "ana")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My runs").click()
    page.get_by_role("link", name="Upload files").click()
    expect(page.get_by_role("heading", name="Upload runs")).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_label(FILES_FIELD).set_input_files(track)
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("heading", name="1 of 1 file imported")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="morning.gpx")
    assert page.evaluate("window.stillTheSamePage") is True  # upload.js swapped #main in
    errors = console_errors(page)
    row.get_by_role("link", name="Imported.").click()

    expect(page).to_have_url(re.compile(r"/runs/\d+$"))
    expect(page.get_by_role("heading", name="Morning Run", level=1)).to_be_visible()
    expect(stat(page, "Distance")).to_contain_text("4.00 km")
    expect(stat(page, "Time")).to_contain_text("20:00")
    expect(stat(page, "Pace")).to_contain_text("5:00 /km")

    route = page.get_by_role("region", name="Route")
    expect(route.get_by_role("region", name="Map of the route of Morning Run")).to_be_visible()
    expect(route.locator("path.leaflet-interactive")).not_to_have_count(0)  # the line drawn

    splits = page.get_by_role("region", name="Splits")
    expect(splits.get_by_role("columnheader", name="Km")).to_be_visible()
    expect(splits.locator("tbody tr")).to_have_count(4)
    for split in splits.locator("tbody tr").all():
        expect(split).to_contain_text("5:00 /km")

    profile = page.get_by_role("region", name="Profile")
    for caption in ("Pace", "Elevation"):
        chart = profile.get_by_role("figure", name=caption, exact=True)
        expect(chart.get_by_role("img", name=caption, exact=True).locator("canvas")).to_have_count(
            1
        )
        expect(chart.locator(".u-axis")).to_have_count(2)
    pace = profile.get_by_role("figure", name="Pace", exact=True)
    pace.get_by_text("Show as a table").click()
    expect(pace.locator("details tbody tr")).to_have_count(201)  # every 20 m
    expect(pace.locator("details tbody tr").nth(100)).to_have_text(
        re.compile(r"2\.00 km\s*5:00 /km")
    )
    expect(profile.get_by_role("figure", name="Heart rate")).to_have_count(0)  # none in the file

    efforts = page.get_by_role("region", name="Best efforts")
    for label, time in (("400 m", "2:00"), ("1 km", "5:00"), ("1 mile", "8:03")):
        effort = efforts.get_by_role("row", name=re.compile(f"^{label} "))
        expect(effort).to_contain_text(time)
        expect(effort).to_contain_text("Personal best")
    expect(efforts.get_by_role("row", name=re.compile("^5 km"))).to_have_count(0)
    assert errors == []


def test_a_zip_imports_its_good_tracks_and_names_the_broken_one(app, new_page, tmp_path):
    make_runner(app, "ana")
    archive = tmp_path / "export.zip"
    archive.write_bytes(
        zip_bytes(
            {
                "activities/tuesday.gpx": gpx_bytes(make_points(201, step_s=3.0, step_m=10.0)),
                "activities/thursday.fit": fit_bytes(
                    make_points(201, start=T0 + timedelta(days=2), step_s=3.0, step_m=10.0)
                ),
                "activities/broken.gpx": b"<gpx><trk><trkseg><trkpt lat=",
            }
        )
    )
    page = new_page()
    log_in(page, "ana")

    upload(page, archive)

    expect(page.get_by_role("heading", name="2 of 3 files imported")).to_be_visible()
    for name in ("activities/tuesday.gpx", "activities/thursday.fit"):
        row = page.get_by_role("row").filter(has_text=name)
        expect(row.get_by_role("link", name="Imported.")).to_be_visible()
    broken = page.get_by_role("row").filter(has_text="activities/broken.gpx")
    expect(broken).to_contain_text("This GPX file is damaged and cannot be read.")
    expect(broken.get_by_role("link")).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My runs").click()
    expect(page.locator("tbody tr")).to_have_count(2)


def test_a_run_for_club_members_is_seen_by_a_club_mate_and_no_one_else(app, new_page):
    ana = make_runner(app, "ana", display_name="Ana Lima")
    ben = make_runner(app, "ben", display_name="Ben Okafor")
    make_runner(app, "cara", display_name="Cara Diaz")
    add_member(app, make_club(app, ana), ben)
    ana_page, ben_page, cara_page = new_page(), new_page(), new_page()

    log_in(ana_page, "ana")
    open_log_a_run(ana_page)
    fill_run(
        ana_page,
        date="2024-05-04",
        start="08:00",
        distance="8",
        duration="0:42:00",
        title="Club hill repeats",
        visibility="Members of my clubs",
    )
    ana_page.get_by_role("button", name="Save run").click()
    expect(ana_page.get_by_text("Run logged. Nice work!")).to_be_visible()
    expect(ana_page.locator(".badge")).to_have_text("Club members")
    run_url = ana_page.url

    log_in(ben_page, "ben")
    ben_page.goto(run_url)
    expect(ben_page.get_by_role("heading", name="Club hill repeats", level=1)).to_be_visible()
    expect(ben_page.get_by_role("link", name="Ana Lima")).to_be_visible()
    expect(ben_page.get_by_role("button", name="Delete run")).to_have_count(0)

    log_in(cara_page, "cara")
    assert cara_page.goto(run_url).status == 404
    expect(cara_page.get_by_role("heading", name="There is nothing here.")).to_be_visible()
    expect(cara_page.get_by_text("Club hill repeats")).to_have_count(0)


def test_progress_shows_charts_totals_and_the_week_streak(app, new_page):
    make_runner(app, "ana")  # km, UTC
    page = new_page()
    log_in(page, "ana")
    # One run an hour ago and one exactly a week before: two weeks in a row, whatever today is.
    recent = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    for start, distance, duration in (
        (recent - timedelta(weeks=1), "5", "0:30:00"),
        (recent, "8", "0:40:00"),
    ):
        log_a_run(page, start, distance, duration)
        expect(page.get_by_text("Run logged. Nice work!")).to_be_visible()

    errors = console_errors(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", name="My progress")).to_be_visible()
    expect(page).to_have_title("My progress · Runhive")
    expect(stat(page, "Week streak")).to_contain_text("2 weeks")
    expect(stat(page, "All time")).to_contain_text("13.00 km")
    expect(stat(page, "All time")).to_contain_text("2 runs · 1:10:00")

    for caption in (
        "Distance per week",
        "Time per week",
        "Runs per week",
        "Distance per month",
        "Time per month",
        "Runs per month",
    ):
        chart = page.get_by_role("figure", name=caption)
        expect(chart).to_be_visible()
        plot = chart.get_by_role("img", name=caption)
        expect(plot).to_be_visible()
        expect(plot.locator("canvas")).to_have_count(1)
        expect(chart.locator(".u-axis")).to_have_count(2)  # x and y, with their titles

    distance = page.get_by_role("figure", name="Distance per week")
    expect(distance.locator(".u-legend")).to_contain_text("Average of the previous 4 weeks")
    distance.get_by_text("Show as a table").click()
    rows = distance.locator("details tbody tr")
    expect(rows).to_have_count(12)
    expect(rows.filter(has_text="8.00 km").locator("td")).to_have_text(["8.00 km", "1.25 km"])
    expect(rows.filter(has_text="5.00 km").locator("td")).to_have_text(["5.00 km", "0.00 km"])
    # The arrow keys read the chart's values, the same as its table's.
    recent_row = [row.inner_text() for row in rows.all()].index(
        rows.filter(has_text="8.00 km").inner_text()
    )
    plot = distance.get_by_role("img", name="Distance per week")
    plot.focus()
    plot.press("Home")
    for _ in range(recent_row):
        plot.press("ArrowRight")
    status = distance.locator("[data-chart-status]")
    expect(status).to_have_text(
        re.compile(r": Distance 8\.00 km; Average of the previous 4 weeks 1\.25 km$")
    )
    expect(distance.locator(".u-legend")).to_contain_text("8.00 km")
    plot.press("ArrowLeft")
    expect(status).to_have_text(re.compile(r": Distance 5\.00 km; "))

    runs_per_week = page.get_by_role("figure", name="Runs per week")
    runs_per_week.get_by_text("Show as a table").click()
    cells = runs_per_week.locator("details tbody td.num")
    expect(cells).to_have_count(12)
    assert cells.all_inner_texts().count("1") == 2
    expect(page.get_by_text("Upload a run with a GPS track")).to_be_visible()
    assert errors == []
