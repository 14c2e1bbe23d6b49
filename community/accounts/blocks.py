"""Blocking runners. Functions flush; the caller commits.

A block works both ways for what it hides: neither runner follows, sees the other's
profile and runs, or reaches the other. Only the blocker can lift it, and the blocked
runner is not told.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, or_, select
from sqlalchemy.exc import IntegrityError

from community.accounts import events
from community.accounts.models import Block, User
from community.extensions import db


class BlockError(Exception):
    """A block that can't be: the message says why."""


def block(blocker: User, blocked: User, *, now: datetime) -> None:
    if blocker.id == blocked.id:
        raise BlockError("You can't block yourself.")
    try:
        # Two clicks at once: the unique pair keeps one block.
        with db.session.begin_nested():
            db.session.add(Block(blocker_id=blocker.id, blocked_id=blocked.id, created_at=now))
    except IntegrityError:
        return
    events.blocked.send(None, blocker_id=blocker.id, blocked_id=blocked.id)


def unblock(blocker: User, blocked: User) -> None:
    db.session.execute(
        delete(Block).where(Block.blocker_id == blocker.id, Block.blocked_id == blocked.id)
    )


def between(user_a: int | None, user_b: int) -> bool:
    """Whether either of the two blocked the other (no one is blocked from a visitor)."""
    if user_a is None or user_a == user_b:
        return False
    pair = or_(
        (Block.blocker_id == user_a) & (Block.blocked_id == user_b),
        (Block.blocker_id == user_b) & (Block.blocked_id == user_a),
    )
    return bool(db.session.scalar(select(exists().where(pair))))


def has_blocked(blocker_id: int | None, blocked_id: int | None) -> bool:
    if blocker_id is None or blocked_id is None:
        return False
    return bool(
        db.session.scalar(
            select(exists().where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id))
        )
    )


@dataclass(frozen=True)
class Standing:
    """The blocks between a viewer and a runner, read together (a profile needs both)."""

    by_viewer: bool
    by_runner: bool

    @property
    def hides(self) -> bool:
        """The runner is not there for the viewer: they blocked the viewer. A viewer who
        blocked them too still finds them, to lift their own block."""
        return self.by_runner and not self.by_viewer


def standing(viewer_id: int | None, user_id: int) -> Standing:
    if viewer_id is None or viewer_id == user_id:
        return Standing(False, False)

    def blocks(blocker: int, blocked: int) -> ColumnElement[bool]:
        return exists().where(Block.blocker_id == blocker, Block.blocked_id == blocked)

    row = db.session.execute(select(blocks(viewer_id, user_id), blocks(user_id, viewer_id)))
    by_viewer, by_runner = row.one()
    return Standing(bool(by_viewer), bool(by_runner))


def hidden_from(viewer_id: int | None, user_id: int) -> bool:
    """Whether the runner `user_id` is not there for `viewer_id` (`Standing.hides`)."""
    return standing(viewer_id, user_id).hides
