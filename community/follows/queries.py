"""Read-only queries about who follows whom."""

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from community.accounts.models import User
from community.extensions import db
from community.follows.models import Follow, FollowStatus


@dataclass(frozen=True)
class Counts:
    followers: int
    following: int


def status_of(follower_id: int | None, followee_id: int) -> str | None:
    """'accepted', 'pending', or None (not following)."""
    if follower_id is None:
        return None
    return db.session.scalar(
        select(Follow.status).where(
            Follow.follower_id == follower_id, Follow.followee_id == followee_id
        )
    )


def counts_of(user_id: int) -> Counts:
    accepted = Follow.status == FollowStatus.ACCEPTED.value
    followers = select(func.count()).where(Follow.followee_id == user_id, accepted)
    following = select(func.count()).where(Follow.follower_id == user_id, accepted)
    row = db.session.execute(select(followers.scalar_subquery(), following.scalar_subquery()))
    found, follows = row.one()
    return Counts(found, follows)


def requests_for(user_id: int) -> list[User]:
    """Who asks to follow this runner, oldest request first."""
    return list(
        db.session.scalars(
            select(User)
            .join(Follow, Follow.follower_id == User.id)
            .where(Follow.followee_id == user_id, Follow.status == FollowStatus.PENDING.value)
            .order_by(Follow.created_at, Follow.id)
            .limit(200)
        )
    )


def followed(user_id: object) -> Select[tuple[int]]:
    """The runners this one follows (accepted), as a subquery for feeds and board filters."""
    return select(Follow.followee_id).where(
        Follow.follower_id == user_id, Follow.status == FollowStatus.ACCEPTED.value
    )


def followed_ids(user_id: int) -> list[int]:
    return list(db.session.scalars(followed(user_id)))
