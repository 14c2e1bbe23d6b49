"""Blocking a runner: neither sees nor reaches the other, and follows between them end."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community.accounts import blocks
from community.accounts.models import Block, User
from community.activities import services as runs
from community.db_types import utcnow
from community.extensions import db
from community.follows import queries as follow_queries
from community.follows import services as follows
from community.follows.models import Follow
from tests.challenges.builders import runner
from tests.helpers import as_, make_runner, submit


@pytest.fixture
def pair(ctx):
    return runner("ana"), runner("ben")


def test_blocking_ends_the_follows_both_ways(pair):
    ana, ben = pair
    follows.follow(ana, ben, now=utcnow())
    follows.follow(ben, ana, now=utcnow())
    blocks.block(ana, ben, now=utcnow())
    assert follow_queries.status_of(ana.id, ben.id) is None
    assert follow_queries.status_of(ben.id, ana.id) is None


def test_neither_can_follow_the_other_while_blocked(pair):
    ana, ben = pair
    blocks.block(ana, ben, now=utcnow())
    for follower, followee in ((ben, ana), (ana, ben)):
        with pytest.raises(follows.FollowError):
            follows.follow(follower, followee, now=utcnow())


def test_blocking_twice_keeps_one_block_and_nobody_blocks_themselves(pair):
    ana, ben = pair
    blocks.block(ana, ben, now=utcnow())
    blocks.block(ana, ben, now=utcnow())
    assert db.session.scalar(select(func.count(Block.id))) == 1
    with pytest.raises(blocks.BlockError):
        blocks.block(ana, ana, now=utcnow())


def test_the_database_refuses_a_block_of_oneself(pair):
    ana, _ = pair
    db.session.add(Block(blocker_id=ana.id, blocked_id=ana.id))
    with pytest.raises(IntegrityError):
        db.session.flush()


def public_run_of(app, username: str) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        run = runs.log_run(
            user,
            runs.RunDetails(
                start_time=utcnow() - timedelta(hours=2), distance_m=5000, duration_s=1500
            ),
            now=utcnow(),
        )
        db.session.commit()
        return run.id


def test_a_blocked_runner_finds_neither_the_profile_nor_the_runs(app):
    make_runner(app, "ana")
    make_runner(app, "ben")
    run_id = public_run_of(app, "ana")
    ben = as_(app, "ben")
    assert ben.get(f"/runs/{run_id}").status_code == 200
    submit(as_(app, "ana"), "/u/ben/block", page="/dashboard")
    assert ben.get("/u/ana").status_code == 404
    assert ben.get(f"/runs/{run_id}").status_code == 404
    # Visitors still see what is public.
    assert app.test_client().get(f"/runs/{run_id}").status_code == 200


def test_the_blocker_no_longer_sees_the_blocked_runners_runs_and_can_unblock(app):
    make_runner(app, "ana")
    make_runner(app, "ben")
    run_id = public_run_of(app, "ben")
    ana = as_(app, "ana")
    submit(ana, "/u/ben/block", page="/dashboard")
    assert ana.get(f"/runs/{run_id}").status_code == 404
    profile = ana.get("/u/ben").get_data(as_text=True)
    assert "You blocked Ben" in profile
    submit(ana, "/u/ben/unblock", page="/dashboard")
    assert ana.get(f"/runs/{run_id}").status_code == 200


def test_blocking_needs_a_login_and_the_forms_token(app):
    make_runner(app, "ana")
    make_runner(app, "ben")
    response = submit(app.test_client(), "/u/ben/block")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert as_(app, "ana").post("/u/ben/block").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Block.id))) == 0


def test_a_blocked_runner_finds_no_one_to_follow_block_or_unblock(app):
    ana, ben = make_runner(app, "ana"), make_runner(app, "ben")
    submit(as_(app, "ana"), "/u/ben/block", page="/dashboard")
    as_ben = as_(app, "ben")
    for action in ("follow", "unfollow", "block", "unblock"):
        assert submit(as_ben, f"/u/ana/{action}", page="/dashboard").status_code == 404, action
    with app.app_context():
        pairs = db.session.execute(select(Block.blocker_id, Block.blocked_id)).all()
        assert [tuple(pair) for pair in pairs] == [(ana.id, ben.id)]
        assert db.session.scalar(select(func.count(Follow.id))) == 0


def test_runners_who_blocked_each_other_each_find_the_other_to_lift_their_block(app):
    ana, ben = make_runner(app, "ana"), make_runner(app, "ben")
    submit(as_(app, "ana"), "/u/ben/block", page="/dashboard")
    with app.app_context():
        db.session.add(Block(blocker_id=ben.id, blocked_id=ana.id))
        db.session.commit()
    as_ben = as_(app, "ben")
    assert as_ben.get("/u/ana").status_code == 200
    submit(as_ben, "/u/ana/unblock", page="/dashboard")
    assert as_ben.get("/u/ana").status_code == 404  # ana's own block stays
