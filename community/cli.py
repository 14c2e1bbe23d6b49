"""Command-line tasks: `flask seed-demo`, `flask check` and the features' periodic work."""

import random
import signal
import threading
from datetime import datetime, timedelta
from io import BytesIO

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from community import invariants
from community.accounts import avatars
from community.accounts import services as accounts
from community.accounts.models import User
from community.activities.demo import loop_route, seed_runs
from community.challenges import services as challenges
from community.challenges import tally
from community.challenges.models import Challenge
from community.clubs import images as club_images
from community.clubs import services as clubs
from community.clubs.models import Club, Membership, Role
from community.db_types import utcnow
from community.extensions import db
from community.feed import posts
from community.feed import services as feed
from community.feed.models import FeedItem, Kudos
from community.follows import services as follows
from community.goals.demo import seed_goals
from community.group_runs.models import GroupRun, RsvpStatus
from community.group_runs.scheduling import PaceGroupSpec, schedule_run
from community.group_runs.series import extend_all
from community.group_runs.services import rsvp
from community.images import demo as pictures
from community.jobs import periodic
from community.jobs import queue as jobs
from community.milestones import services as milestones
from community.reflections.demo import seed_reflections

# Demo accounts are public by design; README lists this password.
DEMO_PASSWORD = "runhive-demo-2026"  # noqa: S105

DEMO_RUNNERS = [
    ("ana", "Ana Moreno", "Europe/Madrid", "km", "Marathoner chasing a sub-3:30 in spring."),
    ("ben", "Ben Okafor", "Europe/London", "mi", "Parkrun regular. Slow and steady."),
    ("chloe", "Chloé Martin", "Europe/Paris", "km", "Back from a knee injury, one km at a time."),
    ("dev", "Dev Patel", "America/New_York", "mi", "Trail runner; hills are my happy place."),
    ("emma", "Emma Larsen", "Europe/Oslo", "km", "New to running: couch to 5K in progress."),
]


DEMO_CLUBS = [
    {
        "slug": "riverside-runners",
        "name": "Riverside Runners",
        "city": "London",
        "home": (51.4794, -0.1573),  # Battersea Park
        "timezone": "Europe/London",
        "visibility": "public",
        "description": "Social runs along the river every Tuesday and Saturday. All paces welcome.",
        "owner": "ana",
        "admins": ["ben"],
        "members": ["chloe", "dev"],
    },
    {
        "slug": "dawn-patrol",
        "name": "Dawn Patrol",
        "city": "Oslo",
        "home": (59.9246, 10.7097),  # Frogner Park
        "timezone": "Europe/Oslo",
        "visibility": "private",
        "description": "Early birds: 6 am tempo runs before work. Ask Ben for an invite.",
        "owner": "ben",
        "admins": [],
        "members": ["ana", "emma"],
    },
]


def _user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"demo runner {username!r} is missing")
    return user


def seed_demo_clubs() -> list[str]:
    """Create the demo clubs that are missing, with their members; returns the slugs created."""
    created = []
    for spec in DEMO_CLUBS:
        if db.session.scalar(select(Club.id).where(Club.slug == spec["slug"])):
            continue
        club = clubs.create_club(
            _user(spec["owner"]),
            name=spec["name"],
            slug=spec["slug"],
            description=spec["description"],
            city=spec["city"],
            timezone=spec["timezone"],
            visibility=spec["visibility"],
        )
        club.latitude, club.longitude = spec["home"]
        for username in [*spec["admins"], *spec["members"]]:
            db.session.add(Membership(club_id=club.id, user_id=_user(username).id))
        db.session.flush()
        for username in spec["admins"]:
            clubs.set_role(_user(spec["owner"]), club, _user(username).id, Role.ADMIN)
        created.append(club.slug)
    return created


def seed_demo_group_runs(now: datetime) -> int:
    """Upcoming group runs in the demo clubs (only for clubs that have none yet)."""
    created = 0
    plans = {
        "riverside-runners": (
            "Tuesday social 5K",
            2,
            "The bandstand, Battersea Park",
            (51.4794, -0.1573),
            None,
            [
                PaceGroupSpec("5:00/km", 2),  # full, with a waitlist
                PaceGroupSpec("6:00/km", 15, no_drop=True),
                PaceGroupSpec("Walk-run", None, no_drop=True),
            ],
        ),
        "dawn-patrol": (
            "Tempo at dawn",
            3,
            "Frogner Park main gate",
            (59.9246, 10.7097),
            4,
            None,
        ),
    }
    for slug, (title, days, place, (lat, lon), capacity, groups) in plans.items():
        club = db.session.scalar(select(Club).where(Club.slug == slug))
        if club is None or db.session.scalar(
            select(GroupRun.id).where(GroupRun.club_id == club.id)
        ):
            continue
        owner = db.session.scalar(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.club_id == club.id, Membership.role == "owner")
        )
        local = (now + timedelta(days=days)).astimezone(club.zone)
        starts = local.replace(hour=18 if days == 2 else 6, minute=30, second=0, microsecond=0)
        run = schedule_run(
            owner,
            club,
            title=title,
            starts_at=starts,
            meeting_point=place,
            latitude=lat,
            longitude=lon,
            # A 5 km loop from the meeting point, as if drawn from a GPX file.
            route=loop_route((lat, lon), 5),
            now=now,
            capacity=capacity,
            pace_groups=groups,
            description="Everyone welcome. We wait at every turn.",
        )
        db.session.flush()
        for username, group in DEMO_RSVPS[slug]:
            pace_group = run.pace_groups[group]
            rsvp(_user(username), run, RsvpStatus.GOING, now=now, pace_group_id=pace_group.id)
        created += 1
    return created


# Who says they are coming, in arrival order, and to which pace group (by position): on the
# Tuesday social the 5:00/km group is full and Ben waits for a place.
DEMO_RSVPS = {
    "riverside-runners": [("ana", 0), ("dev", 0), ("ben", 0), ("chloe", 1)],
    "dawn-patrol": [("emma", 0), ("ana", 0)],
}


def seed_demo() -> list[str]:
    """Create the demo runners that are missing; returns the usernames created."""
    created = []
    for username, name, zone, units, bio in DEMO_RUNNERS:
        if db.session.scalar(select(User.id).where(User.username == username)):
            continue
        user = accounts.register_user(
            username=username,
            email=f"{username}@demo.runhive.example.com",
            display_name=name,
            password=DEMO_PASSWORD,
        )
        accounts.update_settings(
            user,
            display_name=name,
            bio=bio,
            units=units,
            timezone=zone,
            default_visibility="public",
        )
        created.append(username)
    return created


def seed_demo_challenges(now: datetime) -> int:
    """Monthly challenges (the site's and Riverside's) with every demo runner entered."""
    ana = _user("ana")
    ana.is_site_admin = True
    riverside = db.session.scalar(select(Club).where(Club.slug == "riverside-runners"))
    if riverside is not None and challenges.monthly_series_of(riverside.id) is None:
        challenges.set_monthly(ana, riverside, active=True, goal_m=80_000.0, now=now)
    challenges.ensure_monthly(now)
    entered = 0
    for challenge in db.session.scalars(select(Challenge).where(Challenge.ends_at > now)).all():
        for username, *_ in DEMO_RUNNERS:
            runner = _user(username)
            if challenges.can_enter(runner, challenge) and not challenges.entry_of(
                challenge.id, runner.id
            ):
                challenges.join(runner, challenge, now=now)
                entered += 1
    return entered


DEMO_FOLLOWS = [("emma", "ana"), ("chloe", "ben"), ("dev", "ana"), ("ana", "chloe")]
DEMO_CHEERS = [
    "Lovely pace!",
    "That knee is holding up, then? Brilliant.",
    "Next week: hills. You know you want to.",
    "Strong finish 💪",
    "See you on Tuesday!",
    "Long run done before breakfast, respect.",
]


def seed_demo_social(now: datetime) -> int:
    """Follows, a pinned welcome post, and kudos and comments on the recent runs, each some
    minutes after the run was shared (once: only on a feed without kudos); returns the
    kudos given."""
    if db.session.scalar(select(Kudos.id).limit(1)) is not None:
        return 0
    for follower, followee in DEMO_FOLLOWS:
        follows.follow(_user(follower), _user(followee), now=now)
    riverside = db.session.scalar(select(Club).where(Club.slug == "riverside-runners"))
    if riverside is not None:
        posts.post(
            _user("ana"),
            riverside,
            "Welcome to Riverside Runners! Tuesday socials start at the bandstand, 18:30. "
            "New here? Say hello below.",
            pinned=True,
            now=now - timedelta(days=3),
        )
    rng = random.Random(2026)  # noqa: S311 (demo data, the same every time)
    givers = [username for username, *_ in DEMO_RUNNERS]
    given = 0
    recent = db.session.scalars(
        select(FeedItem).where(FeedItem.kind == "run").order_by(FeedItem.id.desc()).limit(24)
    ).all()
    for number, item in enumerate(recent):
        others = [name for name in givers if name != item.actor.username]
        at = item.created_at
        for giver in rng.sample(others, rng.randint(1, 3)):
            at = min(at + timedelta(minutes=rng.randint(5, 180)), now)
            given += feed.give_kudos(_user(giver), item.id, now=at)
        if number % 3 == 0:
            at = min(at + timedelta(minutes=rng.randint(5, 120)), now)
            feed.add_comment(_user(rng.choice(others)), item.id, DEMO_CHEERS[number % 6], now=at)
    return given


def seed_demo_faces() -> int:
    """A drawn face for each demo runner and a banner for each demo club that has none,
    uploaded as anyone's would be; returns how many pictures were added."""
    added = 0
    for number, (username, *_) in enumerate(DEMO_RUNNERS):
        runner = _user(username)
        if runner.avatar_key is None:
            avatars.set_avatar(runner, BytesIO(pictures.avatar_art(number)))
            added += 1
    for spec in DEMO_CLUBS:
        club = db.session.scalar(select(Club).where(Club.slug == spec["slug"]))
        banner = pictures.club_banner(spec["slug"])
        if club is not None and club.image_key is None and banner is not None:
            club_images.set_image(_user(spec["owner"]), club, BytesIO(banner))
            added += 1
    return added


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo data (safe to run again: it only adds what is missing)."""
    created = seed_demo()
    new_clubs = seed_demo_clubs()
    runs = seed_runs([_user(username) for username in created], now=utcnow())
    scheduled = seed_demo_group_runs(utcnow())
    entries = seed_demo_challenges(utcnow())
    cheers = seed_demo_social(utcnow())
    faces = seed_demo_faces()
    goals = seed_goals({username: _user(username) for username, *_ in DEMO_RUNNERS}, utcnow())
    seed_reflections({username: _user(username) for username, *_ in DEMO_RUNNERS}, utcnow())
    db.session.commit()
    click.echo(
        f"Demo data ready ({len(created)} runners, {len(new_clubs)} clubs, "
        f"{runs} runs, {scheduled} group runs, {entries} challenge entries, "
        f"{cheers} kudos, {faces} pictures and {goals} goals added)."
    )
    click.echo(
        f"Log in at http://127.0.0.1:5000 as any of: {', '.join(u for u, *_ in DEMO_RUNNERS)}"
    )
    click.echo(f"Password for every demo runner: {DEMO_PASSWORD}")


@click.group("group-runs")
def group_runs_cli() -> None:
    """Group-run maintenance."""


@group_runs_cli.command("extend")
@with_appcontext
def extend_series_command() -> None:
    """Create the coming weeks' occurrences of every recurring run (run it daily)."""
    created = extend_all(now=utcnow())
    db.session.commit()
    click.echo(f"{created} group runs created.")


@click.group("challenges")
def challenges_cli() -> None:
    """Challenge maintenance."""


@challenges_cli.command("monthly")
@with_appcontext
def monthly_command() -> None:
    """Create this month's monthly challenges where missing (run it daily; idempotent)."""
    created = challenges.ensure_monthly(utcnow())
    db.session.commit()
    click.echo(f"{len(created)} monthly challenges created.")


@challenges_cli.command("rebuild")
@click.argument("challenge_ids", nargs=-1, type=int)
@click.option("--all", "everything", is_flag=True, help="Closed challenges too.")
@with_appcontext
def rebuild_command(challenge_ids: tuple[int, ...], everything: bool) -> None:
    """Recompute standings from the runs alone (all open challenges, or those given)."""
    now = utcnow()
    statement = select(Challenge).order_by(Challenge.id)
    if challenge_ids:
        statement = statement.where(Challenge.id.in_(challenge_ids))
    changed = checked = 0
    for challenge in db.session.scalars(statement).all():
        if challenge_ids or everything or challenge.is_open_at(now):
            changed += tally.rebuild(challenge, now=now)
            checked += 1
    db.session.commit()
    click.echo(f"{checked} challenges rebuilt; {changed} standings corrected.")


@click.group("milestones")
def milestones_cli() -> None:
    """Milestone maintenance."""


@milestones_cli.command("recompute")
@click.argument("usernames", nargs=-1)
@with_appcontext
def recompute_milestones_command(usernames: tuple[str, ...]) -> None:
    """Work every runner's milestones out again from their history (or those named), adding
    what is missing and removing what is no longer earned; says what it changed."""
    now = utcnow()
    statement = select(User.id).order_by(User.id)
    if usernames:
        statement = statement.where(User.username.in_([name.lower() for name in usernames]))
    added = removed = runners = 0
    for user_id in db.session.scalars(statement).all():
        changes = milestones.recompute(db.session.get_one(User, user_id), now)
        db.session.commit()
        added, removed, runners = (
            added + len(changes.earned),
            removed + len(changes.lost),
            runners + 1,
        )
    who = f"{runners} runner{'' if runners == 1 else 's'}"
    click.echo(f"{who} checked; {added} milestones added, {removed} removed.")


@click.command("periodic")
@with_appcontext
def periodic_command() -> None:
    """Run the periodic tasks that are due (each server process does it every minute; cron
    may too: several at once run each task once)."""
    done = periodic.run_due(utcnow())
    for name, outcome in done.items():
        click.echo(f"{name}: {outcome}")
    if not done:
        click.echo("Nothing due.")


@click.group("jobs")
def jobs_cli() -> None:
    """The job queue."""


@jobs_cli.command("worker")
@click.option("--threads", default=4, show_default=True, help="Jobs run at once.")
@with_appcontext
def worker_command(threads: int) -> None:
    """Run queued jobs until stopped (Ctrl+C, SIGTERM); needs REDIS_URL."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        worker = jobs.work(app, threads)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Runhive jobs worker: {threads} threads on queue {jobs.QUEUE!r}.")
    stopping = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stopping.set())
    stopping.wait()
    worker.stop()


@click.command("site-admin")
@click.argument("username")
@click.option("--remove", is_flag=True, help="Take the role away.")
@with_appcontext
def site_admin_command(username: str, remove: bool) -> None:
    """Let a runner create the site's challenges (open to everyone)."""
    user = _user(username.lower())
    user.is_site_admin = not remove
    db.session.commit()
    click.echo(f"{user.username} is {'no longer ' if remove else ''}a site admin.")


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Recount every stored counter from the rows; exit 1 with the differences."""
    found = invariants.differences()
    db.session.rollback()
    for difference in found:
        click.echo(str(difference))
    if found:
        raise click.exceptions.Exit(1)
    click.echo("Every counter matches its rows.")


def init_app(app: Flask) -> None:
    app.cli.add_command(check_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(group_runs_cli)
    app.cli.add_command(challenges_cli)
    app.cli.add_command(site_admin_command)
    app.cli.add_command(milestones_cli)
    app.cli.add_command(periodic_command)
    app.cli.add_command(jobs_cli)
