"""The data `club_page.py` measures: two clubs of 27 and 2,007 members and a dashboard runner.

The clock is the real one (the pages read `utcnow()`); the schema comes from the
migrations (`challenge_board.build`: on PostgreSQL after DROP SCHEMA public CASCADE). Made:
- runners bulk-loaded (`challenge_board.Loader`, `user_rows`: 3 % hide from leaderboards);
  a site admin made by `register_user`;
- clubs made by `clubs.services.create_club` (public, Europe/London, a home on the map):
  the small club (--small-club, 27 members: owner, one admin), the big club (--big-club,
  2,007: owner, two admins, the dashboard runners among them) and 9 more clubs, each with
  the dashboard runners and 30 of the big club's runners; other memberships bulk-loaded,
  joined over the last two years (those of the last 21 days with their new-member item);
- runs bulk-loaded, ids in time order: each member of the two clubs runs about twice a
  week over the last 17 weeks (a log-normal rate, 15 % idle), 60 % of the active ones once
  more this week (Monday 00:00 London until 3 h ago, so the weekly board is full); each of
  the --dashboard-runners dashboard runners --dashboard-runs runs over the last 730 days;
  85 % public, 10 % members, 5 % private. `challenge_board.run_rows` is not used: its
  window is December 2026 by a fixed clock, mostly in the future of today's;
- past group runs (Tuesdays 18:30, Saturdays 09:00, the last 89 days) of both clubs, made
  through the ORM (scheduling refuses the past), each attended by 4-12 (small) or 25-60
  (big) members, "regulars" more often: each attendance a run at the group run's time, the
  attendance row and its `attended` feed item (as the app links them);
- a `run` feed item for every run, in time order, kudos (1-12) and comments (1-3) from the
  runner's club on 60 % and 15 % of the last 14 days' items, 5 % and 1 % of older ones;
- through the services: upcoming group runs (`schedule_run`, next 14 days: 5 in each of
  the two clubs, with pace groups, capacities and, in the big club, a leader; 2 in each
  other club), RSVPs (`group_runs.services.rsvp`: 8-14 and 40-70 a run, 80 % going, the
  fast group full with a waitlist), each dashboard runner going to two runs of the other
  clubs and asking for the big club's full fast group (going or waitlisted); 3 pinned and
  2 other posts in each of the two clubs (`feed.posts.post`); monthly distance challenges
  of every club and the site (`set_monthly`, `ensure_monthly`) and 9 more running
  challenges (site: time, runs, elevation, longest run, streak; clubs: two club goals,
  time, runs): the dashboard runners enter all 20, 30 % of the big club and 20 of the
  small club their monthly one, half of each other club's members theirs, 50 runners
  each site challenge (`challenges.services.join`);
- then ANALYZE (VACUUM ANALYZE on PostgreSQL), and the app's invariant checker
  (`community.invariants.differences`, what `flask --app app check` runs), printed.
"""

import argparse
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from challenge_board import (
    RUN_COLUMNS,
    USER_COLUMNS,
    ZONE,
    Loader,
    analyse,
    epoch,
    register_organiser,
    user_rows,
)
from feed_page import pick_visibility
from sqlalchemy import func, select

from community import invariants
from community.accounts.models import User
from community.activities.models import Run
from community.activities.progress import week_starts
from community.challenges import services as challenges
from community.challenges.models import Challenge, ChallengeEntry
from community.clubs import services as clubs
from community.clubs.models import Club, Membership
from community.db_types import utcnow
from community.extensions import db
from community.feed import posts
from community.feed.models import Comment, FeedItem, Kudos
from community.group_runs.models import Attendance, GroupRun, PaceGroup, Rsvp, RsvpStatus
from community.group_runs.scheduling import PaceGroupSpec, schedule_run
from community.group_runs.services import rsvp

LONDON = ZoneInfo(ZONE)
HOME = (51.4794, -0.1573)
DAY = 86_400
WEEKS_OF_RUNS, DASHBOARD_DAYS, OTHER_CLUBS, OTHER_MEMBERS = 17, 730, 9, 30
IDLE_SHARE, THIS_WEEK_SHARE = 0.15, 0.60
RUN_TYPES = ("easy", "easy", "easy", "long", "tempo", "intervals", "recovery")
COMMENTS = (
    "Great run!",
    "Nice pace, see you Tuesday.",
    "Strong finish!",
    "Recovery day well earned.",
    "You have to join us on Saturday",
)
POSTS = (
    "Tuesday socials start at the bandstand, 18:30. Head torches from now on, please.",
    "Club kit orders close on Friday: sizes in the shared sheet.",
    "New here? Say hello below and come to a Saturday run, every pace is welcome.",
    "Well done to everyone at the cross-country league on Sunday!",
    "The Thursday track session moves to 19:00 this week.",
)


@dataclass
class Data:
    small_slug: str
    big_slug: str
    small_members: list[int]
    big_viewers: list[int]
    dashboard_runners: list[int]
    timings: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # the invariant checker's findings


@dataclass
class PlannedRun:
    start: int
    user_id: int
    distance: float
    duration: float
    elevation: float | None
    visibility: str
    run_type: str
    title: str
    created: int
    group_run_id: int | None = None  # an attended group run


def local_moment(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=LONDON).astimezone(UTC)


def planned_run(
    rng: random.Random, uid: int, start: int, now_s: int, distance: float | None = None
) -> PlannedRun:
    distance = distance or float(min(42_195, 2_000 + int(rng.gammavariate(3.0, 2_500.0))))
    if start > now_s - 6 * 3600:
        distance = min(distance, 15_000.0)  # over (at most 1 h 45) before now
    duration = float(int(distance * rng.uniform(0.27, 0.42)))
    created = min(start + int(duration) + rng.randrange(60, 3 * 3600), now_s - 60)
    elevation = float(int(distance * rng.random() / 100)) if rng.random() < 0.7 else None
    return PlannedRun(
        start,
        uid,
        distance,
        duration,
        elevation,
        pick_visibility(rng),
        rng.choice(RUN_TYPES),
        "Morning run" if start % DAY < 12 * 3600 else "Evening run",
        created,
    )


def member_runs(
    rng: random.Random, members: list[int], now_s: int, week_start: int
) -> Iterator[PlannedRun]:
    """About twice a week over the last 17 weeks, and once more this week for most."""
    latest = now_s - 3 * 3600  # ended before now, even the longest
    first = now_s - WEEKS_OF_RUNS * 7 * DAY
    for uid in members:
        if rng.random() < IDLE_SHARE:
            continue
        rate = rng.lognormvariate(0.6, 0.5)  # runs a week, median 1.8
        for _ in range(int(rate * WEEKS_OF_RUNS + rng.random())):
            yield planned_run(rng, uid, rng.randrange(first, latest), now_s)
        if latest - week_start > 1800 and rng.random() < THIS_WEEK_SHARE:
            yield planned_run(rng, uid, rng.randrange(week_start, latest), now_s)


def dashboard_runs(
    rng: random.Random, runners: list[int], count: int, now_s: int
) -> Iterator[PlannedRun]:
    latest = now_s - 3 * 3600
    for uid in runners:
        for _ in range(count):
            yield planned_run(rng, uid, rng.randrange(latest - DASHBOARD_DAYS * DAY, latest), now_s)


def ids_of(statement: Any) -> list[int]:
    """Read, then end the transaction: on SQLite it holds the write lock the loader needs."""
    found = list(db.session.scalars(statement))
    db.session.commit()
    return found


MEMBERSHIP_COLUMNS = ("club_id", "user_id", "role", "joined_at")
ATTENDANCE_COLUMNS = ("group_run_id", "user_id", "activity_id", "linked_by", "created_at")
ITEM_COLUMNS = (
    "kind",
    "actor_id",
    "club_id",
    "run_id",
    "group_run_id",
    "attendance_id",
    "title",
    "created_at",
)
KUDOS_COLUMNS = ("item_id", "actor_id", "giver_id", "created_at")
COMMENT_COLUMNS = ("item_id", "author_id", "body", "created_at")


class Builder:
    """The data, step by step, inside the bench app's context; `lap` times each step."""

    def __init__(self, args: argparse.Namespace, now: datetime) -> None:
        self.args, self.now = args, now
        self.now_s = epoch(now)
        self.rng = random.Random(args.seed)
        self.timings: dict[str, float] = {}
        self._started = time.perf_counter()
        self.items: list[tuple] = []  # feed items: (created_at s, kind, actor, club, …)

    def lap(self, name: str) -> None:
        self.timings[name] = time.perf_counter() - self._started
        self._started = time.perf_counter()

    def load(self, table: str, columns: tuple[str, ...], rows: Any) -> None:
        """Bulk rows, after ending the session's transaction: on SQLite, any read the ORM
        made since (an attribute refreshed after a commit) holds the write lock."""
        db.session.commit()
        self.loader.load(table, columns, rows)

    def user(self, uid: int) -> User:
        found = db.session.get(User, uid)
        assert found is not None
        return found

    def populate(self) -> Data:
        args, rng = self.args, self.rng
        organiser = register_organiser()
        db.session.flush()
        self.organiser_id = organiser.id
        self.loader = Loader(db.engine)
        big_only = args.big_club - args.dashboard_runners
        total = args.small_club + big_only + args.dashboard_runners
        self.load("users", USER_COLUMNS, user_rows(self.loader, total, rng))
        ids = ids_of(select(User.id).where(User.username.like("runner%")).order_by(User.id))
        self.small = ids[: args.small_club]
        self.big_only = ids[args.small_club : args.small_club + big_only]
        self.dashboard = ids[args.small_club + big_only :]
        self.big = self.big_only + self.dashboard
        self.lap("users")

        self.clubs_and_members()
        self.lap("clubs and memberships")
        past = self.past_group_runs()
        self.lap("past group runs")
        self.runs_and_attendances(past)
        self.lap("runs and attendances")
        first = self.feed_items()
        self.lap("feed items")
        self.kudos_and_comments(first)
        self.loader.close()
        self.lap("kudos and comments")
        self.upcoming_group_runs()
        db.session.commit()
        self.lap("upcoming group runs and RSVPs")
        self.posts()
        self.challenges()
        db.session.commit()
        self.lap("posts, challenges and entries")
        analyse(db.engine)
        self.lap("analyze")
        problems = [str(d) for d in invariants.differences()]
        db.session.rollback()
        self.lap("invariants")
        big_viewers = rng.sample(self.big_only[3:], min(args.clients, len(self.big_only) - 3))
        return Data(
            self.clubs[0].slug,
            self.clubs[1].slug,
            self.small,
            big_viewers,
            self.dashboard,
            self.timings,
            problems,
        )

    def clubs_and_members(self) -> None:
        args, rng = self.args, self.rng
        owners = [self.small[0], self.big_only[0], *self.big_only[1 : 1 + OTHER_CLUBS]]
        names = [
            (f"members-{args.small_club}", f"Small Harriers ({args.small_club} members)"),
            (f"members-{args.big_club}", f"Big City Runners ({args.big_club} members)"),
            *((f"other-{n}", f"Other Club {n}") for n in range(1, OTHER_CLUBS + 1)),
        ]
        self.clubs: list[Club] = []
        for owner, (slug, name) in zip(owners, names, strict=True):
            club = clubs.create_club(
                self.user(owner),
                name=name,
                slug=slug,
                description="Social runs every Tuesday and Saturday. All paces welcome.",
                city="London",
                timezone=ZONE,
            )
            club.latitude, club.longitude = HOME
            self.clubs.append(club)
        db.session.commit()
        self.admins = {
            self.clubs[0].id: [self.small[1]],
            self.clubs[1].id: [self.big_only[OTHER_CLUBS + 1], self.big_only[OTHER_CLUBS + 2]],
        }
        self.members: dict[int, list[int]] = {
            self.clubs[0].id: self.small,
            self.clubs[1].id: self.big,
        }
        pool = self.big_only[1 + OTHER_CLUBS + 2 :]
        for club, owner in zip(self.clubs[2:], owners[2:], strict=True):
            self.members[club.id] = [owner, *rng.sample(pool, OTHER_MEMBERS), *self.dashboard]
        owner_of = {club.id: owner for club, owner in zip(self.clubs, owners, strict=True)}
        rows = []
        for club_id, member_ids in self.members.items():
            for uid in member_ids:
                if uid == owner_of[club_id]:
                    continue  # create_club made the owner's membership
                joined = rng.randrange(self.now_s - 730 * DAY, self.now_s - 3600)
                role = "admin" if uid in self.admins.get(club_id, ()) else "member"
                rows.append((club_id, uid, role, self.loader.moment(joined)))
                if joined > self.now_s - 21 * DAY:
                    self.items.append((joined, "new_member", uid, club_id, None, None, None, ""))
        self.load("memberships", MEMBERSHIP_COLUMNS, rows)

    def past_group_runs(self) -> list[tuple[GroupRun, list[int]]]:
        """Tuesdays and Saturdays of the last 89 days, with who ran each."""
        rng = self.rng
        made = []
        today = self.now.astimezone(LONDON).date()
        for club, low, high in ((self.clubs[0], 4, 12), (self.clubs[1], 25, 60)):
            members = self.members[club.id]
            regulars = rng.sample(members, max(low, len(members) // 20))
            for back in range(89, 0, -1):
                day = today - timedelta(days=back)
                if day.weekday() not in (1, 5):
                    continue
                tuesday = day.weekday() == 1
                group_run = GroupRun(
                    club_id=club.id,
                    created_by_id=members[0],
                    title="Tuesday social 8K" if tuesday else "Saturday long run",
                    starts_at=local_moment(day, 18, 30) if tuesday else local_moment(day, 9, 0),
                    meeting_point="The bandstand, Battersea Park",
                    latitude=HOME[0],
                    longitude=HOME[1],
                    planned_distance_m=8_000.0 if tuesday else 16_000.0,
                    created_at=local_moment(day - timedelta(days=7), 12, 0),
                )
                group_run.pace_groups = [PaceGroup(name="", position=0)]
                db.session.add(group_run)
                count = rng.randint(low, high)
                often = rng.sample(regulars, min(len(regulars), count * 2 // 3))
                taken = set(often)
                rest = [m for m in members if m not in taken]
                made.append((group_run, often + rng.sample(rest, count - len(often))))
        db.session.commit()
        return made

    def runs_and_attendances(self, past: list[tuple[GroupRun, list[int]]]) -> None:
        rng, now_s = self.rng, self.now_s
        week_start = epoch(week_starts(self.now, LONDON, 1)[0])
        planned = [
            *member_runs(rng, self.small + self.big_only, now_s, week_start),
            *dashboard_runs(rng, self.dashboard, self.args.dashboard_runs, now_s),
        ]
        for group_run, runners in past:
            starts = epoch(group_run.starts_at)
            for uid in runners:
                distance = (group_run.planned_distance_m or 8_000.0) * rng.uniform(0.9, 1.1)
                run = planned_run(rng, uid, starts + rng.randrange(0, 300), now_s, distance)
                run.visibility, run.title, run.group_run_id = (
                    "public",
                    group_run.title,
                    group_run.id,
                )
                planned.append(run)
        planned.sort(key=lambda r: (r.start, r.user_id))
        moment = self.loader.moment
        self.load(
            "runs",
            RUN_COLUMNS,
            (
                (
                    r.user_id,
                    r.title,
                    "",
                    r.run_type,
                    r.visibility,
                    moment(r.start),
                    r.distance,
                    r.duration,
                    r.elevation,
                    "manual",
                    moment(r.created),
                    moment(r.created),
                )
                for r in planned
            ),
        )
        run_ids = ids_of(select(Run.id).order_by(Run.id))
        assert len(run_ids) == len(planned)
        attendances = []
        for run_id, r in zip(run_ids, planned, strict=True):
            self.items.append((r.created, "run", r.user_id, None, run_id, None, None, ""))
            if r.group_run_id is not None:
                attendances.append((r.group_run_id, r.user_id, run_id, "auto", moment(r.created)))
        self.load("attendances", ATTENDANCE_COLUMNS, attendances)
        titles = {g.id: (g.club_id, g.title) for g, _ in past}
        created = {r_id: r.created for r_id, r in zip(run_ids, planned, strict=True)}
        linked = db.session.execute(
            select(
                Attendance.id, Attendance.group_run_id, Attendance.user_id, Attendance.activity_id
            )
        ).all()
        db.session.commit()
        for attendance_id, group_run_id, uid, run_id in linked:
            club_id, title = titles[group_run_id]
            self.items.append(
                (
                    created[run_id],
                    "attended",
                    uid,
                    club_id,
                    None,
                    group_run_id,
                    attendance_id,
                    title,
                )
            )

    def feed_items(self) -> int:
        """Every item in time order (ids too); returns the first id."""
        self.items.sort(key=lambda item: item[0])
        moment = self.loader.moment
        self.load(
            "feed_items",
            ITEM_COLUMNS,
            ((*item[1:], moment(item[0])) for item in self.items),
        )
        first, last, count = db.session.execute(
            select(func.min(FeedItem.id), func.max(FeedItem.id), func.count())
        ).one()
        db.session.commit()
        assert count == len(self.items) and last - first + 1 == count
        return first

    def kudos_and_comments(self, first: int) -> None:
        rng, now_s = self.rng, self.now_s
        small = set(self.small)
        kudos, comments = [], []
        for n, (created, _kind, actor, *_rest) in enumerate(self.items):
            fresh = created > now_s - 14 * DAY
            circle = self.small if actor in small else self.big
            if rng.random() < (0.6 if fresh else 0.05):
                givers = set(rng.sample(circle, rng.randint(1, 12 if fresh else 3))) - {actor}
                for giver in sorted(givers):
                    at = min(created + rng.randrange(60, 7200), now_s - 30)
                    kudos.append((first + n, actor, giver, self.loader.moment(at)))
            if rng.random() < (0.15 if fresh else 0.01):
                for _ in range(rng.randint(1, 3)):
                    at = min(created + rng.randrange(60, 7200), now_s - 30)
                    body = rng.choice(COMMENTS)
                    comments.append((first + n, rng.choice(circle), body, self.loader.moment(at)))
        self.load("kudos", KUDOS_COLUMNS, kudos)
        self.load("comments", COMMENT_COLUMNS, sorted(comments, key=lambda c: c[3]))

    def upcoming_group_runs(self) -> None:
        """The next 14 days' Tuesdays, Thursdays and Saturdays: five runs in each of the two
        clubs, two in the others; RSVPs through the service."""
        rng, now = self.rng, self.now
        today = now.astimezone(LONDON).date()
        days = [today + timedelta(days=d) for d in range(1, 15)]
        plans = [d for d in days if d.weekday() in (1, 3, 5)][:5]
        upcoming: dict[int, list[GroupRun]] = defaultdict(list)
        for club in self.clubs:
            owner = self.user(self.members[club.id][0])
            admins = self.admins.get(club.id, [])
            for day in plans if club in self.clubs[:2] else plans[:2]:
                if club == self.clubs[1]:
                    groups = [
                        PaceGroupSpec("Fast 4:45/km", 12),
                        PaceGroupSpec("Steady 5:30/km", 30, no_drop=True, leader_id=admins[0]),
                        PaceGroupSpec("Easy 6:30/km", None, no_drop=True),
                    ]
                elif club == self.clubs[0]:
                    groups = [PaceGroupSpec("5:30/km", 6), PaceGroupSpec("6:30/km", None)]
                else:
                    groups = None
                upcoming[club.id].append(
                    schedule_run(
                        owner,
                        club,
                        title=f"{day:%A} club run",
                        starts_at=local_moment(day, 9 if day.weekday() == 5 else 18, 30),
                        meeting_point="The bandstand, Battersea Park",
                        latitude=HOME[0],
                        longitude=HOME[1],
                        planned_distance_m=10_000.0,
                        now=now,
                        pace_groups=groups,
                    )
                )
        db.session.flush()
        statuses = (RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.NOT_GOING)
        for club, low, high in ((self.clubs[0], 8, 14), (self.clubs[1], 40, 70)):
            members = self.small if club == self.clubs[0] else self.big_only
            for run in upcoming[club.id]:
                groups = run.pace_groups
                for uid in rng.sample(members[1:], min(len(members) - 1, rng.randint(low, high))):
                    status = rng.choices(statuses, (0.8, 0.15, 0.05))[0]
                    group = rng.choices(groups, (0.4, 0.4, 0.2)[: len(groups)])[0]
                    pace_group_id = group.id if status == RsvpStatus.GOING else None
                    rsvp(self.user(uid), run, status, now=now, pace_group_id=pace_group_id)
        # The dashboard runners: the big club's first run, its fast group (full: most wait),
        # and two runs of their other clubs.
        first = upcoming[self.clubs[1].id][0]
        others = [run for club in self.clubs[2:] for run in upcoming[club.id]]
        for uid in self.dashboard:
            runner = self.user(uid)
            rsvp(runner, first, RsvpStatus.GOING, now=now, pace_group_id=first.pace_groups[0].id)
            for run in rng.sample(others, 2):
                rsvp(runner, run, RsvpStatus.GOING, now=now)

    def posts(self) -> None:
        for club in self.clubs[:2]:
            owner = self.user(self.members[club.id][0])
            for n, body in enumerate(POSTS):
                at = self.now - timedelta(days=10 - 2 * n)
                posts.post(owner, club, body, pinned=n >= 2, now=at)

    def challenges(self) -> None:
        """20 running challenges for the dashboard runners: 10 clubs' and the site's
        monthly ones, 5 more of the site's, 4 more of their clubs'."""
        rng, now = self.rng, self.now
        organiser = self.user(self.organiser_id)
        for club in self.clubs:
            goal = 100_000.0 if club != self.clubs[0] else 60_000.0
            owner = self.user(self.members[club.id][0])
            challenges.set_monthly(owner, club, active=True, goal_m=goal, now=now)
        challenges.ensure_monthly(now)
        today = now.astimezone(LONDON).date()
        site = (
            ("Winter hours", "time", 30 * 3600.0, None),
            ("Run often", "runs", 30.0, None),
            ("Hill season", "elevation", 2_000.0, None),
            ("Longest winter run", "longest_run", None, None),
            ("Three a week", "streak", 6.0, 3),
        )
        for title, kind, goal, per_week in site:
            spec = challenges.ChallengeSpec(
                title,
                kind,
                today - timedelta(days=20),
                today + timedelta(days=40),
                ZONE,
                goal=goal,
                runs_per_week=per_week,
            )
            challenges.create_challenge(organiser, None, spec, now=now)
        extra = (
            ("Together to the moon and back", "club_goal", 2_000_000.0),
            ("Together round the M25", "club_goal", 188_000.0),
            ("Time on feet", "time", None),
            ("Most runs", "runs", None),
        )
        for club, (title, kind, goal) in zip(self.clubs[2:], extra, strict=False):
            spec = challenges.ChallengeSpec(
                title, kind, today - timedelta(days=10), today + timedelta(days=20), ZONE, goal=goal
            )
            challenges.create_challenge(self.user(self.members[club.id][0]), club, spec, now=now)
        db.session.flush()
        running = db.session.scalars(select(Challenge).where(Challenge.ends_at > now)).all()
        for challenge in running:
            if challenge.club_id == self.clubs[0].id:
                entrants = rng.sample(self.small, min(20, len(self.small)))
            elif challenge.club_id == self.clubs[1].id:
                entrants = [
                    *rng.sample(self.big_only, len(self.big_only) * 3 // 10),
                    *self.dashboard,
                ]
            elif challenge.club_id is not None:
                dashboard = set(self.dashboard)
                others = [u for u in self.members[challenge.club_id] if u not in dashboard]
                entrants = [*rng.sample(others, len(others) // 2), *self.dashboard]
            else:
                entrants = [*rng.sample(self.small + self.big_only, 50), *self.dashboard]
            for uid in entrants:
                challenges.join(self.user(uid), challenge, now=now)
            db.session.flush()


def describe(data: Data, label: str) -> dict[str, Any]:
    """Counts of what was built (printed, and kept for --json)."""
    count = db.session.scalar
    now = utcnow()
    members = dict(
        db.session.execute(
            select(Club.slug, func.count())
            .join(Membership, Membership.club_id == Club.id)
            .group_by(Club.slug)
        ).all()
    )
    runner = data.dashboard_runners[0]
    going = dict(
        db.session.execute(
            select(Rsvp.status, func.count())
            .where(Rsvp.user_id.in_(data.dashboard_runners))
            .group_by(Rsvp.status)
        ).all()
    )
    found = {
        "engine": label,
        "users": count(select(func.count()).select_from(User)),
        "clubs": len(members),
        "small club members": members[data.small_slug],
        "big club members": members[data.big_slug],
        "runs": count(select(func.count()).select_from(Run)),
        "feed items": dict(
            db.session.execute(
                select(FeedItem.kind, func.count()).group_by(FeedItem.kind).order_by(FeedItem.kind)
            ).all()
        ),
        "pinned posts": count(select(func.count()).where(FeedItem.pinned.is_(True))),
        "kudos": count(select(func.count()).select_from(Kudos)),
        "comments": count(select(func.count()).select_from(Comment)),
        "group runs upcoming": count(select(func.count()).where(GroupRun.starts_at > now)),
        "group runs past": count(select(func.count()).where(GroupRun.starts_at <= now)),
        "attendances": count(select(func.count()).select_from(Attendance)),
        "rsvps": dict(
            db.session.execute(select(Rsvp.status, func.count()).group_by(Rsvp.status)).all()
        ),
        "running challenges": count(select(func.count()).where(Challenge.ends_at > now)),
        "challenge entries": count(select(func.count()).select_from(ChallengeEntry)),
        "dashboard runners": len(data.dashboard_runners),
        "a dashboard runner's runs": count(select(func.count()).where(Run.user_id == runner)),
        "a dashboard runner's clubs": count(
            select(func.count()).where(Membership.user_id == runner)
        ),
        "a dashboard runner's running challenges": count(
            select(func.count())
            .select_from(ChallengeEntry)
            .join(Challenge, Challenge.id == ChallengeEntry.challenge_id)
            .where(ChallengeEntry.user_id == runner, Challenge.ends_at > now)
        ),
        "dashboard runners' RSVPs": going,
    }
    db.session.rollback()
    return found
