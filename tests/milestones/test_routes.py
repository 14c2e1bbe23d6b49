"""The trophy case on a profile shows what the viewer may see of the runs behind it; the
runner's own milestones page shows all, what comes next, and how badges are earned."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.activities import services as activities
from community.activities.services import RunDetails
from community.db_types import utcnow
from community.extensions import db
from community.goals import services as goals
from community.goals.services import GoalSpec
from tests.helpers import add_member, as_, make_club, make_runner, text


@pytest.fixture
def people(app):
    people = {name: make_runner(app, name) for name in ("ana", "ben", "cleo")}
    club_id = make_club(app, people["ana"], "riverside")
    add_member(app, club_id, people["cleo"])
    now = utcnow()
    with app.app_context():
        ana = db.session.scalar(select(User).where(User.username == "ana"))

        def log(km: float, days_ago: int, visibility: str) -> None:
            details = RunDetails(
                start_time=now - timedelta(days=days_ago),
                distance_m=km * 1000,
                duration_s=km * 330,
                visibility=visibility,
            )
            activities.log_run(ana, details, now=now)

        log(3, 20, "public")  # first run
        log(5, 15, "private")  # first 5K
        log(10, 10, "members")  # first 10K
        goal = GoalSpec(
            kind="total",
            measure="distance_m",
            target=15_000,
            starts_on=(now - timedelta(days=30)).date(),
            ends_on=(now + timedelta(days=30)).date(),
        )
        goals.create_goal(ana, goal, (now - timedelta(days=30)).date())
        log(2, 5, "public")  # 20 km: the goal is reached
        db.session.commit()
    return people


def test_a_stranger_sees_the_milestones_of_public_runs_only(app, people):
    page = text(as_(app, "ben").get("/u/ana"))

    assert "Trophy case" in page
    assert "First run" in page
    assert "First 5K" not in page  # a private run
    assert "First 10K" not in page  # a members' run, and ben is in no club with ana
    assert "Goal reached" not in page  # her goals are hers


def test_a_club_mate_sees_the_milestones_of_members_runs_too(app, people):
    page = text(as_(app, "cleo").get("/u/ana"))

    assert "First 10K" in page
    assert "First 5K" not in page


def test_a_visitor_sees_the_public_ones(client, people):
    page = text(client.get("/u/ana"))

    assert "First run" in page
    assert "First 10K" not in page


def test_the_runner_sees_every_milestone_and_the_distance_to_the_next_total(app, people):
    page = text(as_(app, "ana").get("/u/ana"))

    for title in ("First run", "First 5K", "First 10K", "Goal reached: 15 km"):
        assert title in page
    assert "100 km run 80.00 km to go" in page


def test_the_milestones_page_is_the_runners_own_and_says_how_badges_are_earned(app, people):
    page = text(as_(app, "ana").get("/milestones/"))

    assert "Your milestones" in page
    assert "Run every week for a whole year." in page
    assert as_(app, "ben").get("/milestones/").status_code == 200  # ben's own (empty) page
    assert "Your first run earns your first badge." in text(as_(app, "ben").get("/milestones/"))


def test_the_milestones_page_asks_a_visitor_to_log_in(client, people):
    response = client.get("/milestones/")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_each_badge_is_a_file_in_static(app):
    from community.milestones.badges import BADGES

    root = app.static_folder
    assert root is not None
    for badge in BADGES.values():
        with open(f"{root}/{badge.image}") as svg:
            assert svg.read().startswith("<svg"), badge.kind
