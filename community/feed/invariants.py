"""Kudos against their items: one per runner per item, never the item's own runner's.

The database holds both (a unique key, a composite foreign key and a check); the recount
says so from the rows, the way the kudos counts on every page are read."""

from sqlalchemy import func, select

from community.extensions import db
from community.feed.models import FeedItem, Kudos
from community.invariants import Difference


def differences() -> list[Difference]:
    found: list[Difference] = []
    repeated = db.session.execute(
        select(Kudos.item_id, Kudos.giver_id, func.count())
        .group_by(Kudos.item_id, Kudos.giver_id)
        .having(func.count() > 1)
    )
    for item_id, giver_id, count in repeated:
        found.append(Difference(f"item {item_id} kudos from runner {giver_id}", count, 1))
    own = db.session.execute(
        select(Kudos.item_id, func.count())
        .join(FeedItem, FeedItem.id == Kudos.item_id)
        .where(FeedItem.actor_id == Kudos.giver_id)
        .group_by(Kudos.item_id)
    )
    for item_id, count in own:
        found.append(Difference(f"item {item_id} kudos from its own runner", count, 0))
    return found
