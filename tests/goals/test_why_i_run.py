"""Why I run: a sentence of the runner's own, private by default, that comes back on the
goals page and on the dashboard when a goal falls behind; on the profile only if shown."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.db_types import utcnow
from community.extensions import db
from community.goals import services
from community.goals.services import GoalError, GoalSpec
from tests.helpers import as_, make_runner, submit, text

WHY = "To be the one who shows up, rain or not."


@pytest.fixture
def ana(app):
    make_runner(app, "otto")
    return make_runner(app, "ana")


def ana_now() -> User:
    return db.session.scalar(select(User).where(User.username == "ana"))


def test_the_statement_is_kept_in_one_line_private_unless_shown(ctx, ana):
    services.set_why_i_run(ana_now(), "  To be the one\n who shows up,  rain or not. ", True)
    assert (ana_now().why_i_run, ana_now().why_i_run_public) == (WHY, True)

    services.set_why_i_run(ana_now(), "", True)
    assert (ana_now().why_i_run, ana_now().why_i_run_public) == ("", False)


def test_a_statement_past_280_characters_is_refused_and_nothing_changes(ctx, ana):
    services.set_why_i_run(ana_now(), WHY, False)

    with pytest.raises(GoalError):
        services.set_why_i_run(ana_now(), "x" * 281, False)
    assert ana_now().why_i_run == WHY


def test_it_shows_on_the_goals_page_and_on_the_profile_only_when_shown(app, ana):
    client = as_(app, "ana")

    response = submit(client, "/goals/why", {"statement": WHY}, page="/goals/")

    assert response.status_code == 302
    assert WHY in text(client.get("/goals/"))
    assert WHY not in text(as_(app, "otto").get("/u/ana"))
    assert WHY not in text(client.get("/u/ana"))
    submit(client, "/goals/why", {"statement": WHY, "public": "y"}, page="/goals/")
    assert WHY in text(as_(app, "otto").get("/u/ana"))


def test_a_too_long_statement_re_renders_the_goals_page_with_the_field_error(app, ana):
    response = submit(as_(app, "ana"), "/goals/why", {"statement": "x" * 300}, page="/goals/")

    assert response.status_code == 400
    assert "Field cannot be longer than 280 characters." in text(response)


def test_the_dashboard_shows_the_goals_and_why_when_one_falls_behind(app, ana):
    client = as_(app, "ana")
    submit(client, "/goals/why", {"statement": WHY}, page="/goals/")
    assert "Your own goal, with a number and a date" in text(client.get("/dashboard"))
    with app.app_context():
        today = utcnow().date()
        start = today - timedelta(days=14)
        spec = GoalSpec("total", 100_000, start, start + timedelta(days=27), "distance_m")
        services.create_goal(ana_now(), spec, start)
        db.session.commit()

    page = text(client.get("/dashboard"))

    assert "Your goals" in page and "100 km from" in page and "Behind" in page
    assert f"1 goal behind. Remember why you run: {WHY}" in page
