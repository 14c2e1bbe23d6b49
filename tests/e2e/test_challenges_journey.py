"""Challenges in a real browser: a board kept live, creating one, its rules, hiding from it."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select

from community.accounts.models import User
from community.activities import services as runs
from community.challenges import queries
from community.challenges import services as challenges
from community.challenges.models import Challenge
from community.clubs.models import Club
from community.extensions import db
from tests.e2e.pages import log_in
from tests.helpers import add_member, make_club, make_runner

pytestmark = pytest.mark.browser

CLUB = "Riverside Runners"
SLUG = "riverside"
ZONE = "Europe/Berlin"
TITLE = "Spring mileage"


def today() -> date:
    return datetime.now(ZoneInfo(ZONE)).date()


def long_date(day: date) -> str:
    return f"{day:%-d %B %Y}"


def club_with(app: Flask, owner: str, *members: str) -> tuple[dict[str, User], int]:
    """A club in Berlin; its runners (all in Berlin) by username, and the club's id."""
    names = {
        "olga": "Olga Berg",
        "ana": "Ana Lima",
        "ben": "Ben Okafor",
        "cleo": "Cleo Park",
        "dev": "Dev Rao",
        "emma": "Emma Stone",
    }
    people = {
        username: make_runner(app, username, display_name=names[username], timezone=ZONE)
        for username in (owner, *members)
    }
    club_id = make_club(app, people[owner], SLUG, name=CLUB, timezone=ZONE)
    for username in members:
        add_member(app, club_id, people[username])
    return people, club_id


def log_run(app: Flask, user: User, km: float) -> None:
    """A run of `km` that started 40 minutes ago, logged through the runs log's service."""
    with app.app_context():
        now = datetime.now(UTC)
        details = runs.RunDetails(
            start_time=now - timedelta(minutes=40), distance_m=km * 1000, duration_s=km * 330
        )
        runs.log_run(db.session.get(User, user.id), details, now=now)
        db.session.commit()


def ana_and_ben_in_a_challenge(
    app: Flask,
    *,
    ana_km: float,
    ben_km: float = 0,
    joined: tuple[str, ...] = ("ana", "ben"),
    others: dict[str, float] | None = None,
) -> tuple[dict[str, User], str]:
    """Ana's club runs a distance challenge this week, with Ben as a member; those `joined`
    are in it, and each has run what is given. `others` are more members, all in it, with
    the distance each ran after Ana. Returns the runners and the challenge's path."""
    others = others or {}
    people, club_id = club_with(app, "ana", "ben", *others)
    joined = (*joined, *others)
    with app.app_context():
        now = datetime.now(UTC)
        spec = challenges.ChallengeSpec(
            title=TITLE,
            kind="distance",
            starts_on=today() - timedelta(days=1),
            ends_on=today() + timedelta(days=6),
            timezone=ZONE,
            goal=50_000.0,
        )
        ana = db.session.get(User, people["ana"].id)
        challenge = challenges.create_challenge(ana, db.session.get(Club, club_id), spec, now=now)
        for username in joined:
            challenges.join(db.session.get(User, people[username].id), challenge, now=now)
        db.session.commit()
        challenge_id = challenge.id
    log_run(app, people["ana"], ana_km)
    for username, km in others.items():
        log_run(app, people[username], km)
    if ben_km:
        log_run(app, people["ben"], ben_km)
    return people, f"/challenges/{challenge_id}"


def open_challenge_live(page: Page, path: str, title: str = TITLE) -> None:
    """Open a challenge page and wait until the server has put it in the challenge's room."""
    page.goto(path)
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    wait_until_watching(page)


def wait_until_watching(page: Page) -> None:
    expect(page.locator("[data-challenge-live][data-watching='true']")).to_be_attached()


def open_club_live(page: Page) -> None:
    page.goto(f"/clubs/{SLUG}")
    expect(page.get_by_role("heading", name=CLUB, level=1)).to_be_visible()
    expect(page.locator("[data-club-live][data-watching='true']")).to_be_attached()


def board(page: Page) -> Locator:
    """The leaderboard's rows: rank, runner, total."""
    return page.locator("#board tbody tr")


def row(rank: int, name: str, total: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{rank}\s*{re.escape(name)}\s*{re.escape(total)}\s*$")


def stat(page: Page, name: str) -> Locator:
    """One figure in the "You" card, found by its term."""
    term = page.get_by_role("term").filter(has_text=re.compile(f"^{re.escape(name)}$"))
    return page.locator("#my-standing .stats > div").filter(has=term).get_by_role("definition")


def log_run_in_browser(page: Page, *, distance: str, duration: str) -> None:
    """Log a run that starts now through the "Log a run" form (date and time come filled)."""
    page.goto("/runs/new")
    expect(page.get_by_role("heading", name="Log a run")).to_be_visible()
    page.get_by_label("Distance").fill(distance)
    page.get_by_label("Time (h:mm:ss)").fill(duration)
    page.get_by_role("button", name="Save run").click()
    expect(page.get_by_text("Run logged. Nice work!")).to_be_visible()


def open_new_challenge_form(page: Page) -> None:
    """As a club admin: the club page's "New club challenge" link."""
    open_club_live(page)
    page.locator("#slot-challenges").get_by_role("link", name="New club challenge").click()
    expect(page.get_by_role("heading", name=f"New challenge for {CLUB}")).to_be_visible()


def fill_challenge(
    page: Page, *, title: str, counts: str, goal: str, first: date, last: date
) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_label("What counts").select_option(label=counts)
    page.get_by_label("Goal").fill(goal)
    page.get_by_label("First day").fill(first.isoformat())
    page.get_by_label("Last day").fill(last.isoformat())


def test_a_run_that_overtakes_moves_the_runner_up_on_an_open_board(app, new_page):
    _, path = ana_and_ben_in_a_challenge(app, ana_km=5)
    ana, ben = new_page(), new_page()

    log_in(ana, "ana")
    open_challenge_live(ana, path)
    expect(board(ana)).to_have_text(
        [row(1, "Ana Lima", "5.00 km"), row(2, "Ben Okafor", "0.00 km")]
    )
    expect(stat(ana, "Your rank")).to_have_text("1")
    ana.evaluate("window.stillTheSamePage = true")

    log_in(ben, "ben")
    log_run_in_browser(ben, distance="8", duration="0:44:00")

    # Ana's page re-sorts and re-ranks without a reload.
    expect(board(ana)).to_have_text(
        [row(1, "Ben Okafor", "8.00 km"), row(2, "Ana Lima", "5.00 km")]
    )
    expect(board(ana).filter(has_text="Ana Lima")).to_have_attribute("aria-current", "true")
    expect(stat(ana, "Your rank")).to_have_text("2")
    expect(stat(ana, "Your total")).to_have_text("5.00 km")
    assert ana.evaluate("window.stillTheSamePage") is True

    open_challenge_live(ben, path)
    expect(stat(ben, "Your total")).to_have_text("8.00 km")
    expect(stat(ben, "Your rank")).to_have_text("1")


def rendered_board(page: Page, path: str) -> list[str]:
    """The board's rows as the server renders them: the page opened afresh."""
    page.goto(path)
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    return board(page).all_inner_texts()


def test_a_run_that_ties_the_leaders_ranks_the_runner_with_them_on_an_open_board(app, new_page):
    # Four runners on 10 km; Ben, on 6 km, is about to tie them.
    _, path = ana_and_ben_in_a_challenge(
        app, ana_km=10, ben_km=6, others={"cleo": 10, "dev": 10, "emma": 10}
    )
    ana, ben = new_page(), new_page()
    log_in(ana, "ana")
    open_challenge_live(ana, path)
    tied = ["Ana Lima", "Cleo Park", "Dev Rao", "Emma Stone"]
    expect(board(ana)).to_have_text(
        [*(row(1, name, "10.00 km") for name in tied), row(5, "Ben Okafor", "6.00 km")]
    )
    log_in(ben, "ben")
    open_challenge_live(ben, path)
    expect(stat(ben, "Your rank")).to_have_text("5")

    log_run_in_browser(ben.context.new_page(), distance="4", duration="0:22:00")

    # Five on 10.00 km share first place; Ben got there last, so he is listed last.
    five_tied = [*(row(1, name, "10.00 km") for name in tied), row(1, "Ben Okafor", "10.00 km")]
    expect(board(ana)).to_have_text(five_tied)
    expect(board(ben)).to_have_text(five_tied)
    expect(stat(ben, "Your rank")).to_have_text("1")
    # What the open boards show is what the server renders after a reload.
    assert board(ana).all_inner_texts() == rendered_board(ana.context.new_page(), path)


def leave_challenge(app: Flask, user: User, path: str) -> None:
    with app.app_context():
        challenge = db.session.get(Challenge, int(path.rsplit("/", 1)[1]))
        challenges.leave(db.session.get(User, user.id), challenge, now=datetime.now(UTC))
        db.session.commit()


def test_an_open_first_page_follows_a_runner_leaving_it_and_another_tying_into_it(
    app, new_page, monkeypatch
):
    monkeypatch.setattr(queries, "PER_PAGE", 3)
    people, path = ana_and_ben_in_a_challenge(
        app, ana_km=10, ben_km=6, others={"cleo": 10, "dev": 10, "emma": 8}
    )
    ana = new_page()
    log_in(ana, "ana")
    open_challenge_live(ana, path)
    tied = [row(1, name, "10.00 km") for name in ("Ana Lima", "Cleo Park", "Dev Rao")]
    expect(board(ana)).to_have_text(tied)

    # Dev leaves: the next page's first runner moves up, which the page reads again.
    leave_challenge(app, people["dev"], path)
    expect(board(ana)).to_have_text([*tied[:2], row(3, "Emma Stone", "8.00 km")])
    expect(ana.get_by_role("link", name="Lower")).to_be_visible()
    assert board(ana).all_inner_texts() == rendered_board(ana.context.new_page(), path)

    # Ben's run ties him with the leaders, ahead of Emma, who goes to the next page.
    log_run(app, people["ben"], 4)
    expect(board(ana)).to_have_text([*tied[:2], row(1, "Ben Okafor", "10.00 km")])
    expect(stat(ana, "Your rank")).to_have_text("1")
    expect(ana.locator("[data-around] li")).to_have_text(
        ["1. Ana Lima · 10.00 km", "1. Cleo Park · 10.00 km", "1. Ben Okafor · 10.00 km"]
    )
    assert board(ana).all_inner_texts() == rendered_board(ana.context.new_page(), path)


def test_a_club_admin_creates_a_challenge_and_a_member_who_joins_appears_live(app, new_page):
    people, _ = club_with(app, "olga", "ben")
    log_run(app, people["ben"], 6)  # this morning, before there was a challenge
    first, last = today() - timedelta(days=2), today() + timedelta(days=12)
    olga, ben = new_page(), new_page()

    log_in(olga, "olga")
    open_new_challenge_form(olga)
    expect(olga.get_by_label("Time zone")).to_have_value(ZONE)
    fill_challenge(olga, title=TITLE, counts="Most distance", goal="50", first=first, last=last)
    olga.get_by_role("button", name="Create challenge").click()

    expect(olga.get_by_text("Challenge created.")).to_be_visible()
    expect(olga).to_have_url(re.compile(r"/challenges/\d+$"))
    expect(olga.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    rules = olga.get_by_role("region", name="Rules")
    expect(rules.get_by_role("listitem").first).to_have_text(
        f"Most distance from {long_date(first)} to {long_date(last)}. "
        "Reach 50.00 km to complete it; the board ranks most distance."
    )
    expect(rules).to_contain_text(
        f"Days are counted in {ZONE}: a run counts by the local date and time it started, "
        f"from midnight at the start of {long_date(first)} to midnight at the end of "
        f"{long_date(last)}."
    )
    expect(rules).to_contain_text("Late uploads: runs dated inside the challenge still count")
    expect(olga.locator("#board")).to_contain_text("Nobody on the board yet.")
    path = re.sub(r"^https?://[^/]+", "", olga.url)
    wait_until_watching(olga)

    olga.get_by_role("button", name="Join challenge").click()
    expect(olga.get_by_text("You're in. Every run since the start counts.")).to_be_visible()
    expect(board(olga)).to_have_text([row(1, "Olga Berg", "0.00 km")])
    wait_until_watching(olga)
    olga.evaluate("window.stillTheSamePage = true")

    log_in(ben, "ben")
    open_club_live(ben)
    ben.locator("#slot-challenges").get_by_role("link", name=TITLE).click()
    expect(ben).to_have_url(re.compile(f"{re.escape(path)}$"))
    wait_until_watching(ben)
    ben.get_by_role("button", name="Join challenge").click()
    expect(ben.get_by_text("You're in. Every run since the start counts.")).to_be_visible()
    expect(stat(ben, "Your total")).to_have_text("6.00 km")

    # Ben's row arrives on Olga's open page, above hers.
    expect(board(olga)).to_have_text(
        [row(1, "Ben Okafor", "6.00 km"), row(2, "Olga Berg", "0.00 km")]
    )
    expect(stat(olga, "Your rank")).to_have_text("2")
    assert olga.evaluate("window.stillTheSamePage") is True


def test_a_member_without_runs_who_joins_appears_on_an_open_board(app, new_page):
    _, path = ana_and_ben_in_a_challenge(app, ana_km=5, joined=("ana",))
    ana, ben = new_page(), new_page()
    log_in(ana, "ana")
    open_challenge_live(ana, path)
    expect(board(ana)).to_have_text([row(1, "Ana Lima", "5.00 km")])

    log_in(ben, "ben")
    open_challenge_live(ben, path)
    ben.get_by_role("button", name="Join challenge").click()
    expect(board(ben)).to_have_text(
        [row(1, "Ana Lima", "5.00 km"), row(2, "Ben Okafor", "0.00 km")]
    )

    # Live: nothing but the socket's event brings Ben's row to Ana's open page.
    expect(board(ana)).to_have_text(
        [row(1, "Ana Lima", "5.00 km"), row(2, "Ben Okafor", "0.00 km")]
    )


def test_invalid_challenge_input_shows_field_errors_and_creates_nothing(app, new_page):
    club_with(app, "olga")
    olga = new_page()
    log_in(olga, "olga")
    open_new_challenge_form(olga)

    fill_challenge(
        olga,
        title=TITLE,
        counts="Most distance",
        goal="50",
        first=today() + timedelta(days=7),
        last=today() + timedelta(days=1),
    )
    olga.get_by_role("button", name="Create challenge").click()
    last_day = olga.get_by_label("Last day")
    expect(last_day).to_have_accessible_description("The last day can't be before the first.")
    expect(last_day).to_have_attribute("aria-invalid", "true")
    expect(olga.get_by_label("Title")).to_have_value(TITLE)

    fill_challenge(
        olga,
        title="Four weeks in a row",
        counts="Weekly streak",
        goal="4",
        first=today(),
        last=today() + timedelta(days=27),
    )
    olga.get_by_role("button", name="Create challenge").click()
    runs_a_week = olga.get_by_label("Runs a week (streak)")
    expect(runs_a_week).to_have_accessible_description(re.compile(r"^Runs a week: 1 to 14\."))
    expect(last_day).not_to_have_attribute("aria-invalid", "true")
    expect(olga.get_by_label("What counts")).to_have_value("streak")

    open_club_live(olga)
    expect(olga.locator("#slot-challenges")).to_contain_text("No challenges yet.")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Challenge)) == 0


def test_a_runner_hidden_from_the_board_sees_only_their_own_total(app, new_page):
    people, path = ana_and_ben_in_a_challenge(app, ana_km=5, ben_km=8)
    ana, ben = new_page(), new_page()

    log_in(ben, "ben")
    open_challenge_live(ben, path)
    expect(board(ben)).to_have_text(
        [row(1, "Ben Okafor", "8.00 km"), row(2, "Ana Lima", "5.00 km")]
    )
    ben.get_by_role("button", name="Hide me from the public board").click()
    expect(ben.get_by_text("You're hidden from the public board.")).to_be_visible()
    expect(
        ben.get_by_text("You are hidden from the public board; your total still counts.")
    ).to_be_visible()
    expect(stat(ben, "Your total")).to_have_text("8.00 km")
    expect(board(ben)).to_have_text([row(1, "Ana Lima", "5.00 km")])
    expect(ben.get_by_role("button", name="Show me on the public board")).to_be_visible()
    wait_until_watching(ben)

    log_in(ana, "ana")
    open_challenge_live(ana, path)
    expect(board(ana)).to_have_text([row(1, "Ana Lima", "5.00 km")])
    expect(stat(ana, "Your rank")).to_have_text("1")
    expect(ana.get_by_text("Ben Okafor")).to_have_count(0)

    # Ben's next run reaches his own page, not Ana's board.
    log_run_in_browser(ben.context.new_page(), distance="3", duration="0:18:00")
    expect(stat(ben, "Your total")).to_have_text("11.00 km")
    # Ana's own run comes after it in her socket's events: once it shows, Ben's would have.
    log_run(app, people["ana"], 1)
    expect(board(ana)).to_have_text([row(1, "Ana Lima", "6.00 km")])
    expect(ana.get_by_text("Ben Okafor")).to_have_count(0)


def test_the_standings_over_time_chart_draws_the_viewer_and_the_board_day_by_day(app, new_page):
    _, path = ana_and_ben_in_a_challenge(app, ana_km=12, ben_km=7)
    page = new_page()
    log_in(page, "ana")

    page.goto(path)

    chart = page.get_by_role("figure", name="Standings over time")
    expect(chart.get_by_role("img", name="Standings over time").locator("canvas")).to_have_count(1)
    expect(chart.locator(".u-axis")).to_have_count(2)
    chart.get_by_text("Show as a table").click()
    table = chart.locator("details table")
    expect(table.get_by_role("columnheader")).to_have_text(
        ["Day", "Ana Lima (you)", "Ben Okafor", "On pace for the goal"]
    )
    expect(table.locator("tbody tr")).to_have_count(8)  # the challenge's 8 days
    today_row = table.get_by_role("row", name=re.compile(f"^{today():%-d %b} "))
    expect(today_row.locator("td")).to_have_text(["12.00 km", "7.00 km", "12.50 km"])
    tomorrow = table.get_by_role("row", name=re.compile(f"^{today() + timedelta(days=1):%-d %b} "))
    expect(tomorrow.locator("td")).to_have_text(["", "", "18.75 km"])


def filled_share(bar: Locator) -> float:
    """How much of a goal bar is drawn filled, measured on the screen."""
    return bar.evaluate(
        "svg => svg.querySelector('[data-progress-fill]').getBoundingClientRect().width"
        " / svg.getBoundingClientRect().width"
    )


def test_a_half_done_challenge_shows_half_a_bar_and_the_page_breaks_no_content_policy(
    app, new_page
):
    _, path = ana_and_ben_in_a_challenge(app, ana_km=25)  # half of the 50 km goal
    ana = new_page()
    errors: list[str] = []
    ana.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(ana, "ana")

    ana.goto("/dashboard")
    on_dashboard = ana.get_by_role("progressbar", name=f"Progress toward {TITLE}")
    expect(on_dashboard).to_have_attribute("aria-valuenow", "50")
    assert filled_share(on_dashboard) == pytest.approx(0.5, abs=0.01)

    open_challenge_live(ana, path)
    on_card = ana.locator("#my-standing").get_by_role("progressbar")
    expect(on_card).to_have_attribute("aria-valuenow", "50")
    assert filled_share(on_card) == pytest.approx(0.5, abs=0.01)

    # Another run, logged on her phone: the open page's bar grows without a reload.
    phone = new_page()
    log_in(phone, "ana")
    log_run_in_browser(phone, distance="5", duration="0:28:00")
    expect(on_card).to_have_attribute("aria-valuenow", "60")
    assert filled_share(on_card) == pytest.approx(0.6, abs=0.01)
    assert errors == []
