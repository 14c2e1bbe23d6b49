"""Following runners: at once, or once a runner who approves each follower says yes."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community.accounts import services as accounts
from community.accounts.models import User
from community.db_types import utcnow
from community.extensions import db
from community.follows import queries, services
from community.follows.models import Follow
from community.notifications.models import Notification
from tests.challenges.builders import runner
from tests.helpers import PASSWORD, at_once


@pytest.fixture
def ana(ctx):
    return runner("ana")


@pytest.fixture
def ben(ctx):
    return runner("ben")


def notifications_of(user: User) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def test_following_a_runner_is_at_once_and_tells_them(ana, ben):
    made = services.follow(ana, ben, now=utcnow())
    assert made.status == "accepted"
    assert queries.counts_of(ben.id) == queries.Counts(followers=1, following=0)
    assert queries.counts_of(ana.id) == queries.Counts(followers=0, following=1)
    assert notifications_of(ben) == ["new_follower"]


def test_a_runner_who_approves_followers_gets_a_request_instead(ana, ben):
    ben.approves_followers = True
    made = services.follow(ana, ben, now=utcnow())
    assert made.status == "pending"
    assert queries.counts_of(ben.id).followers == 0
    assert [u.username for u in queries.requests_for(ben.id)] == ["ana"]
    assert notifications_of(ben) == ["follow_request"]
    assert queries.followed_ids(ana.id) == []


def test_an_approved_request_is_a_follow_and_the_follower_hears_of_it(ana, ben):
    ben.approves_followers = True
    services.follow(ana, ben, now=utcnow())
    services.approve(ben, ana.id, now=utcnow())
    assert queries.status_of(ana.id, ben.id) == "accepted"
    assert queries.followed_ids(ana.id) == [ben.id]
    assert notifications_of(ana) == ["follow_approved"]
    assert queries.requests_for(ben.id) == []


def test_a_declined_request_is_gone_and_the_asker_is_not_told(ana, ben):
    ben.approves_followers = True
    services.follow(ana, ben, now=utcnow())
    services.decline(ben, ana.id)
    assert queries.status_of(ana.id, ben.id) is None
    assert notifications_of(ana) == []


def test_a_request_answered_already_cannot_be_approved_again(ana, ben):
    ben.approves_followers = True
    services.follow(ana, ben, now=utcnow())
    services.decline(ben, ana.id)
    with pytest.raises(services.FollowError):
        services.approve(ben, ana.id, now=utcnow())


def test_following_twice_keeps_one_follow(ana, ben):
    first = services.follow(ana, ben, now=utcnow())
    assert services.follow(ana, ben, now=utcnow()).id == first.id
    assert db.session.scalar(select(func.count(Follow.id))) == 1


def test_nobody_follows_themselves(ana):
    with pytest.raises(services.FollowError):
        services.follow(ana, ana, now=utcnow())


def test_the_database_refuses_a_follow_of_oneself(ana):
    db.session.add(
        Follow(follower_id=ana.id, followee_id=ana.id, status="accepted", accepted_at=utcnow())
    )
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_unfollowing_ends_a_follow_or_takes_back_a_request(ana, ben):
    services.follow(ana, ben, now=utcnow())
    services.unfollow(ana, ben)
    assert queries.status_of(ana.id, ben.id) is None
    ben.approves_followers = True
    services.follow(ana, ben, now=utcnow())
    services.unfollow(ana, ben)
    assert queries.requests_for(ben.id) == []


def test_a_deleted_account_takes_its_follows_with_it(ana, ben):
    services.follow(ana, ben, now=utcnow())
    services.follow(ben, ana, now=utcnow())
    accounts.delete_account(ana, password=PASSWORD)
    assert db.session.scalar(select(func.count(Follow.id))) == 0


def test_following_from_two_tabs_at_once_follows_once(app):
    with app.app_context():
        ana_id, ben_id = runner("ana").id, runner("ben").id
        db.session.commit()

    def tab() -> object:
        return services.follow(
            db.session.get(User, ana_id), db.session.get(User, ben_id), now=utcnow()
        )

    _, errors = at_once(app, tab, 6)
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Follow.id))) == 1
        assert notifications_of(db.session.get(User, ben_id)) == ["new_follower"]
