"""Goals in a real browser: a runner sets a race goal and a weekly one, reads the verdict
against their last weeks with its numbers, takes the nearest goal that fits, logs a run and
watches the progress move."""

from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from community.activities.models import Run
from community.db_types import utcnow
from community.extensions import db
from tests.e2e.pages import confirming, console_errors, log_a_run, log_in
from tests.helpers import make_runner

pytestmark = pytest.mark.browser


def steady_weeks(app, user_id: int, km: float) -> None:
    """Four past weeks of one steady 5 km-pace run each (24:00 for 5 km)."""
    with app.app_context():
        now = utcnow()
        for week in range(1, 5):
            db.session.add(
                Run(
                    user_id=user_id,
                    title="steady",
                    start_time=now - timedelta(weeks=week, hours=2),
                    distance_m=km * 1000,
                    duration_s=km * 288,
                )
            )
        db.session.commit()


def set_goal(page: Page, kind: str, **fields: str) -> None:
    page.goto("/goals/new")
    page.get_by_label("Kind of goal").select_option(value=kind)
    for label, value in fields.items():
        field = page.get_by_label(label, exact=True)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    page.get_by_role("button", name="Set goal").click()
    expect(page.get_by_text("Goal set.")).to_be_visible()


def test_a_runner_sets_a_race_and_a_weekly_goal_and_watches_them_move(app, new_page):
    ana = make_runner(app, "ana", display_name="Ana Lima")
    steady_weeks(app, ana.id, 18)
    page = new_page()
    errors = console_errors(page)
    log_in(page, "ana")
    today = utcnow().date()

    set_goal(
        page,
        "race",
        **{
            "Race distance": "10 km",
            "Time to beat": "50:00",
            "Deadline (last day)": (today + timedelta(weeks=9)).isoformat(),
        },
    )
    race = page.locator("article.goal").filter(has_text="10 km under 50:00")
    expect(race).to_contain_text("Your recent runs predict")
    expect(race.locator(".pill")).to_have_text("Ahead")

    set_goal(
        page,
        "weekly",
        **{"What counts": "Distance", "Target": "30", "For how many weeks": "8"},
    )
    weekly = page.locator("article.goal").filter(has_text="30 km a week for 8 weeks")
    expect(weekly).to_contain_text("More than a safe build-up allows.")
    expect(weekly).to_contain_text("your last 4 weeks averaged 18 km a week")

    weekly.get_by_role("link", name="19 km a week").click()
    expect(page.get_by_label("Target", exact=True)).to_have_value("19")
    page.get_by_role("button", name="Save goal").click()
    weekly = page.locator("article.goal").filter(has_text="19 km a week for 8 weeks")
    expect(weekly).to_contain_text("It asks 19 km a week; your last 4 weeks averaged 18 km")

    # Today (the goals start today), and before now: just after midnight, at midnight.
    midnight = datetime.combine(today, time(), tzinfo=UTC)
    start = max(midnight, utcnow() - timedelta(minutes=90))
    log_a_run(page, start, "10.2", "0:49:10", title="Parkrun x2")
    page.goto("/goals/")
    expect(weekly).to_contain_text("This week: 10.2 km of 19 km.")
    race = page.locator("article.goal").filter(has_text="10 km under 50:00")
    expect(race.locator(".pill")).to_have_text("Reached")
    expect(race).to_contain_text("Your best 10 km since")

    confirming(page, lambda: race.get_by_role("button", name="Delete").click())
    expect(page.get_by_text("Goal deleted.")).to_be_visible()
    expect(page.locator("article.goal")).to_have_count(1)
    assert errors == []
