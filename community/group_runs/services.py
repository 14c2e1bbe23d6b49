"""RSVPs: places, waitlists and promotion. Functions flush; the caller commits.

Capacity is enforced by the database: every RSVP change first locks its run's pace group
rows (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises
writers), takes a place with a conditional `UPDATE ... WHERE taken < capacity`, and a check
constraint refuses `taken > capacity` whatever happens.

First come, first served is counted at the same point: under the lock, a runner asking for
a place in a group gets the group's next arrival number (`Rsvp.ticket`), and that number,
not the request's clock or its row id (both taken before the lock), orders the waitlist
and promotion. So nobody waits who reached the lock before someone who got a place.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from community.accounts.events import account_deleting
from community.accounts.models import User
from community.clubs.services import can_see_content, is_admin
from community.db_types import utcnow
from community.extensions import db
from community.group_runs import events
from community.group_runs.models import ARRIVAL_ORDER, GroupRun, PaceGroup, Rsvp, RsvpStatus
from community.realtime import emit_after_commit, user_room


class GroupRunError(Exception):
    """A request the group-run rules refuse; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(GroupRunError):
    """The runner's role does not allow this (a 403)."""


def run_room(run_id: int) -> str:
    return f"run:{run_id}"


def _lock(group_ids: set[int]) -> dict[int, PaceGroup]:
    """Lock these pace groups' rows, in id order so two transactions never deadlock."""
    groups = db.session.scalars(
        select(PaceGroup)
        .where(PaceGroup.id.in_(sorted(group_ids)))
        .order_by(PaceGroup.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {group.id: group for group in groups}


def _take_place(group: PaceGroup) -> bool:
    taken = db.session.execute(
        update(PaceGroup)
        .where(
            PaceGroup.id == group.id,
            (PaceGroup.capacity.is_(None)) | (PaceGroup.taken < PaceGroup.capacity),
        )
        .values(taken=PaceGroup.taken + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(group, ["taken"])
    return taken.rowcount == 1


def _release_place(group: PaceGroup) -> None:
    db.session.execute(
        update(PaceGroup)
        .where(PaceGroup.id == group.id, PaceGroup.taken > 0)
        .values(taken=PaceGroup.taken - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(group, ["taken"])


def _next_ticket(group: PaceGroup) -> int:
    """The group's next arrival number; the caller holds the group's row lock."""
    group.last_ticket += 1
    return group.last_ticket


def _first_waiting(group: PaceGroup) -> Rsvp | None:
    return db.session.scalar(
        select(Rsvp)
        .where(Rsvp.pace_group_id == group.id, Rsvp.status == RsvpStatus.WAITLISTED.value)
        .order_by(*ARRIVAL_ORDER)
        .limit(1)
        .execution_options(populate_existing=True)
    )


def promote_waiting(run: GroupRun, group: PaceGroup) -> list[Rsvp]:
    """Fill free places from the waitlist, first come first served (group already locked)."""
    promoted = []
    while (waiting := _first_waiting(group)) is not None and _take_place(group):
        waiting.status = RsvpStatus.GOING.value
        waiting.holds_place = True
        db.session.flush()
        promoted.append(waiting)
        emit_after_commit(
            "rsvp:promoted",
            {"run_id": run.id, "title": run.title, "group": group.name},
            room=user_room(waiting.user_id),
        )
        events.promoted.send(None, run_id=run.id, user_id=waiting.user_id, title=run.title)
    return promoted


def _rsvp_row(run: GroupRun, user: User, now: datetime) -> Rsvp:
    existing = db.session.scalar(select(Rsvp).where(Rsvp.run_id == run.id, Rsvp.user_id == user.id))
    if existing is not None:
        return existing
    try:
        with db.session.begin_nested():
            row = Rsvp(
                run_id=run.id, user_id=user.id, status=RsvpStatus.NOT_GOING.value, queued_at=now
            )
            db.session.add(row)
        return row
    except IntegrityError:
        # Another tab of the same runner created it a moment ago.
        found = db.session.scalar(
            select(Rsvp).where(Rsvp.run_id == run.id, Rsvp.user_id == user.id)
        )
        if found is None:
            raise
        return found


def check_can_rsvp(user: User, run: GroupRun, now: datetime) -> None:
    if run.is_cancelled:
        raise GroupRunError("This run is cancelled.")
    if now >= run.starts_at:
        raise GroupRunError("This run has already started.")
    if run.rsvp_deadline is not None and now > run.rsvp_deadline:
        raise GroupRunError("RSVPs for this run closed at the deadline.")
    if not can_see_content(run.club, user.id):
        raise NotAllowed("Only members of this private club can RSVP.")


def rsvp(
    user: User,
    run: GroupRun,
    status: RsvpStatus,
    *,
    now: datetime,
    pace_group_id: int | None = None,
) -> Rsvp:
    """Say going (in a pace group), maybe or not going. Going takes a place, or a spot on
    the group's waitlist when it is full; leaving a place promotes the first waiting runner."""
    check_can_rsvp(user, run, now)
    if status == RsvpStatus.WAITLISTED:
        raise GroupRunError("Choose going, maybe or not going.")
    target: PaceGroup | None = None
    if status == RsvpStatus.GOING:
        if pace_group_id is None and len(run.pace_groups) == 1:
            pace_group_id = run.pace_groups[0].id
        target = next((g for g in run.pace_groups if g.id == pace_group_id), None)
        if target is None:
            raise GroupRunError("Choose a pace group.", field="pace_group")
    row = _rsvp_row(run, user, now)
    # Every group of the run, not just the one the row names as read here: another tab of
    # the same runner may move it to any of them before these locks are ours (and the place
    # it held there would then never be given back).
    locked = _lock({group.id for group in run.pace_groups})
    db.session.refresh(row)  # as it is now that its groups are locked
    old_group = locked.get(row.pace_group_id) if row.pace_group_id else None
    staying = (
        target is not None
        and row.pace_group_id == target.id
        and row.status in (RsvpStatus.GOING.value, RsvpStatus.WAITLISTED.value)
    )
    if staying:
        return row
    freed = row.holds_place and old_group is not None
    if freed:
        _release_place(old_group)
        row.holds_place = False
    if target is not None:
        target = locked[target.id]
        row.pace_group_id, row.ticket = target.id, _next_ticket(target)
        if target.leader_id == user.id:
            row.status = RsvpStatus.GOING.value  # leaders lead; they take no place
        elif _take_place(target):
            row.status, row.holds_place = RsvpStatus.GOING.value, True
        else:
            row.status, row.queued_at = RsvpStatus.WAITLISTED.value, now
    else:
        row.status, row.pace_group_id, row.ticket = status.value, None, None
    db.session.flush()
    if freed:
        promote_waiting(run, old_group)
    announce_roster_change(run)
    return row


def set_capacity(actor: User, run: GroupRun, group_id: int, capacity: int | None) -> PaceGroup:
    """Change a group's capacity; raising it promotes waiting runners at once."""
    if not is_admin(run.club_id, actor.id):
        raise NotAllowed("Only the club's owner and admins can change capacities.")
    group = _lock({group_id}).get(group_id)
    if group is None or group.run_id != run.id:
        raise GroupRunError("That pace group does not exist.")
    if capacity is not None and capacity < group.taken:
        raise GroupRunError(
            f"{group.taken} runners already hold places; the capacity can't go below that.",
            field="capacity",
        )
    group.capacity = capacity
    db.session.flush()
    promote_waiting(run, group)
    announce_roster_change(run)
    return group


def announce_roster_change(run: GroupRun) -> None:
    emit_after_commit("run:roster_changed", {"run_id": run.id}, room=run_room(run.id))


def give_back_places(user_id: int, *, now: datetime) -> None:
    """Give back every place a runner holds (their account goes, and their RSVPs with it):
    the first runner waiting for an upcoming run moves up, and no run counts a place
    nobody holds."""
    run_ids = db.session.scalars(
        select(Rsvp.run_id)
        .where(Rsvp.user_id == user_id, Rsvp.holds_place.is_(True))
        .order_by(Rsvp.run_id)
    ).all()
    for run_id in run_ids:
        run = db.session.get_one(GroupRun, run_id)
        locked = _lock({group.id for group in run.pace_groups})
        row = db.session.scalar(
            select(Rsvp)
            .where(Rsvp.run_id == run_id, Rsvp.user_id == user_id)
            .execution_options(populate_existing=True)
        )
        if row is None or not row.holds_place or row.pace_group_id is None:
            continue  # given back meanwhile
        group = locked[row.pace_group_id]
        _release_place(group)
        row.status, row.holds_place = RsvpStatus.NOT_GOING.value, False
        row.pace_group_id, row.ticket = None, None
        db.session.flush()
        if not run.is_cancelled and now < run.starts_at:
            promote_waiting(run, group)
        announce_roster_change(run)


def on_account_deleting(sender: object, user_id: int) -> None:
    give_back_places(user_id, now=utcnow())


def subscribe() -> None:
    account_deleting.connect(on_account_deleting)
