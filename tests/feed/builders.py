"""Builders the feed's specs share."""

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from community.accounts.models import User
from community.activities import services as runs
from community.db_types import utcnow
from community.extensions import db
from community.feed.models import FeedItem


def named(username: str) -> User:
    """Inside an app context: the runner of that username."""
    return db.session.scalar(select(User).where(User.username == username))


def run_item(user: User, *, km: float = 5.0, visibility: str = "public") -> int:
    """Inside an app context: `user` logs a run they ran an hour ago; returns its feed
    item's id (flushed, not committed)."""
    now = utcnow()
    runs.log_run(
        user,
        runs.RunDetails(
            start_time=now - timedelta(hours=1),
            distance_m=km * 1000,
            duration_s=km * 330,
            visibility=visibility,
        ),
        now=now,
    )
    return db.session.scalar(
        select(FeedItem.id)
        .where(FeedItem.actor_id == user.id, FeedItem.kind == "run")
        .order_by(FeedItem.id.desc())
    )


def log_run(app: Flask, username: str, *, km: float = 5.0, visibility: str = "public") -> int:
    """`username` logs a run they ran an hour ago, committed; returns its feed item's id."""
    with app.app_context():
        item_id = run_item(named(username), km=km, visibility=visibility)
        db.session.commit()
        return item_id
