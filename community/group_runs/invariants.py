"""Places against RSVPs: a group's `taken` is its runners holding places, never more than
its capacity, and nobody waits while a place is free."""

from sqlalchemy import func, select

from community.extensions import db
from community.group_runs.models import PaceGroup, Rsvp
from community.invariants import Difference


def differences() -> list[Difference]:
    found: list[Difference] = []
    holding = dict(
        db.session.execute(
            select(Rsvp.pace_group_id, func.count())
            .where(Rsvp.status == "going", Rsvp.holds_place.is_(True))
            .group_by(Rsvp.pace_group_id)
        ).all()
    )
    waiting = dict(
        db.session.execute(
            select(Rsvp.pace_group_id, func.count())
            .where(Rsvp.status == "waitlisted")
            .group_by(Rsvp.pace_group_id)
        ).all()
    )
    for group in db.session.scalars(select(PaceGroup).order_by(PaceGroup.id)):
        name = f"pace group {group.id} (run {group.run_id})"
        counted = holding.get(group.id, 0)
        if group.taken != counted:
            found.append(Difference(f"{name} places taken", group.taken, counted))
        if group.capacity is not None and counted > group.capacity:
            found.append(Difference(f"{name} places over capacity", group.capacity, counted))
        queued = waiting.get(group.id, 0)
        if queued and (group.capacity is None or counted < group.capacity):
            found.append(Difference(f"{name} waiting beside a free place", 0, queued))
    return found
