"""Stored standings: kept up to date as runs change, pushed live, and rebuilt on demand.

`on_run_changed` listens to the runs log. It touches only the changed runner's entries in
the challenges the run falls in: a new run adds its value to an additive total; anything
else (an edit, a deletion, a kind that is not a plain sum, safe mode) works that one
entrant's standing out again. The entry rows are locked first, so two runs saved at once
by the same runner never lose an update.
"""

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, case, func, select, type_coerce, update

from community.accounts.avatars import initials
from community.accounts.events import account_deleting, privacy_changed
from community.activities.events import RunChange, run_changed
from community.activities.models import Run
from community.challenges import board_cache, events, histogram
from community.challenges.counting import (
    ADDITIVE,
    MILLI,
    SAFE_MODE_LOOKBACK,
    Standing,
    affects,
    goal_met,
    milli_sum,
    run_value,
    standing_of,
    uses_full_recount,
)
from community.challenges.models import Challenge, ChallengeEntry, ChallengeKind
from community.clubs.events import membership_ended
from community.clubs.services import club_room
from community.db_types import UTCDateTime, utcnow
from community.extensions import db
from community.realtime import emit_after_commit, leave_room_after_commit, user_room

MAX_GRACE = timedelta(days=30)
# Scores are rounded so that equal totals reached by sums in another order tie exactly;
# totals keep full precision, so adding run after run never drifts from a recount.
SCORE_DECIMALS = 3


def challenge_room(challenge_id: int) -> str:
    return f"challenge:{challenge_id}"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, SCORE_DECIMALS)


def board_key(entry: ChallengeEntry, *, hidden: bool | None = None) -> dict[str, float] | None:
    """Where the entry stands on the public board (its score, and when it reached it), or
    None when it is not on it: hidden (`hidden` overrides its flag), or nothing counted."""
    if (entry.hidden if hidden is None else hidden) or entry.score is None:
        return None
    return {"score": entry.score, "reached_at": entry.reached_at.timestamp()}


def standing_payload(
    entry: ChallengeEntry, challenge: Challenge, *, was: dict[str, float] | None
) -> dict[str, Any]:
    """The one shape a board row travels in: just the entrant that changed.

    With what an open board needs to place it by the server's rule (queries.py): the score,
    when it was reached, the entry id; whether it is hidden; where it stood on the board
    before (`was`, None when it was not on it); and the board's version after the change,
    so that a board read later ignores it.
    """
    return {
        "challenge_id": challenge.id,
        "entry_id": entry.id,
        "user_id": entry.user_id,
        "username": entry.user.username,
        "display_name": entry.user.display_name,
        # A new row's face, drawn by challenge.js as templates/_avatar.html would.
        "initials": initials(entry.user.display_name),
        "avatar_key": entry.user.avatar_key,
        "total": entry.total,
        "score": entry.score,
        "reached_at": entry.reached_at.timestamp(),
        "hidden": entry.hidden,
        "completed": entry.completed_at is not None,
        "was": was,
        "version": challenge.board_version,
    }


def club_total(challenge_id: int) -> float:
    return float(
        db.session.scalar(
            select(func.coalesce(func.sum(ChallengeEntry.total), 0.0)).where(
                ChallengeEntry.challenge_id == challenge_id
            )
        )
        or 0.0
    )


def _settle_club_goal(challenge: Challenge, now: datetime, by_user_id: int | None = None) -> float:
    """Keep `goal_reached_at` true to the club's total; the first time the total reaches
    the goal, tell the features above (`events.club_goal_reached`), once.

    `by_user_id`: whose change this is (the run over the line), when one runner's.
    """
    total = club_total(challenge.id)
    reached = goal_met(challenge, total)
    if reached and challenge.goal_reached_at is None:
        # Conditional, so that two runs crossing the line at once celebrate once; the
        # challenge row is locked (lock_challenges), so the second sees the first's.
        db.session.execute(
            update(Challenge)
            .where(Challenge.id == challenge.id, Challenge.goal_reached_at.is_(None))
            .values(goal_reached_at=now)
            .execution_options(synchronize_session=False)
        )
        first = db.session.execute(
            update(Challenge)
            .where(Challenge.id == challenge.id, Challenge.goal_first_reached_at.is_(None))
            .values(goal_first_reached_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(challenge)
        if first.rowcount == 1:
            events.club_goal_reached.send(
                None,
                challenge_id=challenge.id,
                club_id=challenge.club_id,
                title=challenge.title,
                user_id=by_user_id or _last_to_count(challenge.id),
            )
    elif not reached and challenge.goal_reached_at is not None:
        challenge.goal_reached_at = None
    return total


def _last_to_count(challenge_id: int) -> int | None:
    """The entrant whose counted run came last: who took the club over the line, when a
    rebuild (not one runner's run) finds the goal reached."""
    return db.session.scalar(
        select(ChallengeEntry.user_id)
        .where(ChallengeEntry.challenge_id == challenge_id, ChallengeEntry.total > 0)
        .order_by(ChallengeEntry.reached_at.desc(), ChallengeEntry.id.desc())
        .limit(1)
    )


def _settle_completion(entry: ChallengeEntry, challenge: Challenge, now: datetime) -> None:
    if challenge.is_cooperative:
        return
    met = goal_met(challenge, entry.total)
    if met and entry.completed_at is None:
        entry.completed_at = now
        events.completed.send(
            None, challenge_id=challenge.id, user_id=entry.user_id, title=challenge.title, at=now
        )
        if challenge.club_id is not None and not entry.hidden:
            # The club cheers at once (the feed will keep it once it exists).
            emit_after_commit(
                "challenge:completed",
                {
                    "club_id": challenge.club_id,
                    "challenge_id": challenge.id,
                    "title": challenge.title,
                    "display_name": entry.user.display_name,
                },
                room=club_room(challenge.club_id),
            )
    elif not met and entry.completed_at is not None:
        # The run that completed it was edited or deleted: the badge must stay true.
        entry.completed_at = None
        events.uncompleted.send(None, challenge_id=challenge.id, user_id=entry.user_id)


def freeze_if_due(challenge: Challenge, now: datetime) -> None:
    """Before the first change inside the freeze, keep the board as it stands for display.

    Nothing changed since the freeze began until this change, so the snapshot is exactly the
    board at the freeze. The conditional update makes one transaction take it, once.
    """
    if challenge.frozen_at is not None or not challenge.is_frozen_at(now):
        return
    won = db.session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id, Challenge.frozen_at.is_(None))
        .values(frozen_at=now)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount == 1:
        db.session.execute(
            update(ChallengeEntry)
            .where(ChallengeEntry.challenge_id == challenge.id)
            .values(
                frozen_total=ChallengeEntry.total,
                frozen_score=ChallengeEntry.score,
                frozen_reached_at=ChallengeEntry.reached_at,
            )
            .execution_options(synchronize_session=False)
        )
    db.session.refresh(challenge, ["frozen_at"])


def save_standing(
    entry: ChallengeEntry,
    challenge: Challenge,
    standing: Standing,
    *,
    now: datetime,
    entering: bool = False,
) -> bool:
    """Store a standing, settle completion, and push the change. Returns whether it moved.

    `entering`: the entry was made in this transaction, so no board held it before.
    """
    freeze_if_due(challenge, now)
    was = None if entering else board_key(entry)
    score = _rounded(standing.score)
    changed = (
        (entry.score, entry.reached_at) != (score, standing.reached_at)
        or (entry.total is None) != (standing.total is None)
        or not math.isclose(entry.total or 0.0, standing.total or 0.0, abs_tol=1e-6)
    )
    entry.total, entry.score, entry.reached_at = standing.total, score, standing.reached_at
    _settle_completion(entry, challenge, now)
    # No flush here: a run that moves three entries flushes them once (three UPDATEs sent
    # together, and their score buckets in one statement).
    if changed:
        announce(entry, challenge, now=now, was=was)
    return changed


def announce(
    entry: ChallengeEntry, challenge: Challenge, *, now: datetime, was: dict[str, float] | None
) -> None:
    payload = standing_payload(entry, challenge, was=was)
    if challenge.is_cooperative:
        payload["club_total"] = _settle_club_goal(challenge, now, entry.user_id)
    # The runner's own pages always hear; the board only while the runner is on it and
    # the board is not frozen for the last hours.
    emit_after_commit("challenge:standing", payload, room=user_room(entry.user_id))
    if not entry.hidden and not challenge.is_frozen_at(now):
        emit_after_commit("challenge:standing", payload, room=challenge_room(challenge.id))


def announce_gone(
    entry: ChallengeEntry, challenge: Challenge, *, was: dict[str, float] | None
) -> None:
    """The entrant left the board (left the challenge, or hid): open boards drop the row.

    `was` is where it stood on the board (None: it was not on it), `version` as for a
    standing (standing_payload)."""
    emit_after_commit(
        "challenge:gone",
        {
            "challenge_id": challenge.id,
            "entry_id": entry.id,
            "user_id": entry.user_id,
            "was": was,
            "version": challenge.board_version,
        },
        room=challenge_room(challenge.id),
    )


def remove_entries(user_id: int, challenges: list[Challenge], *, now: datetime) -> int:
    """Take a runner out of these challenges; club goals are settled again without them.

    The challenge rows are locked first, then the runner's entries are read again under
    lock: of several requests removing the same entry at once (a leave from many tabs, a
    club left meanwhile), the first deletes it and counts it out, the others find nothing.
    Only rows this transaction deleted move `entrants`. Returns how many it removed.
    """
    if not challenges:
        return 0
    lock_challenges(challenges, now)
    entries = _locked_entries(user_id, challenges)
    if not entries:
        return 0
    db.session.execute(
        update(Challenge)
        .where(Challenge.id.in_([entry.challenge_id for entry in entries]))
        .values(entrants=Challenge.entrants - 1)
        .execution_options(synchronize_session=False)
    )
    for entry in entries:
        announce_gone(entry, entry.challenge, was=board_key(entry))
        db.session.delete(entry)
    db.session.flush()
    for entry in entries:
        if entry.challenge.is_cooperative:
            _settle_club_goal(entry.challenge, now)
    return len(entries)


def entered_challenges(user_id: int, *conditions: object) -> list[Challenge]:
    """The challenges the runner has an entry in (read without locks), in id order."""
    return list(
        db.session.scalars(
            select(Challenge)
            .join(ChallengeEntry, ChallengeEntry.challenge_id == Challenge.id)
            .where(ChallengeEntry.user_id == user_id, *conditions)
            .order_by(Challenge.id)
        )
    )


def _lock_affected(change: RunChange, now: datetime) -> list[Challenge]:
    """The open challenges the change can move, in id order, their rows locked and their
    board versions moved (as `lock_challenges` does) by the one statement that finds them.

    The statement finds what may be affected; a challenge it moved that the rules leave
    out (closed, or the run outside it) only has its board read again."""
    snapshots = [s for s in (change.before, change.after) if s is not None]
    earliest = min(s.start_time for s in snapshots)
    latest = max(s.start_time for s in snapshots)
    candidates = (
        select(Challenge.id)
        .join(ChallengeEntry, ChallengeEntry.challenge_id == Challenge.id)
        .where(
            ChallengeEntry.user_id == snapshots[0].user_id,
            Challenge.ends_at > earliest,
            Challenge.ends_at > now - MAX_GRACE,
            Challenge.starts_at <= latest + SAFE_MODE_LOOKBACK,
        )
        .order_by(Challenge.id)
        .with_for_update(of=Challenge)
    )
    moved = db.session.scalars(
        update(Challenge)
        .where(Challenge.id.in_(candidates.scalar_subquery()))
        .values(board_version=Challenge.board_version + 1)
        .returning(Challenge)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).all()
    affected = sorted(
        (
            c
            for c in moved
            if c.is_open_at(now) and any(affects(c, s.start_time) for s in snapshots)
        ),
        key=lambda c: c.id,
    )
    for challenge in affected:
        freeze_if_due(challenge, now)
    return affected


def lock_challenges(challenges: list[Challenge], now: datetime) -> None:
    """Take the challenge-level steps before any entry is locked, always in this order.

    The challenge rows are locked in id order as their board versions move (board_cache):
    two runs crossing a club goal together are summed one after the other. A freeze due is
    taken next, so its snapshot never waits on an entry.
    """
    board_cache.changed(c.id for c in challenges)
    for challenge in challenges:
        freeze_if_due(challenge, now)


def _locked_entries(user_id: int, challenges: list[Challenge]) -> list[ChallengeEntry]:
    return list(
        db.session.scalars(
            select(ChallengeEntry)
            .where(
                ChallengeEntry.user_id == user_id,
                ChallengeEntry.challenge_id.in_([c.id for c in challenges]),
            )
            # Challenge order: each entry's flush then moves score buckets (histogram.py)
            # challenge after challenge, the one order every transaction takes them in.
            .order_by(ChallengeEntry.challenge_id)
            .with_for_update(of=ChallengeEntry)
            # As committed now that they are locked, not as this session read them before:
            # the score buckets move from these values.
            .execution_options(populate_existing=True)
        )
    )


def on_run_changed(sender: object, change: RunChange) -> None:
    now = change.at
    challenges = _lock_affected(change, now)
    if not challenges:
        return
    user_id = (change.after or change.before).user_id  # type: ignore[union-attr]
    for entry in _locked_entries(user_id, challenges):
        challenge = entry.challenge
        after = change.after
        if change.kind == "created" and after is not None and not uses_full_recount(challenge):
            value = run_value(
                challenge.kind, after.distance_m, after.duration_s, after.elevation_gain_m
            )
            if value <= 0:
                continue
            had_none = not entry.total
            total = milli_sum([entry.total or 0.0, value])
            reached = after.start_time if had_none else max(entry.reached_at, after.start_time)
            save_standing(entry, challenge, Standing(total, total, reached), now=now)
        else:
            save_standing(
                entry, challenge, standing_of(challenge, entry.user_id, entry.joined_at), now=now
            )
    db.session.flush()


def milli_sum_sql(value: ColumnElement[float]) -> ColumnElement[float]:
    """SUM in whole thousandths, rounded half up as `counting.to_milli` does (PostgreSQL's
    round() goes half to even; SQLite's, for values at or above 0, is floor(x + 0.5))."""
    scaled = value * MILLI
    if db.session.get_bind().dialect.name == "postgresql":
        milli = func.floor(scaled + 0.5)
    else:
        milli = func.round(scaled)
    return type_coerce(func.coalesce(func.sum(milli), 0.0) / float(MILLI), Float())


def _summed_from_scratch(challenge: Challenge) -> dict[int, Standing]:
    """Every entrant of an additive challenge in one grouped query over their runs."""
    value = {
        ChallengeKind.TIME.value: Run.duration_s,
        ChallengeKind.ELEVATION.value: func.coalesce(Run.elevation_gain_m, 0.0),
        # The outer join gives entrants without runs one row with no run: it counts 0.
        ChallengeKind.RUNS.value: case((Run.id.is_(None), 0.0), else_=1.0),
    }.get(challenge.kind, Run.distance_m)
    value = type_coerce(value, Run.distance_m.type)
    rows = db.session.execute(
        select(
            ChallengeEntry.user_id,
            milli_sum_sql(value),
            type_coerce(func.max(case((value > 0, Run.start_time))), UTCDateTime),
            ChallengeEntry.joined_at,
        )
        .select_from(ChallengeEntry)
        .outerjoin(
            Run,
            (Run.user_id == ChallengeEntry.user_id)
            & (Run.start_time >= challenge.starts_at)
            & (Run.start_time < challenge.ends_at)
            & (Run.created_at <= challenge.closes_at),
        )
        .where(ChallengeEntry.challenge_id == challenge.id)
        .group_by(ChallengeEntry.user_id, ChallengeEntry.joined_at)
    )
    return {
        user_id: Standing(float(total), float(total), reached or joined_at)
        for user_id, total, reached, joined_at in rows
    }


def standings_from_scratch(challenge: Challenge) -> dict[int, Standing]:
    """Every entrant's standing recomputed from the runs alone, keyed by runner."""
    if challenge.kind in ADDITIVE and not challenge.safe_mode:
        return _summed_from_scratch(challenge)
    entries = db.session.execute(
        select(ChallengeEntry.user_id, ChallengeEntry.joined_at).where(
            ChallengeEntry.challenge_id == challenge.id
        )
    )
    return {user_id: standing_of(challenge, user_id, joined_at) for user_id, joined_at in entries}


def rebuild(challenge: Challenge, *, now: datetime) -> int:
    """Recompute a challenge's stored standings from scratch; returns how many changed.

    The entries are locked before the runs are read: a run saved meanwhile waits, then adds
    itself to the rebuilt total instead of being overwritten by an older one. The challenge
    row is locked first, so no one joins or leaves meanwhile; the score histogram is then
    counted again from the entries.
    """
    lock_challenges([challenge], now)
    entries = db.session.scalars(
        select(ChallengeEntry)
        .where(ChallengeEntry.challenge_id == challenge.id)
        .order_by(ChallengeEntry.id)
        .with_for_update(of=ChallengeEntry)
    ).all()
    fresh = standings_from_scratch(challenge)
    changed = sum(
        save_standing(entry, challenge, fresh[entry.user_id], now=now) for entry in entries
    )
    if challenge.is_cooperative:
        _settle_club_goal(challenge, now)
    challenge.entrants = len(entries)
    db.session.flush()
    histogram.recount(challenge.id)
    return changed


def set_hidden_in(
    user_id: int, challenges: list[Challenge], hidden: bool, *, now: datetime
) -> list[ChallengeEntry]:
    """Hide the runner's entries in these challenges from the public boards, or show them;
    open boards drop the row or take it back.

    Challenge rows first, then the entries read again under lock, so that of two tabs
    hiding at once the second finds the entry hidden already: a score bucket moves once.
    Returns the entries this transaction moved.
    """
    if not challenges:
        return []
    board_cache.changed(challenge.id for challenge in challenges)
    moved = [entry for entry in _locked_entries(user_id, challenges) if entry.hidden != hidden]
    for entry in moved:
        entry.hidden = hidden
    db.session.flush()
    for entry in moved:
        if hidden:
            announce_gone(entry, entry.challenge, was=board_key(entry, hidden=False))
        else:
            announce(entry, entry.challenge, now=now, was=None)
    return moved


def hide_everywhere(user_id: int, hidden: bool, *, now: datetime) -> None:
    """Apply the runner's leaderboard privacy to every challenge still running."""
    set_hidden_in(
        user_id,
        entered_challenges(user_id, Challenge.ends_at > now, ChallengeEntry.hidden != hidden),
        hidden,
        now=now,
    )


def on_privacy_changed(sender: object, user_id: int, leaderboard_hidden: bool) -> None:
    hide_everywhere(user_id, leaderboard_hidden, now=utcnow())


def on_membership_ended(sender: object, club_id: int, user_id: int) -> None:
    """A runner who leaves a club leaves its running challenges, and their rooms at once."""
    now = utcnow()
    running = db.session.scalars(
        select(Challenge.id).where(Challenge.club_id == club_id, Challenge.ends_at > now)
    )
    for challenge_id in running:
        leave_room_after_commit(user_id, challenge_room(challenge_id))
    entered = entered_challenges(user_id, Challenge.club_id == club_id, Challenge.ends_at > now)
    remove_entries(user_id, entered, now=now)


def on_account_deleting(sender: object, user_id: int) -> None:
    """A deleted runner leaves every board (their entries go with the account)."""
    remove_entries(user_id, entered_challenges(user_id), now=utcnow())


def subscribe() -> None:
    account_deleting.connect(on_account_deleting)
    run_changed.connect(on_run_changed)
    membership_ended.connect(on_membership_ended)
    privacy_changed.connect(on_privacy_changed)
