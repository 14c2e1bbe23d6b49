"""Follows from many tabs and many runners at once, real threads, real database: each
follow, request and answer happens once, and the counts are the rows.

SQLite lets one writer in at a time, so there the tabs queue; PostgreSQL runs them side
by side.
"""

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from community.accounts.models import User
from community.db_types import utcnow
from community.extensions import db
from community.follows import queries, services
from community.follows.models import Follow
from community.notifications.models import Notification
from tests.challenges.builders import runner
from tests.helpers import at_once, each_at_once

# Every spec here ends with `flask check`: the counters match their rows.
pytestmark = pytest.mark.usefixtures("counters_checked")


def runners(app: Flask, *names: str, approving: bool = False) -> list[int]:
    """Runners by name; the first approves each follower when `approving`."""
    with app.app_context():
        people = [runner(name) for name in names]
        people[0].approves_followers = approving
        db.session.commit()
        return [person.id for person in people]


def follows(follower_id: int, followee_id: int) -> Callable[[], object]:
    def tab() -> object:
        follower, followee = db.session.get(User, follower_id), db.session.get(User, followee_id)
        return services.follow(follower, followee, now=utcnow()).id

    return tab


def unfollows(follower_id: int, followee_id: int) -> Callable[[], None]:
    def tab() -> None:
        follower, followee = db.session.get(User, follower_id), db.session.get(User, followee_id)
        services.unfollow(follower, followee)

    return tab


def assert_followers(app: Flask, user_id: int, *, accepted: int, pending: int = 0) -> None:
    """The follower count a profile shows, and the requests waiting, against the rows."""
    with app.app_context():
        rows = db.session.execute(
            select(Follow.status, func.count())
            .where(Follow.followee_id == user_id)
            .group_by(Follow.status)
        )
        assert dict(rows.all()) == {
            status: n for status, n in (("accepted", accepted), ("pending", pending)) if n
        }
        assert queries.counts_of(user_id).followers == accepted
        assert len(queries.requests_for(user_id)) == pending


def told(app: Flask, user_id: int, kind: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(Notification.user_id == user_id, Notification.kind == kind)
        )


def test_following_then_unfollowing_from_twenty_tabs_at_once_counts_one_follower(app):
    ben_id, ana_id = runners(app, "ben", "ana")

    followed, errors = at_once(app, follows(ana_id, ben_id), 20)
    assert errors == []
    assert len(set(followed)) == 1
    assert_followers(app, ben_id, accepted=1)
    assert told(app, ben_id, "new_follower") == 1

    _, errors = at_once(app, unfollows(ana_id, ben_id), 20)
    assert errors == []
    assert_followers(app, ben_id, accepted=0)


def test_many_runners_following_then_unfollowing_at_once_are_each_counted_once(app):
    ben_id, *fans = runners(app, "ben", *(f"runner{n}" for n in range(15)))

    _, errors = each_at_once(app, [follows(fan, ben_id) for fan in fans * 2])
    assert errors == []
    assert_followers(app, ben_id, accepted=15)
    assert told(app, ben_id, "new_follower") == 15

    _, errors = each_at_once(app, [unfollows(fan, ben_id) for fan in fans * 2])
    assert errors == []
    assert_followers(app, ben_id, accepted=0)


def test_a_request_from_twenty_tabs_approved_from_twenty_tabs_is_one_follow(app):
    ben_id, ana_id = runners(app, "ben", "ana", approving=True)

    _, errors = at_once(app, follows(ana_id, ben_id), 20)
    assert errors == []
    assert_followers(app, ben_id, accepted=0, pending=1)
    assert told(app, ben_id, "follow_request") == 1

    def approves() -> None:
        services.approve(db.session.get(User, ben_id), ana_id, now=utcnow())

    approved, errors = at_once(app, approves, 20)
    # The tabs after the first are told what a second click is told.
    assert {str(error) for error in errors} == {"That request is no longer waiting."}
    assert all(isinstance(error, services.FollowError) for error in errors)
    assert len(approved) == 1
    assert_followers(app, ben_id, accepted=1)
    assert told(app, ana_id, "follow_approved") == 1


def test_requests_from_many_runners_declined_and_approved_at_once_are_each_answered_once(app):
    ben_id, *fans = runners(app, "ben", *(f"runner{n}" for n in range(12)), approving=True)
    _, errors = each_at_once(app, [follows(fan, ben_id) for fan in fans * 2])
    assert errors == []
    assert_followers(app, ben_id, accepted=0, pending=12)
    welcome, turn_down = fans[:6], fans[6:]

    def approves(fan: int) -> Callable[[], None]:
        return lambda: services.approve(db.session.get(User, ben_id), fan, now=utcnow())

    def declines(fan: int) -> Callable[[], None]:
        return lambda: services.decline(db.session.get(User, ben_id), fan)

    jobs = [approves(fan) for fan in welcome] + [declines(fan) for fan in turn_down * 2]
    _, errors = each_at_once(app, jobs)
    assert errors == []
    assert_followers(app, ben_id, accepted=6)
    assert sum(told(app, fan, "follow_approved") for fan in welcome) == 6
