"""Milestones in a real browser: a runner logs her first 10K; her club-mate, watching the
club's feed, sees the run arrive with its badges without a reload, and both find it in her
trophy case."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import console_errors, item, log_a_run, log_in, watching

pytestmark = pytest.mark.browser


def test_a_first_10k_reaches_a_club_mate_live_with_its_badges(club_mates, new_page) -> None:
    ana, ben = new_page(), new_page()
    errors = {"ana": console_errors(ana), "ben": console_errors(ben)}
    log_in(ben, "ben")
    ben.goto("/clubs/riverside")
    watching(ben)

    log_in(ana, "ana")
    log_a_run(ana, datetime.now(UTC) - timedelta(hours=3), "5", "0:28:00", "Easy start")
    log_a_run(ana, datetime.now(UTC) - timedelta(hours=1), "10.1", "0:55:00", "Ten at last")

    card = item(ben, "Ten at last")
    expect(card).to_contain_text("Ana Lima ran 10.10 km")
    expect(card.locator("[data-milestones]")).to_contain_text("Milestone: First 10K")
    expect(card.locator("[data-milestones] img")).to_have_count(1)
    expect(item(ben, "Easy start").locator("[data-milestones]")).to_contain_text(
        "Milestones: First run · First 5K"
    )

    # Her trophy case, as Ben sees it and as she does (with what comes next).
    ben.goto("/u/ana")
    trophies = ben.get_by_role("region", name="Trophy case")
    expect(trophies).to_contain_text("First 10K")
    expect(trophies).not_to_contain_text("Next up")
    ana.goto("/u/ana")
    own = ana.get_by_role("region", name="Trophy case")
    expect(own).to_contain_text("Next up")
    expect(own).to_contain_text("100 km run")
    own.get_by_role("link", name="First 10K").click()
    expect(ana.get_by_role("heading", name="Ten at last")).to_be_visible()
    assert errors == {"ana": [], "ben": []}
