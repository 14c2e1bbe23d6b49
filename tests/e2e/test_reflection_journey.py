"""The weekly reflection in a real browser: after a run the runner says how the week felt,
finds it in their journal by a word, and a club-mate on the same run's page sees none of it."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import console_errors, log_a_run, log_in

pytestmark = pytest.mark.browser


def test_a_runner_reflects_on_the_week_and_finds_it_again(club_mates, new_page) -> None:
    ana, ben = new_page(), new_page()
    errors = {"ana": console_errors(ana), "ben": console_errors(ben)}
    log_in(ana, "ana")
    log_a_run(ana, datetime.now(UTC) - timedelta(hours=1), "9", "0:50:00", "River intervals")

    prompt = ana.get_by_role("region", name="How was your week?")
    prompt.get_by_label("Good").check()
    prompt.get_by_label("What went well?").fill("Held 4:30 on every rep, even the last.")
    prompt.get_by_role("button", name="Keep it").click()
    kept = ana.get_by_role("region", name="Your week, looking back")
    expect(kept).to_contain_text("Good")
    expect(kept).to_contain_text("Held 4:30 on every rep")
    run_page = ana.url

    kept.get_by_role("link", name="Your journal").click()
    ana.get_by_label("Search your reflections").fill("every rep")
    ana.get_by_role("button", name="Search").click()
    expect(ana.locator(".journal-entry")).to_have_count(1)
    expect(ana.locator(".journal-entry")).to_contain_text("after River intervals")

    log_in(ben, "ben")
    ben.goto(run_page)
    expect(ben.get_by_role("heading", name="River intervals")).to_be_visible()
    expect(ben.get_by_text("Held 4:30 on every rep")).to_have_count(0)
    expect(ben.get_by_role("region", name="How was your week?")).to_have_count(0)
    assert errors == {"ana": [], "ben": []}
