"""A goal shared with a club: its members see it, counted without the runner's private
runs, and cheer it once each; outsiders and blocked runners never see it."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.accounts import blocks
from community.accounts.models import User
from community.activities.models import Run
from community.db_types import utcnow
from community.extensions import db
from community.goals import services
from community.goals.models import Goal, GoalCheer
from community.goals.progress import counts
from community.goals.services import GoalError, GoalSpec, NotYours
from community.goals.shared import club_goals
from tests.helpers import add_member, as_, at_once, make_club, make_runner, submit, text


@pytest.fixture
def club(app):
    """Ana shares a 100 km goal with Riverside; Ben and Cleo are members, Otto is not."""
    ana = make_runner(app, "ana")
    club_id = make_club(app, ana, slug="riverside")
    for name in ("ben", "cleo"):
        add_member(app, club_id, make_runner(app, name))
    make_runner(app, "otto")
    with app.app_context():
        today = utcnow().date()
        spec = GoalSpec(
            "total",
            100_000,
            today - timedelta(days=3),
            today + timedelta(days=24),
            "distance_m",
            club_id=club_id,
        )
        goal = services.create_goal(named("ana"), spec, today)
        for km, visibility in ((10, "public"), (5, "members"), (7, "private")):
            db.session.add(
                Run(
                    user_id=goal.user_id,
                    title="run",
                    start_time=utcnow() - timedelta(hours=km),
                    distance_m=km * 1000,
                    duration_s=km * 300,
                    visibility=visibility,
                )
            )
        db.session.commit()
        return {"club_id": club_id, "goal_id": goal.id}


def named(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def test_members_see_the_goal_counted_without_the_runners_private_runs(app, club):
    with app.app_context():
        [shared] = club_goals(club["club_id"], named("ben").id, "km", utcnow())
        assert shared.progress.done == 15_000
        goal = db.session.get(Goal, club["goal_id"])
        assert counts([goal])[goal.id].distance_m == 22_000  # the runner's own count

    page = text(as_(app, "ben").get("/goals/clubs/riverside"))
    assert "Ana: 100 km from" in page
    assert "0 cheers" in page


def test_an_outsider_finds_no_such_page_and_cannot_cheer(app, club):
    otto = as_(app, "otto")

    assert otto.get("/goals/clubs/riverside").status_code == 404
    assert submit(otto, f"/goals/{club['goal_id']}/cheer", page="/goals/").status_code == 404


def test_a_runner_blocked_by_the_goals_runner_does_not_see_it(app, club):
    with app.app_context():
        blocks.block(named("ana"), named("cleo"), now=utcnow())
        db.session.commit()

    assert "100 km from" not in text(as_(app, "cleo").get("/goals/clubs/riverside"))
    assert (
        submit(as_(app, "cleo"), f"/goals/{club['goal_id']}/cheer", page="/goals/").status_code
        == 404
    )


def test_a_member_cheers_once_and_the_runner_cannot_cheer_themself(app, club):
    ben = as_(app, "ben")

    submit(ben, f"/goals/{club['goal_id']}/cheer", page="/goals/")
    submit(ben, f"/goals/{club['goal_id']}/cheer", page="/goals/")

    page = text(ben.get("/goals/clubs/riverside"))
    assert "1 cheer" in page and "You cheered" in page
    with app.app_context(), pytest.raises(GoalError):
        services.cheer(named("ana"), db.session.get(Goal, club["goal_id"]))


def test_two_cheers_at_once_make_one(app, club):
    def cheer() -> bool:
        return services.cheer(named("cleo"), db.session.get(Goal, club["goal_id"]))

    results, errors = at_once(app, cheer, 4)

    assert errors == [] and sorted(results) == [False, False, False, True]
    with app.app_context():
        assert db.session.scalar(select(func.count(GoalCheer.id))) == 1


def test_a_goal_of_someone_elses_is_no_one_elses_to_cheer_through_the_service(app, club):
    with app.app_context(), pytest.raises(NotYours):
        services.cheer(named("otto"), db.session.get(Goal, club["goal_id"]))
