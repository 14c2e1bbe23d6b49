"""Feed items from the other features' domain events (the feed sits on top of them all)."""

from datetime import datetime, timedelta

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, SessionTransaction

from community.accounts import events as account_events
from community.activities.events import RunChange, run_told
from community.activities.models import BestEffort, Run
from community.activities.queries import new_personal_bests, track_points
from community.activities.route_svg import track_polyline
from community.challenges import events as challenge_events
from community.challenges.models import Challenge
from community.clubs import events as club_events
from community.extensions import db
from community.feed import live
from community.feed.models import FeedItem, ItemKind
from community.group_runs import events as group_run_events
from community.group_runs.models import Attendance, GroupRun
from community.milestones import badges
from community.milestones import events as milestone_events
from community.milestones.models import Milestone
from community.milestones.rules import Earned
from community.realtime import leave_room_after_commit
from community.units import format_duration

# A run logged long after it was run (an archive import) is history, not news.
NEWS_FOR = timedelta(days=7)


_MADE = "feed.run_items_made"
_WAITING = "feed.milestones_waiting"

# A route picture in the feed is a thumbnail: this many corners are plenty.
THUMBNAIL_VERTICES = 80


def _forget_made(session: Session, transaction: SessionTransaction) -> None:
    # The items held for their runs' milestones live as long as their transaction: held
    # longer, a deleted item's id, taken again by a new row, would clash in the session.
    if transaction.parent is None:
        session.info.pop(_MADE, None)
        session.info.pop(_WAITING, None)


def on_run_changed(sender: object, change: RunChange) -> None:
    if change.kind == "deleted" and change.before is not None:
        db.session.info.get(_MADE, {}).pop(change.before.run_id, None)
    run = change.after
    if change.kind != "created" or run is None or change.at - run.start_time > NEWS_FOR:
        return
    # A run entered by hand has no track, so no route and no best efforts to read.
    logged = db.session.get(Run, run.run_id)
    has_track = logged is None or logged.has_track
    points = track_points(run.run_id) if has_track else None
    route = track_polyline(points, THUMBNAIL_VERTICES) if points else None
    item = FeedItem(
        kind=ItemKind.RUN.value,
        actor_id=run.user_id,
        run_id=run.run_id,
        route=route,
        created_at=change.at,
    )
    db.session.add(item)
    # Held for the run's milestones (the session only keeps a weak reference to a flushed
    # row; reading it again would be one more statement). Handlers of one event run in no
    # set order: milestones the run earned already wait in the session for their item.
    db.session.info.setdefault(_MADE, {})[run.run_id] = item
    waiting = db.session.info.get(_WAITING, {}).pop(run.run_id, [])
    if waiting:
        _add_milestones(item, waiting)
    bests = new_personal_bests(run.run_id) if has_track else []
    if bests:
        db.session.add(
            FeedItem(
                kind=ItemKind.PERSONAL_BEST.value,
                actor_id=run.user_id,
                run_id=run.run_id,
                title=_bests_title(bests),
                created_at=change.at,
            )
        )


def _bests_title(bests: list[BestEffort]) -> str:
    return ", ".join(f"{best.label} in {format_duration(best.duration_s)}" for best in bests)[:200]


def on_attended(sender: object, group_run_id: int, user_id: int) -> None:
    group_run = db.session.get(GroupRun, group_run_id)
    attendance_id = db.session.scalar(
        select(Attendance.id).where(
            Attendance.group_run_id == group_run_id, Attendance.user_id == user_id
        )
    )
    if group_run is None or attendance_id is None:
        return
    db.session.add(
        FeedItem(
            kind=ItemKind.ATTENDED.value,
            actor_id=user_id,
            club_id=group_run.club_id,
            group_run_id=group_run.id,
            attendance_id=attendance_id,
            title=group_run.title[:200],
        )
    )


def on_challenge_completed(
    sender: object, challenge_id: int, user_id: int, title: str, **_: object
) -> None:
    challenge = db.session.get(Challenge, challenge_id)
    db.session.add(
        FeedItem(
            kind=ItemKind.CHALLENGE_COMPLETED.value,
            actor_id=user_id,
            challenge_id=challenge_id,
            club_id=challenge.club_id if challenge else None,
            title=title[:200],
        )
    )


def on_challenge_uncompleted(sender: object, challenge_id: int, user_id: int) -> None:
    # The news is no longer true: it leaves the feeds (and the pages showing it).
    completed = db.session.scalars(
        select(FeedItem).where(
            FeedItem.kind == ItemKind.CHALLENGE_COMPLETED.value,
            FeedItem.challenge_id == challenge_id,
            FeedItem.actor_id == user_id,
        )
    ).all()
    for item in completed:
        live.item_changed(item)  # while it is there: those who saw it are told
        db.session.delete(item)


def on_club_goal_reached(
    sender: object, challenge_id: int, club_id: int, title: str, user_id: int | None
) -> None:
    if user_id is None:
        return
    db.session.add(
        FeedItem(
            kind=ItemKind.CLUB_GOAL.value,
            actor_id=user_id,
            club_id=club_id,
            challenge_id=challenge_id,
            title=title[:200],
        )
    )


def _run_item(run_id: int) -> FeedItem | None:
    made = db.session.info.get(_MADE, {}).pop(run_id, None)  # made with the run, most often
    if made is not None and made in db.session:
        return made
    return db.session.scalar(
        select(FeedItem).where(FeedItem.kind == ItemKind.RUN.value, FeedItem.run_id == run_id)
    )


def _being_logged(run_id: int, now: datetime) -> bool:
    """The run is being logged in this transaction and its item is not made yet (the run's
    handlers run in no set order): its milestones wait for it, without looking for it."""
    if run_id in db.session.info.get(_MADE, {}):
        return False
    key = inspect(Run).identity_key_from_primary_key((run_id,))
    run = db.session.identity_map.get(key)
    return run is not None and run.created_at == now


def _show_milestones(item: FeedItem, kinds: list[str], titles: list[str]) -> None:
    # A run item's body and title are otherwise unused: its milestones' kinds (for the
    # badges) and their names (for reading).
    item.body = " ".join(kinds)
    item.title = " · ".join(titles)[:200]


def _add_milestones(item: FeedItem, earned: list[Earned]) -> None:
    kinds = (item.body or "").split() + [m.kind for m in earned]
    titles = ([item.title] if item.title else []) + [
        badges.title(m.kind, m.key, m.label) for m in earned
    ]
    _show_milestones(item, kinds, titles)


def on_milestones_earned(
    sender: object, user_id: int, milestones: list[Earned], now: datetime
) -> None:
    """Milestones ride on the item of the run that earned them: a run that is news carries
    its badges to everyone who may see it. Earned by an old run (a run deleted handed its
    first 10K to an older one), they are history, not news."""
    by_run: dict[int, list[Earned]] = {}
    for milestone in milestones:
        if milestone.run_id is not None:
            by_run.setdefault(milestone.run_id, []).append(milestone)
    for run_id, earned in by_run.items():
        item = None if _being_logged(run_id, now) else _run_item(run_id)
        if item is None:
            if now - earned[0].earned_at <= NEWS_FOR:  # its item may be about to be made
                db.session.info.setdefault(_WAITING, {}).setdefault(run_id, []).extend(earned)
            continue
        _add_milestones(item, earned)
        if item.created_at != now:  # made with the run, it goes out with its badges
            live.item_changed(item)


def on_milestones_lost(sender: object, user_id: int, milestones: list[tuple[int, str]]) -> None:
    for run_id in {run_id for run_id, _ in milestones}:
        item = _run_item(run_id)
        if item is None or not item.body:
            continue
        gone = {kind for rid, kind in milestones if rid == run_id}
        kept = [
            m
            for m in db.session.scalars(
                select(Milestone).where(Milestone.run_id == run_id).order_by(Milestone.id)
            )
            if m.kind not in gone
        ]
        _show_milestones(
            item, [m.kind for m in kept], [badges.title(m.kind, m.key, m.label) for m in kept]
        )
        live.item_changed(item)


def on_membership_started(sender: object, club_id: int, user_id: int) -> None:
    db.session.add(FeedItem(kind=ItemKind.NEW_MEMBER.value, actor_id=user_id, club_id=club_id))


def on_membership_ended(sender: object, club_id: int, user_id: int) -> None:
    live.forget_items(user_id)


def on_blocked(sender: object, blocker_id: int, blocked_id: int) -> None:
    for user_id, other in ((blocker_id, blocked_id), (blocked_id, blocker_id)):
        live.forget_items(user_id)
        leave_room_after_commit(user_id, live.profile_room(other))


def subscribe() -> None:
    live.subscribe()
    # After the run's own handlers (milestones among them): its item goes in once.
    run_told.connect(on_run_changed)
    challenge_events.completed.connect(on_challenge_completed)
    challenge_events.uncompleted.connect(on_challenge_uncompleted)
    challenge_events.club_goal_reached.connect(on_club_goal_reached)
    club_events.membership_started.connect(on_membership_started)
    club_events.membership_ended.connect(on_membership_ended)
    group_run_events.attended.connect(on_attended)
    account_events.blocked.connect(on_blocked)
    milestone_events.earned.connect(on_milestones_earned)
    if not event.contains(Session, "after_transaction_end", _forget_made):
        event.listen(Session, "after_transaction_end", _forget_made)
    milestone_events.lost.connect(on_milestones_lost)
