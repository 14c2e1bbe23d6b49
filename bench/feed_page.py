"""The home feed at scale: a runner in 10 clubs, 1,000,000 feed items; target < 50 ms.

    .venv/bin/python bench/feed_page.py --items 100000 --runners 5000 --clubs 100   # quick
    .venv/bin/python bench/feed_page.py --database-url sqlite:////tmp/feed_bench.db
    createdb -h 127.0.0.1 -U postgres runhive_feed_bench   # once; its schema is rebuilt each run
    .venv/bin/python bench/feed_page.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/runhive_feed_bench

The issue's target: "Feed page for a runner in 10 clubs with 1,000,000 feed items in the
database: under 50 ms server time", read here as GET /feed/ p95 < 50 ms, for each viewer
profile below.

Data: the schema from the migrations (`challenge_board.build`: on PostgreSQL after DROP
SCHEMA public CASCADE), rows bulk-loaded through the driver (`challenge_board.Loader`:
executemany on SQLite, COPY on PostgreSQL, so every foreign key and CHECK holds):
- --runners runners (`challenge_board.user_rows`) and --viewers viewers (below);
- --clubs clubs, 30 % private, sizes the quantiles of a log-normal (median 30, sigma 1.35)
  clamped to 3..2,000 members, each club's members a random sample of the runners (the
  first the owner, one or two admins in clubs over 10); a runner is in 1.5 clubs on average;
- follows: each runner follows a few others (exponential, mean 3), all accepted; 0.5 % of
  the runners block someone they do not follow;
- 85 % of --items runs (`challenge_board.run_rows`: 24 November to 31 December 2026, each
  runner's share log-normal, 2 % never run), 85 % public, 10 % "members", 5 % private,
  each with its `run` feed item; the other 15 %: `new_member` items (about half, each for a
  membership that joined in the window) and `challenge_completed` items (30 % of them in a
  club: a challenge of that club, completed by a member; the rest one of two site
  challenges). The challenges are real rows (made by `challenges.services.create_challenge`):
  the page links to each, and GET /feed/ fails (BuildError) on an item with a NULL one.
  Item ids are in time order (created_at increasing);
- kudos and comments: on the newest 10 % of items, 60 % have 1 to 12 kudos and 15 % 1 to 3
  comments (some with an @mention); older items 5 % and 1 %;
- then ANALYZE (VACUUM ANALYZE on PostgreSQL: `challenge_board.analyse`).

Viewers (the runners the target is about), each in exactly 10 clubs and following 20
runners: half "dense", in 10 of the 20 largest clubs (about 8,500 co-members: a page's 21
items are among the newest 150), half "sparse", in 10 of the 60 smallest clubs (about 50
co-members: one item in 800 is theirs, so a newest-first read passes 15,000-20,000 items
for one page). They run like any runner. --reuse measures what an earlier run left.

Measured, for each profile, --calls calls per series after --warmup calls not counted,
viewers taken in turn:
1. Query layer, each call in a fresh session (the time includes taking a pooled connection
   and beginning the transaction): `queries.home(viewer)`; `queries.home(viewer,
   before=DEEP)` with DEEP the id in the middle of the table (about two weeks back);
   `queries.club(club, viewer)` for the viewer's clubs in turn; `queries.profile(runner,
   viewer)` for the runners they follow in turn.
2. The page: GET /feed/ and GET /feed/?before=DEEP with Flask's test client, logged in as
   the viewer (in-process: routing, session, queries, template): the server time. The
   warm-up checks each viewer's page lists the items `queries.home` returns.
Every statement a call sends is recorded (`challenge_board.Recorder`) and sent again
straight through the driver's cursor (`challenge_board.Replayer`): "bare SQL"; "SQL in
call" is the driver's own time inside the call, the rest being Python. Percentiles are
nearest-rank. Then the plan of the slowest home statement per profile (EXPLAIN QUERY PLAN
on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL). The CPU other processes used during
each phase (not this script or PostgreSQL) is printed, since the machine is shared.
"""

import argparse
import math
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from challenge_board import (
    CLOCK,
    RUN_COLUMNS,
    USER_COLUMNS,
    Load,
    Loader,
    Recorder,
    Replayer,
    Series,
    analyse,
    check_reuse,
    code_version,
    engine_label,
    epoch,
    open_data,
    percentile,
    register_organiser,
    run_rows,
    statement_rows,
    table,
    timed_get,
    user_rows,
)
from flask import Flask
from sqlalchemy import func, select

from community.accounts.models import User
from community.activities.models import Run
from community.challenges import services as challenges
from community.challenges.models import Challenge
from community.clubs.models import Club, Membership
from community.extensions import db
from community.feed import queries
from community.feed.models import Comment, FeedItem, Kudos
from community.follows.models import Follow

TARGET_MS = 50.0
PAGE_PATH = "/feed/"
# run_rows' window: 24 November 2026 to CLOCK (31 December, 21:00 UTC).
WINDOW_START = epoch(datetime(2026, 11, 24, tzinfo=UTC))
DECEMBER = epoch(datetime(2026, 12, 1, tzinfo=UTC))
WINDOW_END = epoch(CLOCK)
JOINED_BEFORE = epoch(datetime(2026, 1, 1, tzinfo=UTC))  # memberships without an item
RUN_SHARE = 0.85
VISIBILITY = (("public", 0.85), ("members", 0.10), ("private", 0.05))
PRIVATE_CLUBS = 0.30
CLUB_MEDIAN, CLUB_SIGMA, CLUB_MIN, CLUB_MAX = 30, 1.35, 3, 2000
FOLLOWS_MEAN, BLOCKING_SHARE = 3.0, 0.005
CLUBS_PER_VIEWER, VIEWER_FOLLOWS = 10, 20
DENSE_FROM, SPARSE_FROM = 20, 60  # the largest / smallest clubs viewers pick from
CLUB_CHALLENGE_SHARE = 0.30
RECENT_SHARE = 0.10  # newest items, with most of the kudos and comments
PROFILES = ("dense", "sparse")
COMMENTS = (
    "Great run!",
    "Nice pace, see you Saturday.",
    "Strong finish @{name}!",
    "Recovery day well earned.",
    "@{name} you have to join us next time",
)


# --- data ------------------------------------------------------------------------------


@dataclass
class Viewer:
    id: int
    profile: str
    clubs: list[int]
    follows: list[int]


@dataclass
class Data:
    viewers: list[Viewer]
    first_item: int
    last_item: int
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def deep(self) -> int:
        """The `before=` cursor: the item in the middle of the table (ids in time order)."""
        return (self.first_item + self.last_item) // 2


def club_sizes(count: int, runners: int, rng: random.Random) -> list[int]:
    """Log-normal quantiles (a reproducible skew), clamped, in random order."""
    normal = statistics.NormalDist()
    sizes = [
        max(
            CLUB_MIN,
            min(
                CLUB_MAX,
                runners,
                round(CLUB_MEDIAN * math.exp(CLUB_SIGMA * normal.inv_cdf((n + 0.5) / count))),
            ),
        )
        for n in range(count)
    ]
    rng.shuffle(sizes)
    return sizes


def viewer_rows(loader: Loader, count: int, rng: random.Random) -> Iterator[tuple]:
    """user_rows' runners, renamed dense0, sparse0, dense1, …"""
    for n, row in enumerate(user_rows(loader, count, rng)):
        name = f"{PROFILES[n % 2]}{n // 2}"
        yield (name, f"{name}@example.com", f"{PROFILES[n % 2].title()} viewer {n // 2}", *row[3:])


def club_rows(loader: Loader, count: int, rng: random.Random) -> Iterator[tuple]:
    created = loader.moment(epoch(datetime(2025, 6, 1, tzinfo=UTC)))
    for n in range(count):
        visibility = "private" if rng.random() < PRIVATE_CLUBS else "public"
        yield (f"club-{n}", f"Club {n}", "", "", "Europe/London", visibility, created)


CLUB_COLUMNS = ("slug", "name", "description", "city", "timezone", "visibility", "created_at")
MEMBERSHIP_COLUMNS = ("club_id", "user_id", "role", "joined_at")
FOLLOW_COLUMNS = ("follower_id", "followee_id", "status", "created_at", "accepted_at")
BLOCK_COLUMNS = ("blocker_id", "blocked_id", "created_at")
ITEM_COLUMNS = ("kind", "actor_id", "club_id", "run_id", "challenge_id", "title", "created_at")
KUDOS_COLUMNS = ("item_id", "actor_id", "giver_id", "created_at")  # the item's runner too
COMMENT_COLUMNS = ("item_id", "author_id", "body", "created_at")


def pick_visibility(rng: random.Random) -> str:
    draw = rng.random()
    for visibility, share in VISIBILITY:
        if draw < share:
            return visibility
        draw -= share
    return VISIBILITY[0][0]


def with_visibility(
    rows: Iterable[tuple], rng: random.Random, kept: list[tuple[int, str]]
) -> Iterator[tuple]:
    """run_rows' runs with a drawn visibility; keeps (runner, created_at text) of each."""
    for row in rows:
        kept.append((row[0], row[10]))
        yield (*row[:4], pick_visibility(rng), *row[5:])


def ids_of(statement: Any) -> list[int]:
    """Read, then end the transaction: on SQLite it holds the write lock the loader needs."""
    found = list(db.session.scalars(statement))
    db.session.commit()
    return found


def populate(app: Flask, args: argparse.Namespace) -> Data:
    rng = random.Random(args.seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        timings[name] = time.perf_counter() - started
        started = time.perf_counter()

    with app.app_context():
        organiser = register_organiser()
        db.session.commit()
        loader = Loader(db.engine)
        loader.load("users", USER_COLUMNS, user_rows(loader, args.runners, rng))
        loader.load("users", USER_COLUMNS, viewer_rows(loader, args.viewers, rng))
        runners = ids_of(select(User.id).where(User.username.like("runner%")).order_by(User.id))
        named = db.session.execute(
            select(User.id, User.username)
            .where(User.username.like("dense%"))
            .union_all(select(User.id, User.username).where(User.username.like("sparse%")))
        ).all()
        db.session.commit()
        viewer_ids = [uid for uid, _ in sorted(named)]
        profile_of = {uid: name.rstrip("0123456789") for uid, name in named}
        everyone = runners + viewer_ids
        lap("users")

        loader.load("clubs", CLUB_COLUMNS, club_rows(loader, args.clubs, rng))
        clubs = ids_of(select(Club.id).where(Club.slug.like("club-%")).order_by(Club.id))
        sizes = dict(zip(clubs, club_sizes(len(clubs), len(runners), rng), strict=True))
        members: dict[int, list[int]] = {}
        for club_id, size in sizes.items():
            members[club_id] = rng.sample(runners, size)
        by_size = sorted(clubs, key=lambda c: (-sizes[c], c))
        viewers = []
        for uid in viewer_ids:
            profile = profile_of[uid]
            pool = by_size[:DENSE_FROM] if profile == "dense" else by_size[-SPARSE_FROM:]
            chosen = rng.sample(pool, CLUBS_PER_VIEWER)
            for club_id in chosen:
                members[club_id].append(uid)
            follows = rng.sample(runners, VIEWER_FOLLOWS)
            viewers.append(Viewer(uid, profile, sorted(chosen), follows))
        # (club, runner, place): the first member owns the club, the next one or two admin it.
        pairs = [
            (club_id, uid, place)
            for club_id, ids in members.items()
            for place, uid in enumerate(ids)
        ]
        owners = {club_id: ids[0] for club_id, ids in members.items()}
        runs = round(args.items * RUN_SHARE)
        others = args.items - runs
        new_members = min(others // 2, len(pairs) * 4 // 5)
        joining = set(rng.sample(range(len(pairs)), new_members))
        events: list[tuple] = []  # (created_at text, kind, actor, club, run, challenge, title)

        def membership_rows() -> Iterator[tuple]:
            for n, (club_id, uid, place) in enumerate(pairs):
                admin = 1 <= place <= (2 if sizes[club_id] > 10 else 1)
                role = "owner" if place == 0 else "admin" if admin else "member"
                if n in joining:
                    joined = loader.moment(rng.randrange(WINDOW_START, WINDOW_END))
                    events.append((joined, "new_member", uid, club_id, None, None, ""))
                else:
                    joined = loader.moment(rng.randrange(JOINED_BEFORE, WINDOW_START))
                yield (club_id, uid, role, joined)

        loader.load("memberships", MEMBERSHIP_COLUMNS, membership_rows())
        lap("clubs and memberships")

        followed: set[tuple[int, int]] = set()
        for uid in runners:
            for _ in range(min(len(runners) - 1, int(rng.expovariate(1 / FOLLOWS_MEAN)))):
                other = rng.choice(runners)
                if other != uid:
                    followed.add((uid, other))
        followed.update((viewer.id, other) for viewer in viewers for other in viewer.follows)
        since = loader.moment(JOINED_BEFORE)
        loader.load(
            "follows",
            FOLLOW_COLUMNS,
            ((a, b, "accepted", since, since) for a, b in sorted(followed)),
        )
        blocks = set()
        for uid in rng.sample(runners, round(len(runners) * BLOCKING_SHARE)):
            other = rng.choice(runners)
            if other != uid and not {(uid, other), (other, uid)} & followed:
                blocks.add((uid, other))
        loader.load("blocks", BLOCK_COLUMNS, ((a, b, since) for a, b in sorted(blocks)))
        lap("follows and blocks")

        # Challenges are rows: the page links each completion to its challenge.
        opened = datetime(2026, 11, 1, tzinfo=UTC)
        site = {}
        for month, (first, last) in {
            "November": (date(2026, 11, 1), date(2026, 11, 30)),
            "December": (date(2026, 12, 1), date(2026, 12, 31)),
        }.items():
            spec = challenges.ChallengeSpec(
                f"{month} 100 km", "distance", first, last, "Europe/London", goal=100_000.0
            )
            site[month] = challenges.create_challenge(organiser, None, spec, now=opened)
        club_challenge: dict[int, Challenge] = {}
        completions = others - new_members
        for _ in range(completions):
            moment = rng.randrange(WINDOW_START, WINDOW_END)
            if moment >= DECEMBER and rng.random() < CLUB_CHALLENGE_SHARE:
                club_id, uid, _ = rng.choice(pairs)
                if club_id not in club_challenge:
                    spec = challenges.ChallengeSpec(
                        f"Club {club_id}: December 150 km",
                        "distance",
                        date(2026, 12, 1),
                        date(2026, 12, 31),
                        "Europe/London",
                        goal=150_000.0,
                    )
                    owner = db.session.get(User, owners[club_id])
                    club = db.session.get(Club, club_id)
                    made = challenges.create_challenge(owner, club, spec, now=opened)
                    club_challenge[club_id] = made
                challenge = club_challenge[club_id]
            else:
                club_id, uid = None, rng.choice(everyone)
                challenge = site["November" if moment < DECEMBER else "December"]
            events.append(
                (
                    loader.moment(moment),
                    "challenge_completed",
                    uid,
                    club_id,
                    None,
                    challenge.id,
                    challenge.title,
                )
            )
        db.session.commit()
        lap("challenges")

        kept: list[tuple[int, str]] = []
        loader.load(
            "runs", RUN_COLUMNS, with_visibility(run_rows(loader, everyone, runs, rng), rng, kept)
        )
        run_ids = ids_of(select(Run.id).order_by(Run.id))
        assert len(run_ids) == len(kept) == runs
        events += [
            (created, "run", uid, None, run_id, None, "")
            for run_id, (uid, created) in zip(run_ids, kept, strict=True)
        ]
        del kept, run_ids
        lap("runs")

        events.sort(key=lambda e: e[0])  # stable: ids in time order
        loader.load("feed_items", ITEM_COLUMNS, ((e[1], *e[2:], e[0]) for e in events))
        first, last, count = db.session.execute(
            select(func.min(FeedItem.id), func.max(FeedItem.id), func.count())
        ).one()
        db.session.commit()
        assert count == len(events) == args.items and last - first + 1 == count
        lap("feed items")

        kudos: list[tuple] = []
        comments: list[tuple] = []
        recent = len(events) - round(len(events) * RECENT_SHARE)
        for n, (created, _kind, actor, *_rest) in enumerate(events):
            fresh = n >= recent
            if rng.random() < (0.6 if fresh else 0.05):
                moment = datetime.fromisoformat(created[:19]).replace(tzinfo=UTC)
                base = epoch(moment)
                givers = {rng.choice(everyone) for _ in range(rng.randint(1, 12 if fresh else 3))}
                for giver in sorted(givers - {actor}):
                    kudos.append(
                        (first + n, actor, giver, loader.moment(base + rng.randrange(60, 7200)))
                    )
            if rng.random() < (0.15 if fresh else 0.01):
                base = epoch(datetime.fromisoformat(created[:19]).replace(tzinfo=UTC))
                for _ in range(rng.randint(1, 3)):
                    body = rng.choice(COMMENTS).format(name=f"runner{rng.randrange(len(runners))}")
                    moment = loader.moment(base + rng.randrange(60, 7200))
                    comments.append((first + n, rng.choice(everyone), body, moment))
        loader.load("kudos", KUDOS_COLUMNS, kudos)
        loader.load("comments", COMMENT_COLUMNS, sorted(comments, key=lambda c: c[3]))
        loader.close()
        lap("kudos and comments")
        analyse(db.engine)
        lap("analyze")
        db.session.remove()
    return Data(viewers, first, last, timings)


def existing_data(app: Flask) -> Data:
    """What an earlier run left in the database (--reuse)."""
    with app.app_context():
        viewers = []
        for profile in PROFILES:
            for uid in ids_of(
                select(User.id).where(User.username.like(f"{profile}%")).order_by(User.id)
            ):
                clubs = ids_of(
                    select(Membership.club_id)
                    .where(Membership.user_id == uid)
                    .order_by(Membership.club_id)
                )
                follows = ids_of(
                    select(Follow.followee_id)
                    .where(Follow.follower_id == uid)
                    .order_by(Follow.followee_id)
                )
                viewers.append(Viewer(uid, profile, clubs, follows))
        first, last = db.session.execute(select(func.min(FeedItem.id), func.max(FeedItem.id))).one()
        db.session.remove()
    assert viewers and first is not None, "nothing to reuse: run once without --reuse"
    return Data(sorted(viewers, key=lambda v: v.id), first, last)


def describe_data(label: str, data: Data) -> None:
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in data.timings.items())
    total = sum(data.timings.values())
    made = f"generated in {total:.1f} s ({timings})" if timings else "reused"
    count = db.session.scalar
    sizes = sorted(
        db.session.scalars(
            select(func.count()).select_from(Membership).group_by(Membership.club_id)
        )
    )
    private = count(select(func.count()).where(Club.visibility == "private"))
    print(f"{label}: {made}")
    print(
        f"  {count(select(func.count()).select_from(User)):,} users,"
        f" {len(sizes):,} clubs ({private:,} private; members min {sizes[0]},"
        f" median {statistics.median(sizes):.0f}, p99 {percentile(sizes, 0.99)}, max {sizes[-1]}),"
        f" {sum(sizes):,} memberships, {count(select(func.count()).select_from(Follow)):,}"
        " follows"
    )
    kinds = db.session.execute(
        select(FeedItem.kind, func.count()).group_by(FeedItem.kind).order_by(FeedItem.kind)
    ).all()
    visibility = db.session.execute(
        select(Run.visibility, func.count()).group_by(Run.visibility).order_by(Run.visibility)
    ).all()
    print(
        f"  feed items {data.first_item:,}..{data.last_item:,}: "
        + ", ".join(f"{kind} {n:,}" for kind, n in kinds)
        + "; runs: "
        + ", ".join(f"{v} {n:,}" for v, n in visibility)
        + f"; kudos {count(select(func.count()).select_from(Kudos)):,},"
        f" comments {count(select(func.count()).select_from(Comment)):,}"
    )
    for profile in PROFILES:
        group = [v for v in data.viewers if v.profile == profile]
        clubs = {c for v in group for c in v.clubs}
        club_sizes = sorted(
            db.session.scalars(
                select(func.count())
                .where(Membership.club_id.in_(clubs))
                .group_by(Membership.club_id)
            )
        )
        print(
            f"  {len(group)} {profile} viewers, each in {len(group[0].clubs)} clubs (of"
            f" {club_sizes[0]}-{club_sizes[-1]} members) and following"
            f" {len(group[0].follows)} runners"
        )


# --- measuring -------------------------------------------------------------------------


def is_feed_statement(statement: str) -> bool:
    """The one statement that picks a page of items (the others load what they show)."""
    return "FROM feed_items" in statement and "ORDER BY feed_items.id DESC" in statement


@dataclass
class FeedSeries(Series):
    """A Series that also keeps its slowest feed statement, by its bare SQL time."""

    slowest_feed: tuple[float, str, Any] = (0.0, "", None)

    def add(
        self, ms: float, recorded: list[tuple[str, Any]], bare: list[float], in_call: float
    ) -> None:
        super().add(ms, recorded, bare, in_call)
        for (statement, parameters), took in zip(recorded, bare, strict=True):
            if is_feed_statement(statement) and took > self.slowest_feed[0]:
                self.slowest_feed = (took, statement, parameters)


def in_turn(viewers: list[Viewer], count: int) -> Iterator[tuple[int, Viewer]]:
    for n in range(count):
        yield n, viewers[n % len(viewers)]


def measure_queries(
    app: Flask,
    name: str,
    call: Callable[[Viewer, int], queries.Page],  # (viewer, round): the n-th call for them
    viewers: list[Viewer],
    args: argparse.Namespace,
    recorder: Recorder,
    before: int | None = None,
) -> tuple[Series, list[int]]:
    """One feed query for each viewer in turn, each in a fresh session. Also returns, per
    call, how far back the page reaches: the items from `before` (or the newest) to its last."""
    series = FeedSeries(name)
    depths = []
    with app.app_context():
        start = before or db.session.scalar(select(func.max(FeedItem.id))) + 1
        db.session.remove()
        replayer = Replayer(db.engine)
        for n, viewer in in_turn(viewers, args.warmup + args.calls):
            with recorder.recording() as recorded:
                started = time.perf_counter()
                page = call(viewer, n // len(viewers))
                took = (time.perf_counter() - started) * 1000
            in_call = sum(recorder.driver_ms)
            db.session.remove()
            bare = replayer.run(recorded)
            if n >= args.warmup:
                series.add(took, recorded, bare, in_call)
                if page.items:
                    depths.append(start - page.items[-1].id)
        replayer.close()
    return series, depths


ITEM_ID = re.compile(r'data-item-id="(\d+)"')


def measure_page(
    app: Flask,
    path: str,
    viewers: list[Viewer],
    args: argparse.Namespace,
    recorder: Recorder,
    expected: Callable[[Viewer], list[int]],
) -> Series:
    """GET `path` in-process (routing, session, queries, template) as each viewer."""
    series = FeedSeries(f"GET {path}")
    client = app.test_client()
    with app.app_context():
        replayer = Replayer(db.engine)
    checked = set()
    for n, viewer in in_turn(viewers, args.warmup + args.calls):
        call = timed_get(client, path, viewer.id, recorder)
        response, took, recorded, in_call = (
            call.response,
            call.ms,
            call.statements,
            sum(call.driver_ms),
        )
        assert response.status_code == 200, (path, viewer.id, response.status_code)
        if viewer.id not in checked:
            shown = [int(i) for i in ITEM_ID.findall(response.get_data(as_text=True))]
            assert shown == expected(viewer), f"{path} for {viewer.id}: not the query's items"
            checked.add(viewer.id)
        with app.app_context():
            bare = replayer.run(recorded)
        if n >= args.warmup:
            series.add(took, recorded, bare, in_call)
    with app.app_context():
        replayer.close()
    return series


def page_ids(app: Flask, viewer: Viewer, before: int | None) -> list[int]:
    with app.app_context():
        ids = [item.id for item in queries.home(viewer.id, before).items]
        db.session.remove()
    return ids


@dataclass
class Measured:
    series: dict[tuple[str, str], FeedSeries] = field(default_factory=dict)
    depths: dict[tuple[str, str], list[int]] = field(default_factory=dict)


def measure(
    app: Flask, data: Data, args: argparse.Namespace, recorder: Recorder, skip: set[str]
) -> Measured:
    found = Measured()
    deep = data.deep
    calls: dict[str, Callable[[Viewer, int], queries.Page]] = {
        "home": lambda v, _n: queries.home(v.id),
        "home, before=deep": lambda v, _n: queries.home(v.id, deep),
        "club": lambda v, n: queries.club(v.clubs[n % len(v.clubs)], v.id),
        "profile": lambda v, n: queries.profile(v.follows[n % len(v.follows)], v.id),
    }
    for profile in PROFILES:
        group = [v for v in data.viewers if v.profile == profile]
        if "queries" not in skip:
            with args.load.phase(f"query layer, {profile}"):
                for name, call in calls.items():
                    start = deep if "before" in name else None
                    series, depths = measure_queries(app, name, call, group, args, recorder, start)
                    found.series[(f"query layer, {name}", profile)] = series
                    found.depths[(name, profile)] = depths
        if "page" not in skip:
            with args.load.phase(f"page, {profile}"):
                for path, before in ((PAGE_PATH, None), (f"{PAGE_PATH}?before={deep}", deep)):
                    found.series[(f"page, GET {path}", profile)] = measure_page(
                        app,
                        path,
                        group,
                        args,
                        recorder,
                        lambda v, b=before: page_ids(app, v, b),
                    )
    return found


# --- report ----------------------------------------------------------------------------


def report(found: Measured, label: str, args: argparse.Namespace) -> None:
    header = (
        "measured",
        "viewers",
        "engine",
        "calls",
        "p50 ms",
        "p95 ms",
        "max ms",
        "bare SQL p50 / p95 ms",
        "SQL in call p50 ms",
        "statements",
    )
    rows = []
    for (name, profile), series in found.series.items():
        rows.append(
            (
                name,
                profile,
                label,
                str(len(series.ms)),
                f"{statistics.median(series.ms):.2f}",
                f"{percentile(series.ms, 0.95):.2f}",
                f"{max(series.ms):.2f}",
                f"{statistics.median(series.bare_ms):.2f} / {percentile(series.bare_ms, 0.95):.2f}",
                f"{statistics.median(series.in_call_ms):.2f}",
                "-".join(dict.fromkeys(map(str, (min(series.statements), max(series.statements))))),
            )
        )
    rows.sort(key=lambda r: (not r[0].startswith("page"), r[0], r[1]))
    table(header, rows)
    if found.depths:
        print(
            "\nhow far back a page reaches: items from the newest (or the cursor) to the"
            " page's last (query layer, p50 / max)"
        )
        for (name, profile), depths in found.depths.items():
            if depths:
                print(
                    f"  {name}, {profile}: {statistics.median(depths):,.0f} / {max(depths):,} items"
                )
    for (name, profile), series in found.series.items():
        if args.statements or name == f"page, GET {PAGE_PATH}":
            print(f"\n{name}, {profile}: bare SQL per statement (position in the call)")
            table(("#", "calls", "p50 ms", "p95 ms", "share", "SQL"), statement_rows(series))
    replayer = Replayer(db.engine)
    for profile in PROFILES:
        homes = [
            series
            for (name, p), series in found.series.items()
            if p == profile and ("home" in name or PAGE_PATH in name)
        ]
        if not homes:
            continue
        slowest = max(homes, key=lambda s: s.slowest_feed[0])
        took, statement, parameters = slowest.slowest_feed
        print(
            f"\nslowest home statement, {profile} viewers: in {slowest.name},"
            f" {took:.1f} ms through the driver (parameters {parameters}):"
        )
        print("  " + re.sub(r"\s+", " ", statement))
        again = replayer.run([(statement, parameters)])[0]
        print(f"  sent again: {again:.1f} ms; its plan:")
        for line in replayer.explain(statement, parameters):
            print(f"    {line}")
    replayer.close()


def targets(found: Measured) -> None:
    print(f"\ntarget: the feed page under {TARGET_MS:.0f} ms server time (p95)")
    for (name, profile), series in found.series.items():
        if name.startswith("page"):
            p95 = percentile(series.ms, 0.95)
            mark = "met" if p95 < TARGET_MS else "MISSED"
            print(
                f"  {name}, {profile} viewers: p50 {statistics.median(series.ms):.1f} ms,"
                f" p95 {p95:.1f} ms, max {max(series.ms):.1f} ms: {mark}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--items", type=int, default=1_000_000, help="feed items in all")
    parser.add_argument("--runners", type=int, default=50_000)
    parser.add_argument("--clubs", type=int, default=1_000)
    parser.add_argument("--viewers", type=int, default=30, help="half dense, half sparse")
    parser.add_argument("--calls", type=int, default=90, help="per series and viewer profile")
    parser.add_argument("--warmup", type=int, default=15, help="calls not counted, per series")
    parser.add_argument("--reuse", action="store_true", help="measure the data a run left there")
    parser.add_argument("--skip", default="", help="comma-separated: queries,page")
    parser.add_argument("--statements", action="store_true", help="per statement, every series")
    parser.add_argument("--quiet", type=float, default=0, help="wait up to N s for idle CPU")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if args.runners < 200 or args.clubs < DENSE_FROM + SPARSE_FROM or args.viewers < 2:
        parser.error(f"use at least 200 runners, {DENSE_FROM + SPARSE_FROM} clubs, 2 viewers")
    if args.items < 1000:
        parser.error("use at least 1,000 items")
    check_reuse(parser, args)
    skip = set(filter(None, args.skip.split(",")))
    args.load = Load(args.quiet)
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC, load average"
        f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}; code: {code_version()}"
    )
    with tempfile.TemporaryDirectory() as folder:
        app, data = open_data(
            args, Path(folder), "feed.db", existing_data, lambda app: populate(app, args)
        )
        with app.app_context():
            label = engine_label()
            describe_data(label, data)
            print(f"  before=deep is before={data.deep}")
            recorder = Recorder(db.engine)
            db.session.remove()
        print(f"  load average before measuring: {os.getloadavg()[0]:.2f}")
        found = measure(app, data, args, recorder, skip)
        with app.app_context():
            report(found, label, args)
        targets(found)
        print(f"\nload average after measuring: {os.getloadavg()[0]:.2f}")
        args.load.print_phases("this script or PostgreSQL")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
