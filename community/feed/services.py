"""Cheering feed items. Functions flush; the caller commits."""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from community.accounts.models import User
from community.extensions import db
from community.feed import events, queries
from community.feed.models import FeedItem, Kudos


class FeedError(Exception):
    """An action on the feed that can't be: the message says why."""


class NotFound(Exception):
    """The item does not exist, or the runner may not see it (the same answer for both)."""


def visible_item(item_id: int, viewer_id: int) -> FeedItem:
    item = db.session.scalar(
        select(FeedItem).where(FeedItem.id == item_id, queries.visible_to(viewer_id))
    )
    if item is None:
        raise NotFound
    return item


def give_kudos(giver: User, item_id: int, *, now: datetime) -> bool:
    """Cheer an item; returns whether this was new (a second click changes nothing)."""
    item = visible_item(item_id, giver.id)
    if item.actor_id == giver.id:
        raise FeedError("That one is yours: cheer somebody else's.")
    dialect = db.session.get_bind().dialect.name
    build = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING tells whether a row went in: with ON CONFLICT DO NOTHING, rowcount is -1
    # on PostgreSQL through SQLAlchemy, so it can't be trusted to say so.
    added = db.session.execute(
        build(Kudos)
        .values(item_id=item.id, giver_id=giver.id, created_at=now)
        .on_conflict_do_nothing(index_elements=[Kudos.item_id, Kudos.giver_id])
        .returning(Kudos.id)
    ).scalar()
    if added is None:
        return False
    events.kudos_given.send(None, item_id=item.id, giver_id=giver.id, actor_id=item.actor_id)
    return True


def take_back_kudos(giver: User, item_id: int) -> None:
    item = visible_item(item_id, giver.id)
    db.session.execute(delete(Kudos).where(Kudos.item_id == item.id, Kudos.giver_id == giver.id))
