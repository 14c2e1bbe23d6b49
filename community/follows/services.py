"""Following runners. Functions flush; the caller commits.

A runner follows another at once, unless the other approves each follower
(`User.approves_followers`): then the follow waits, pending, until they approve or decline.
"""

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from community.accounts import blocks
from community.accounts.events import blocked
from community.accounts.models import User
from community.extensions import db
from community.follows import events
from community.follows.models import Follow, FollowStatus


class FollowError(Exception):
    """A follow that can't be: the message says why."""


def follow_of(follower_id: int, followee_id: int) -> Follow | None:
    return db.session.scalar(
        select(Follow).where(Follow.follower_id == follower_id, Follow.followee_id == followee_id)
    )


def follow(follower: User, followee: User, *, now: datetime) -> Follow:
    """Follow a runner, or ask to; following twice changes nothing."""
    if follower.id == followee.id:
        raise FollowError("You can't follow yourself.")
    if blocks.between(follower.id, followee.id):
        raise FollowError("You can't follow this runner.")
    existing = follow_of(follower.id, followee.id)
    if existing is not None:
        return existing
    pending = followee.approves_followers
    made = Follow(
        follower_id=follower.id,
        followee_id=followee.id,
        status=FollowStatus.PENDING.value if pending else FollowStatus.ACCEPTED.value,
        created_at=now,
        accepted_at=None if pending else now,
    )
    try:
        # Two clicks or tabs at once: the unique pair decides, and the second finds the first.
        with db.session.begin_nested():
            db.session.add(made)
    except IntegrityError:
        found = follow_of(follower.id, followee.id)
        if found is None:
            raise
        return found
    if pending:
        events.requested.send(None, follower_id=follower.id, followee_id=followee.id)
    else:
        events.started.send(None, follower_id=follower.id, followee_id=followee.id, approved=False)
    return made


def unfollow(follower: User, followee: User) -> None:
    """Stop following, or take back a request not answered yet."""
    db.session.execute(
        delete(Follow).where(Follow.follower_id == follower.id, Follow.followee_id == followee.id)
    )


def approve(followee: User, follower_id: int, *, now: datetime) -> None:
    """Accept a pending request to follow `followee`; an answered one is left as it is."""
    approved = db.session.execute(
        update(Follow)
        .where(
            Follow.follower_id == follower_id,
            Follow.followee_id == followee.id,
            Follow.status == FollowStatus.PENDING.value,
        )
        .values(status=FollowStatus.ACCEPTED.value, accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if approved.rowcount != 1:
        raise FollowError("That request is no longer waiting.")
    events.started.send(None, follower_id=follower_id, followee_id=followee.id, approved=True)


def on_blocked(sender: object, blocker_id: int, blocked_id: int) -> None:
    """A block ends the follows between the two, both ways, requests included."""
    db.session.execute(
        delete(Follow).where(
            ((Follow.follower_id == blocker_id) & (Follow.followee_id == blocked_id))
            | ((Follow.follower_id == blocked_id) & (Follow.followee_id == blocker_id))
        )
    )


def subscribe() -> None:
    blocked.connect(on_blocked)


def decline(followee: User, follower_id: int) -> None:
    """Turn down a request, or stop someone following: they are not told."""
    db.session.execute(
        delete(Follow).where(Follow.follower_id == follower_id, Follow.followee_id == followee.id)
    )
