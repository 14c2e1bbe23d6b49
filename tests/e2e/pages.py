"""Steps every browser journey shares."""

import re

from playwright.sync_api import Page, expect

from tests.helpers import PASSWORD


def log_in(page: Page, login: str, password: str = PASSWORD) -> None:
    """Log in through the real form and wait for the dashboard."""
    page.goto("/login")
    page.get_by_label("Username or e-mail").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("Hello"))).to_be_visible()
