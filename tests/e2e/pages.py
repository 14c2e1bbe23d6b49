"""Steps every browser journey shares."""

import re
from datetime import datetime

from playwright.sync_api import Page, expect

from tests.helpers import PASSWORD


def watching(page: Page) -> None:
    """Wait until the page's live feed is watching (its feed:watch was answered)."""
    expect(page.locator("[data-feed-live][data-watching='true']")).to_be_attached()


def item(page: Page, text: str):
    """The feed item that says `text`."""
    return page.locator("li.feed-item").filter(has_text=text)


def open_comments(card) -> None:  # type: ignore[no-untyped-def]
    """Open a card's comments, which wait behind their count (back from commenting, the
    page has opened them already)."""
    # Back from commenting, ui.js opens them from the address's #comments-N once the page
    # is parsed: looked at before that, a click would close what the script then opened.
    card.page.wait_for_load_state("domcontentloaded")
    box = card.locator("details.feed-comments-box")
    if box.get_attribute("open") is None:
        box.locator("summary").first.click()
    expect(box).to_have_attribute("open", "")


def open_menu(card) -> None:  # type: ignore[no-untyped-def]
    """Open a card's menu (report, delete)."""
    card.locator("details.menu > summary").click()


def confirming(page: Page, action) -> None:  # type: ignore[no-untyped-def]
    """Do `action`, saying yes to the question it asks first (a data-confirm form)."""
    asked: list[str] = []

    def accept(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    action()
    assert asked, "no question was asked first"


def log_in(page: Page, login: str, password: str = PASSWORD) -> None:
    """Log in through the real form and wait for the dashboard."""
    page.goto("/login")
    page.get_by_label("Username or e-mail").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("Hello"))).to_be_visible()


def log_out(page: Page) -> None:
    """Log out from the account menu in the header."""
    page.locator(".account-menu > summary").click()
    page.get_by_role("button", name="Log out").click()


def open_log_a_run(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My runs").click()
    page.get_by_role("link", name="Log a run").click()
    expect(page.get_by_role("heading", name="Log a run")).to_be_visible()


def fill_run(
    page: Page,
    *,
    date: str,
    start: str,
    distance: str,
    duration: str,
    run_type: str = "Easy",
    effort: str = "",
    title: str = "",
    visibility: str | None = None,
) -> None:
    """Fill the "Log a run" form; date as YYYY-MM-DD, start as HH:MM (the runner's zone)."""
    page.get_by_label("Date").fill(date)
    page.get_by_label("Start time").fill(start)
    page.get_by_label("Distance").fill(distance)
    page.get_by_label("Time (h:mm:ss)").fill(duration)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Type").select_option(label=run_type)
    page.get_by_label("Perceived effort (1-10)").fill(effort)
    if visibility is not None:
        page.get_by_label("Who can see it").select_option(label=visibility)


def log_a_run(page: Page, start: datetime, distance: str, duration: str, title: str = "") -> None:
    """Log a run by hand at `start` (shown in the runner's zone: UTC for these runners)."""
    open_log_a_run(page)
    fill_run(
        page,
        date=start.strftime("%Y-%m-%d"),
        start=start.strftime("%H:%M"),
        distance=distance,
        duration=duration,
        title=title,
    )
    page.get_by_role("button", name="Save run").click()


def console_errors(page: Page) -> list[str]:
    """What the page reports as errors from now on: console errors (a Content-Security-Policy
    violation is one) and uncaught exceptions. The list fills as they happen."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
