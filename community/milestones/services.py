"""Milestones kept in step with the runs: incrementally when a run is logged, recounted
when history changes.

- A run logged after every other run of its runner (the usual case) earns what `rules.Tally`
  says from one summary statement: the runs before it, the milestones held, the clubs.
- Anything else (a run logged out of order, edited, deleted; a group run linked or unlinked;
  a challenge completed or no longer; the runner's clubs) recounts the runner's milestones
  from scratch (`recompute`) and applies the difference.
Both paths must leave the same rows: tests check it on random histories, and
`flask milestones recompute` repairs a database that lost step (reporting what it changed).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CompoundSelect,
    Float,
    Integer,
    String,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from community.accounts.models import User
from community.activities.analysis import BEST_EFFORT_DISTANCES
from community.activities.events import RunChange
from community.activities.models import Run
from community.challenges.models import Challenge, ChallengeEntry
from community.clubs.models import Club, Membership
from community.db_types import UTCDateTime, utcnow
from community.extensions import db
from community.goals import progress as goal_progress
from community.goals.models import Goal, GoalKind, Measure
from community.goals.queries import title_of
from community.group_runs.models import Attendance
from community.milestones import events, rules
from community.milestones.models import Milestone
from community.milestones.models import MilestoneKind as K


@dataclass(frozen=True)
class Changes:
    earned: list[rules.Earned]
    lost: list[tuple[str, str, int | None]]


def _zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.timezone)


def _run_facts(user_id: int) -> list[rules.RunFact]:
    attended = exists().where(Attendance.activity_id == Run.id)
    rows = db.session.execute(
        select(Run.id, Run.start_time, Run.distance_m, attended)
        .where(Run.user_id == user_id, Run.suspect_reason.is_(None))
        .order_by(Run.start_time, Run.id)
    )
    return [rules.RunFact(*row) for row in rows]


def _clubs(user_id: int) -> list[rules.ClubJoined]:
    rows = db.session.execute(
        select(Membership.club_id, Club.name, Membership.joined_at)
        .join(Club, Club.id == Membership.club_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.club_id)
    )
    return [rules.ClubJoined(*row) for row in rows]


def _first_challenge(user_id: int) -> rules.Earned | None:
    row = db.session.execute(
        select(ChallengeEntry.challenge_id, Challenge.title, ChallengeEntry.completed_at)
        .join(Challenge, Challenge.id == ChallengeEntry.challenge_id)
        .where(ChallengeEntry.user_id == user_id, ChallengeEntry.completed_at.is_not(None))
        .order_by(ChallengeEntry.completed_at, ChallengeEntry.challenge_id)
        .limit(1)
    ).first()
    if row is None:
        return None
    _, title, completed_at = row
    return rules.Earned(K.FIRST_CHALLENGE, "", None, completed_at, title)


def _goals_reached(
    user: User, now: datetime, goals: list[Goal] | None = None
) -> list[rules.Earned]:
    """The runner's own goals (not their steps) that their runs have reached."""
    if goals is None:
        goals = list(
            db.session.scalars(
                select(Goal).where(Goal.user_id == user.id, Goal.parent_id.is_(None))
            )
        )
    if not goals:
        return []
    counted = goal_progress.counts(goals)
    found = []
    for goal in goals:
        status = goal_progress.progress(goal, counted[goal.id], now).status
        if status == goal_progress.Status.REACHED:
            label = title_of(goal, user.units)
            found.append(rules.Earned(K.GOAL_REACHED, str(goal.id), None, now, label))
    return found


def expected(user: User, now: datetime) -> list[rules.Earned]:
    """Every milestone the runner's history earns, counted from scratch."""
    found = rules.from_runs(_run_facts(user.id), _zone(user), _clubs(user.id))
    first = _first_challenge(user.id)
    return found + ([first] if first else []) + _goals_reached(user, now)


@cache
def _insert_new(dialect: str) -> Insert:
    build = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        build(Milestone)
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "key"])
        .returning(Milestone.kind, Milestone.key)
    )


def _insert(user_id: int, earned: list[rules.Earned], now: datetime) -> list[rules.Earned]:
    """Insert what is new; two requests earning the same milestone at once make one row."""
    if not earned:
        return []
    connection = db.session.connection()
    rows = [
        {
            "user_id": user_id,
            "kind": str(item.kind),
            "key": item.key,
            "run_id": item.run_id,
            "label": item.label[:200],
            "earned_at": item.earned_at,
            "created_at": now,
        }
        for item in earned
    ]
    # An executemany: its rows go as one INSERT, and the statement is compiled once.
    inserted = connection.execute(_insert_new(connection.dialect.name), rows)
    went_in = {(kind, key) for kind, key in inserted}
    return [item for item in earned if (item.kind, item.key) in went_in]


def recompute(user: User, now: datetime) -> Changes:
    """Bring the runner's milestones in line with their history: add what it earns, remove
    what it no longer does (a run edited or deleted, a challenge no longer completed)."""
    db.session.flush()
    want = {item.ident: item for item in expected(user, now)}
    held = db.session.execute(
        select(Milestone.id, Milestone.kind, Milestone.key, Milestone.run_id).where(
            Milestone.user_id == user.id
        )
    ).all()
    gone = [row for row in held if tuple(row[1:]) not in want]
    have = {tuple(row[1:]) for row in held}
    if gone:
        lost = [(row.run_id, row.kind) for row in gone if row.run_id is not None]
        events.lost.send(None, user_id=user.id, milestones=lost)
        db.session.execute(delete(Milestone).where(Milestone.id.in_([row.id for row in gone])))
    # A milestone that moved to another run (the old one deleted or edited) keeps its kind
    # and key: the old row goes first, then the new one goes in.
    earned = _insert(user.id, [item for ident, item in want.items() if ident not in have], now)
    if earned:
        events.earned.send(None, user_id=user.id, milestones=earned, now=now)
    return Changes(earned, [tuple(row[1:]) for row in gone])


# --- the incremental path ----------------------------------------------------------------

RUN_ID = bindparam("run_id", type_=Integer)
USER_ID = bindparam("user_id", type_=Integer)
START = bindparam("start", type_=UTCDateTime)


# A weekly goal is reached in its last week, at the earliest: a run before it, with no run
# after it, leaves a later week short. The last week starts 7 days (local) before the end.
LAST_WEEK = timedelta(days=8)


@cache
def _summary() -> CompoundSelect:
    # Built once. Rows: ("runs", count, total, longest, "", "", latest start) for the runs
    # before this one; ("have", kind, key) for each milestone held; ("club", id, name,
    # joined) for each club; ("goal", id, amount, target, kind, race, end) for each of the
    # runner's own goals whose window holds the run, its amount counted with the run.
    def row(tag: str, *columns: object) -> list[object]:
        return [literal(tag, String).label("tag"), *columns]

    zero = literal(0, Float)
    runs = select(
        *row(
            "runs",
            func.count(Run.id).label("n"),
            func.coalesce(func.sum(Run.distance_m), 0.0).label("total"),
            func.coalesce(func.max(Run.distance_m), 0.0).label("longest"),
            literal("", String).label("text1"),
            literal("", String).label("text2"),
            func.max(Run.start_time).label("at"),
        )
    ).where(Run.user_id == USER_ID, Run.id != RUN_ID, Run.suspect_reason.is_(None))
    have = select(
        *row("have", literal(0, Integer), zero, zero, Milestone.kind, Milestone.key, null())
    ).where(
        Milestone.user_id == USER_ID,
        or_(Milestone.kind != K.LONGEST_RUN.value, Milestone.run_id == RUN_ID),
    )
    clubs = (
        select(
            *row(
                "club", Membership.club_id, zero, zero, Club.name, literal(""), Membership.joined_at
            )
        )
        .join(Club, Club.id == Membership.club_id)
        .where(Membership.user_id == USER_ID)
    )
    # A total goal's amount as `goals.progress` counts it: every run in the window.
    amount = case(
        (Goal.measure == Measure.DISTANCE.value, func.coalesce(func.sum(Run.distance_m), 0.0)),
        (Goal.measure == Measure.TIME.value, func.coalesce(func.sum(Run.duration_s), 0.0)),
        else_=cast(func.count(Run.id), Float),
    )
    goals = (
        select(
            *row(
                "goal",
                Goal.id,
                amount,
                Goal.target,
                Goal.kind,
                func.coalesce(Goal.race_label, ""),
                Goal.ends_at,
            )
        )
        .outerjoin(Run, goal_progress.counted_runs())
        .where(
            Goal.user_id == USER_ID,
            Goal.parent_id.is_(None),
            Goal.starts_at <= START,
            Goal.ends_at > START,
        )
        .group_by(Goal.id)
    )
    return union_all(runs, have, clubs, goals)


def _may_reach(run: Run, kind: str, amount: float, target: float, race: str, end: datetime) -> bool:
    """Whether the run, the runner's latest, may be the one that reaches this goal (the
        goal's own rule then decides): a total counted with it at the target, a weekly goal in
        its last week, a race goal by a run over the distance within the time (or with a track:
    its best efforts decide)."""
    if kind == GoalKind.TOTAL:
        return amount >= target
    if kind == GoalKind.RACE:
        race_m = BEST_EFFORT_DISTANCES.get(race, 0.0)
        return run.has_track or (run.distance_m >= race_m and run.duration_s <= target)
    return run.start_time >= end - LAST_WEEK


@cache
def _weeks_statement():  # type: ignore[no-untyped-def]
    return select(Run.start_time).where(
        Run.user_id == USER_ID,
        Run.id != RUN_ID,
        Run.suspect_reason.is_(None),
        Run.start_time >= bindparam("since", type_=UTCDateTime),
    )


def _on_newest(user: User, run: Run, now: datetime) -> bool:
    """Earn what `run` earns as the runner's latest run; False if it is not their latest
    (the caller recounts instead). The runner's runs are locked already
    (`activities.services.lock_runner`): a run logged at the same moment is counted."""
    values = {"user_id": user.id, "run_id": run.id, "start": run.start_time}
    zone = _zone(user)
    tally = rules.Tally(zone)
    clubs: list[rules.ClubJoined] = []
    goals: list[tuple[int, str, float, float, str, datetime]] = []
    latest: datetime | None = None
    # Without an autoflush: what other handlers of the run have pending (its feed item)
    # is none of the summary's business, and an item still pending takes its badges in
    # its INSERT rather than an UPDATE after.
    with db.session.no_autoflush:
        summary = db.session.execute(_summary(), values).all()
    for tag, number, total, longest, text1, text2, at in summary:
        if tag == "runs":
            tally.runs, tally.total_m, tally.longest_m, latest = int(number), total, longest, at
        elif tag == "have":
            tally.have.add((text1, text2))
        elif tag == "club":
            clubs.append(rules.ClubJoined(int(number), text1, at))
        else:
            goals.append((int(number), text1, total, longest, text2, at))
    if latest is not None and latest >= run.start_time:
        return False  # not the latest (a tie too: the order is then by id, as a recount has it)
    tally.clubs = tuple(clubs)
    if latest is not None:
        tally.last_week = rules.week_of(latest, zone)
        week = rules.week_of(run.start_time, zone)
        streaks_left = any((str(kind), "") not in tally.have for kind, _ in rules.STREAKS)
        if week == tally.last_week + 1 and streaks_left:
            since = run.start_time - timedelta(weeks=rules.LONGEST_STREAK + 1)
            starts = db.session.scalars(_weeks_statement(), {**values, "since": since})
            weeks = {rules.week_of(start, zone) for start in starts}
            tally.streak = rules.streak_before(weeks, tally.last_week)
    earned = tally.add(rules.RunFact(run.id, run.start_time, run.distance_m))
    maybe = [
        goal_id
        for goal_id, kind, amount, target, race, end in goals
        if (K.GOAL_REACHED.value, str(goal_id)) not in tally.have
        and _may_reach(run, kind, amount, target, race, end)
    ]
    if maybe:
        candidates = list(db.session.scalars(select(Goal).where(Goal.id.in_(maybe))))
        earned += _goals_reached(user, now, candidates)
    added = _insert(user.id, earned, now)
    if added:
        events.earned.send(None, user_id=user.id, milestones=added, now=now)
    return True


def _history_changed(change: RunChange) -> bool:
    before, after = change.before, change.after
    if before is None or after is None:
        return True
    return (before.start_time, before.distance_m, before.duration_s) != (
        after.start_time,
        after.distance_m,
        after.duration_s,
    )


def on_run_changed(sender: object, change: RunChange) -> None:
    snapshot = change.after or change.before
    user = db.session.get(User, snapshot.user_id) if snapshot else None
    if snapshot is None or user is None:
        return
    if change.kind == "created":
        run = db.session.get(Run, snapshot.run_id)
        if run is not None and run.suspect_reason is not None:
            return  # earns nothing, and changes nothing earned
        if run is not None and _on_newest(user, run, change.at):
            return
    elif not _history_changed(change):
        return
    recompute(user, change.at)


def on_challenge_completed(sender: object, user_id: int, title: str, at: datetime, **_: object):
    """A runner's first challenge completed is earned by the completion (the milestones'
    history otherwise unchanged): one insert, which a later completion finds held."""
    earned = _insert(user_id, [rules.Earned(K.FIRST_CHALLENGE, "", None, at, title)], at)
    if earned:
        events.earned.send(None, user_id=user_id, milestones=earned, now=at)


def on_history_changed(sender: object, user_id: int, **_: object) -> None:
    """A group run linked or unlinked, a challenge completed or no longer: recount."""
    user = db.session.get(User, user_id)
    if user is not None:
        recompute(user, utcnow())


def subscribe() -> None:
    from community.activities.events import run_changed
    from community.challenges import events as challenge_events
    from community.clubs import events as club_events
    from community.group_runs import events as group_run_events

    run_changed.connect(on_run_changed)
    challenge_events.completed.connect(on_challenge_completed)
    challenge_events.uncompleted.connect(on_history_changed)
    group_run_events.attended.connect(on_history_changed)
    group_run_events.unattended.connect(on_history_changed)
    club_events.membership_ended.connect(on_history_changed)
