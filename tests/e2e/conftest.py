"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live server."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.helpers import add_member, make_club, make_runner, require

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Quiet flags: this machine has no network beyond loopback, so keep Chromium from trying.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# What a journey waits for a page to show (an assertion's retry) and for an action (a click):
# the same bound. Playwright's 5 s default for assertions ran out on a loaded two-core
# machine running two workers: a form's POST and redirect took longer than that to redraw.
WAIT_MS = 10_000
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        require(f"Chromium is not installed at {CHROMIUM} (Debian package 'chromium')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator:
    """Open a page in a fresh browser context (its own cookies: another person or device)."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(base_url=live_server)
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def club_mates(app: Flask) -> int:
    """Ana runs in Riverside Runners, which Ben owns; returns the club's id."""
    ana = make_runner(app, "ana", display_name="Ana Lima")
    ben = make_runner(app, "ben", display_name="Ben Okafor")
    riverside = make_club(app, ben, "riverside", name="Riverside Runners")
    add_member(app, riverside, ana)
    return riverside
