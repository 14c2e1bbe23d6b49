"""A newcomer's first minutes, and the live link between one runner's devices."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import log_in, log_out
from tests.helpers import make_runner

pytestmark = pytest.mark.browser


def test_register_log_out_log_in_and_see_the_dashboard(new_page):
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="Create your account").click()
    page.get_by_label("Username").fill("chloe")
    page.get_by_label("E-mail").fill("chloe@example.com")
    page.get_by_label("Display name").fill("Chloé Martin")
    page.get_by_label("Password").fill("one km at a time")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Hello, Chloé Martin")).to_be_visible()

    log_out(page)
    expect(page.get_by_text("You have logged out on every device.")).to_be_visible()

    log_in(page, "chloe@example.com", "one km at a time")
    expect(page).to_have_url(re.compile("/dashboard$"))
    expect(page.get_by_text("Welcome to Runhive")).to_have_count(0)


def test_a_wrong_password_shows_one_generic_message(app, new_page):
    make_runner(app, "ana")
    page = new_page()
    page.goto("/login")
    page.get_by_label("Username or e-mail").fill("ana")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username, e-mail or password.")


def test_a_name_changed_on_the_phone_appears_live_on_the_laptop(app, new_page):
    make_runner(app, "ana", display_name="Ana")
    laptop, phone = new_page(), new_page()
    log_in(laptop, "ana")
    expect(laptop.locator("body[data-live-connected='true']")).to_be_attached()
    log_in(phone, "ana")

    phone.goto("/settings")
    phone.get_by_label("Display name").fill("Ana the Swift")
    phone.get_by_role("button", name="Save settings").click()
    expect(phone.get_by_text("Your settings are saved.")).to_be_visible()

    expect(laptop.get_by_role("heading", name="Hello, Ana the Swift")).to_be_visible()


def test_logging_out_on_one_device_tells_the_other_at_once(app, new_page):
    make_runner(app, "ana")
    laptop, phone = new_page(), new_page()
    log_in(laptop, "ana")
    expect(laptop.locator("body[data-live-connected='true']")).to_be_attached()
    log_in(phone, "ana")

    log_out(phone)

    expect(laptop.get_by_text("You have been logged out.")).to_be_visible()
    laptop.reload()
    expect(laptop).to_have_url(re.compile("/login"))
