"""The access matrix's world: a private club and a public club with a runner in every role,
and one of each thing a route or a socket event can be asked about.

Hideout is the private club (where a leak would matter), Meadow the public one; both have
the same people:

- olga owns both, adam admins both;
- mia is a member of both, and the runner of the things asked about: her public,
  members-only and private runs (and their feed items), her comment on adam's pinned post,
  her place in Hideout's challenge and next group run, her calendar link;
- blake is a member of both whom mia has blocked;
- otto is in no club; sam is a site admin in no club;
- rex (in Hideout), jo (asking to join Hideout) and fay (asking to follow mia) are there
  for the things they make: reports, a join request, a follow request.

Every text a role may or may not read carries a marker (SECRETS): a test reads each
response for the markers its role may not see.
"""

from datetime import timedelta
from io import BytesIO
from typing import Any

from flask import Flask
from sqlalchemy import Column, Integer, Table, func, select

from community.accounts import avatars, blocks
from community.accounts import services as accounts
from community.accounts.models import User
from community.activities import services as runs
from community.challenges import services as challenges
from community.challenges.models import Challenge
from community.clubs import images as club_images
from community.clubs import services as clubs
from community.clubs.models import Membership, Role
from community.db_types import utcnow
from community.extensions import db
from community.feed import moderation, posts
from community.feed import services as feed
from community.feed.models import FeedItem
from community.follows import services as follows
from community.goals import services as goals
from community.goals.services import GoalSpec
from community.group_runs import attendance, calendar, scheduling
from community.group_runs import services as group_runs
from community.group_runs.models import RsvpStatus
from community.reminders import services as reminders
from tests.challenges.builders import challenge as new_challenge
from tests.challenges.builders import runner
from tests.pictures import picture

ROLES = ("anonymous", "outsider", "member", "admin", "owner", "blocked", "site_admin")
# Who plays each role (anonymous is nobody).
PLAYERS = {
    "outsider": "otto",
    "member": "mia",
    "admin": "adam",
    "owner": "olga",
    "blocked": "blake",
    "site_admin": "sam",
}
ROLE_MEANING = {
    "anonymous": "not logged in",
    "outsider": "otto: logged in, in no club",
    "member": "mia: a member of both clubs, and the runner of the runs, items and comment "
    "asked about",
    "admin": "adam: an admin of both clubs, the author of Hideout's posts",
    "owner": "olga: the owner of both clubs",
    "blocked": "blake: a member of both clubs whom mia has blocked",
    "site_admin": "sam: a site admin, in no club",
}

HIDEOUT_MEMBERS = frozenset({"member", "admin", "owner", "blocked"})
MIAS_CLUB_MATES = frozenset({"member", "admin", "owner"})  # the blocked runner is not one
EVERYONE_BUT_BLOCKED = frozenset(ROLES) - {"blocked"}
# Marker -> (what it is, the roles that may read it).
SECRETS: dict[str, tuple[str, frozenset[str]]] = {
    "MIA-PUBLIC-RUN": ("the title of mia's public run", EVERYONE_BUT_BLOCKED),
    "MIA-MEMBERS-RUN": ("the title of mia's members-only run", MIAS_CLUB_MATES),
    "MIA-PRIVATE-RUN": ("the title of mia's private run", frozenset({"member"})),
    "MIA-COMMENT": ("mia's comment on Hideout's pinned post", MIAS_CLUB_MATES),
    "HIDEOUT-PINNED": ("the body of Hideout's pinned post", HIDEOUT_MEMBERS),
    "HIDEOUT-NEWS": ("the body of Hideout's other post", HIDEOUT_MEMBERS),
    "HIDEOUT-GROUP-RUN": ("the title of Hideout's next group run", HIDEOUT_MEMBERS),
    "HIDEOUT-PAST-RUN": ("the title of Hideout's last group run", HIDEOUT_MEMBERS),
    "HIDEOUT-CHALLENGE": ("the title of Hideout's challenge", HIDEOUT_MEMBERS),
    "HIDEOUT-REPORT": ("the reason of a report to Hideout's admins", frozenset({"admin", "owner"})),
    "SITE-REPORT": ("the reason of a report to the site's admins", frozenset({"site_admin"})),
    "JO-JOIN-NOTE": ("jo's note asking to join Hideout", frozenset({"admin", "owner"})),
    "mia@example.com": ("mia's e-mail address", frozenset({"member"})),
}


def _run(user: User, title: str, visibility: str, hours_ago: float) -> int:
    now = utcnow()
    details = runs.RunDetails(
        start_time=now - timedelta(hours=hours_ago),
        distance_m=5000,
        duration_s=1650,
        title=title,
        visibility=visibility,
    )
    return runs.log_run(user, details, now=now).id


def _item_of(run_id: int) -> int:
    return db.session.scalar(
        select(FeedItem.id).where(FeedItem.run_id == run_id, FeedItem.kind == "run")
    )


def build() -> dict[str, Any]:
    """Inside an app context: make the world and commit it; returns the values the rows'
    paths, forms and payloads are filled from."""
    now = utcnow()
    names = ("olga", "adam", "mia", "blake", "rex", "jo", "otto", "fay")
    people = {name: runner(name) for name in names}
    people["sam"] = runner("sam", is_site_admin=True)
    olga, adam, mia, blake, rex = (people[n] for n in ("olga", "adam", "mia", "blake", "rex"))
    mia.approves_followers = True

    hideout = clubs.create_club(olga, name="Hideout", slug="hideout", visibility="private")
    meadow = clubs.create_club(olga, name="Meadow", slug="meadow", visibility="public")
    for club, members in ((hideout, (adam, mia, blake, rex)), (meadow, (adam, mia, blake))):
        for user in members:
            db.session.add(Membership(club_id=club.id, user_id=user.id))
        db.session.flush()
        clubs.set_role(olga, club, adam.id, Role.ADMIN)
    blocks.block(mia, blake, now=now)
    avatars.set_avatar(mia, BytesIO(picture(80, 80)))
    club_images.set_image(olga, hideout, BytesIO(picture(300, 100)))
    club_images.set_image(olga, meadow, BytesIO(picture(300, 100)))
    follows.follow(adam, mia, now=now)
    follows.approve(mia, adam.id, now=now)
    follows.follow(people["fay"], mia, now=now)

    public_run = _run(mia, "MIA-PUBLIC-RUN", "public", hours_ago=3)
    private_run = _run(mia, "MIA-PRIVATE-RUN", "private", hours_ago=5)
    otto_run = _run(people["otto"], "Otto's run", "public", hours_ago=4)

    # Group runs: Hideout's next one (mia going), its last one (mia's run linked), Meadow's.
    group_run = scheduling.schedule_run(
        olga,
        hideout,
        title="HIDEOUT-GROUP-RUN",
        starts_at=now + timedelta(days=2),
        meeting_point="The old oak",
        now=now,
        capacity=10,
    )
    group_runs.rsvp(mia, group_run, RsvpStatus.GOING, now=now)
    started = now - timedelta(days=2)
    past_run = scheduling.schedule_run(
        olga,
        hideout,
        title="HIDEOUT-PAST-RUN",
        starts_at=started,
        meeting_point="The old oak",
        now=started - timedelta(days=1),
    )
    members_run = _run(mia, "MIA-MEMBERS-RUN", "members", hours_ago=48)
    attendance.link(mia, past_run, members_run)
    public_group_run = scheduling.schedule_run(
        olga,
        meadow,
        title="Meadow social",
        starts_at=now + timedelta(days=3),
        meeting_point="The gate",
        now=now,
    )

    pinned = posts.post(adam, hideout, "HIDEOUT-PINNED: kit swap", pinned=True, now=now)
    news = posts.post(adam, hideout, "HIDEOUT-NEWS: new route", pinned=False, now=now)
    comment = feed.add_comment(mia, pinned.id, "MIA-COMMENT: count me in", now=now)
    feed.give_kudos(adam, _item_of(public_run), now=now)
    club_report = moderation.report_item(rex, _item_of(members_run), "HIDEOUT-REPORT", now=now)
    site_report = moderation.report_item(rex, _item_of(otto_run), "SITE-REPORT", now=now)

    invite = clubs.create_invite(adam, hideout)
    join_request = clubs.request_to_join(people["jo"], hideout, message="JO-JOIN-NOTE")
    today = now.date()
    club_challenge = new_challenge(
        adam,
        hideout,
        title="HIDEOUT-CHALLENGE",
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=20),
    )
    challenges.join(mia, club_challenge, now=now)
    challenges.ensure_monthly(now)  # as the first visit to /challenges/ would
    site_challenge = db.session.scalar(select(Challenge.id).where(Challenge.club_id.is_(None)))
    calendar_token = calendar.new_feed_token(mia).token
    year_spec = GoalSpec("total", 500_000, today, today + timedelta(days=120), "distance_m")
    goal = goals.create_goal(mia, year_spec, today)
    shared_spec = GoalSpec("habit", 3, today, today + timedelta(days=27), club_id=hideout.id)
    shared_goal = goals.create_goal(mia, shared_spec, today)
    db.session.commit()
    return {
        "member_name": mia.username,
        "blocked_name": blake.username,
        "member_email": mia.email,
        "member_avatar_key": mia.avatar_key,
        "private_club_image_key": hideout.image_key,
        "public_club_image_key": meadow.image_key,
        "private_club": hideout.slug,
        "public_club": meadow.slug,
        "private_club_id": hideout.id,
        "member_id": mia.id,
        "rex_id": rex.id,
        "admin_id": adam.id,
        "follower_id": people["fay"].id,
        "public_run": public_run,
        "members_run": members_run,
        "private_run": private_run,
        "public_run_item": _item_of(public_run),
        "members_run_item": _item_of(members_run),
        "pinned_post": pinned.id,
        "post": news.id,
        "comment": comment.id,
        "club_report": club_report.id,
        "site_report": site_report.id,
        "invite_id": invite.id,
        "invite_token": invite.token,
        "join_request": join_request.id,
        "group_run": group_run.id,
        "pace_group": group_run.pace_groups[0].id,
        "past_group_run": past_run.id,
        "public_group_run": public_group_run.id,
        "challenge": club_challenge.id,
        "site_challenge": site_challenge,
        "calendar_token": calendar_token,
        "member_goal": goal.id,
        "member_shared_goal": shared_goal.id,
        "reset_token": accounts.password_reset_token(mia),
        "cant_go_token": reminders.cant_go_token(mia.id, group_run.id),
        "unsubscribe_token": reminders.unsubscribe_token(mia.id, reminders.RUN_REMINDER),
        "in_a_week": (today + timedelta(days=7)).isoformat(),
        "today": today.isoformat(),
        "this_year": str(today.year),
        "yesterday": (today - timedelta(days=1)).isoformat(),
        "in_20_days": (today + timedelta(days=20)).isoformat(),
    }


# --- the world's rows: read once, compared after each cell, put back when changed ------


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Inside an app context: every row of every table, in primary-key order."""
    rows = {}
    for table in _tables():
        statement = select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [tuple(row) for row in db.session.execute(statement)]
    db.session.rollback()
    return rows


def changed_tables(before: dict[str, list[tuple[Any, ...]]], after: dict[str, Any]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def restore_postgres(app: Flask, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    """Put the world's rows back on PostgreSQL: empty every table, insert the rows with
    their ids, and move each id sequence on past them. DELETE, children first, in one
    round trip: on a few hundred rows it takes milliseconds where TRUNCATE takes a third
    of a second; the sequences move in one statement too."""
    tables = _tables()
    with app.app_context(), db.engine.begin() as connection:
        dialect = connection.dialect
        deletes = [str(table.delete().compile(dialect=dialect)) for table in reversed(tables)]
        connection.exec_driver_sql("; ".join(deletes))
        moves = []
        for table in tables:
            keys = [column.name for column in table.columns]
            kept = [dict(zip(keys, row, strict=True)) for row in rows[table.name]]
            if kept:
                connection.execute(table.insert(), kept)
            identity = _identity(table)
            if identity is not None:
                after = func.coalesce(select(func.max(identity)).scalar_subquery(), 0) + 1
                sequence = func.pg_get_serial_sequence(table.name, identity.name)
                moves.append(func.setval(sequence, after, False))
        connection.execute(select(*moves))


def _identity(table: Table) -> Column[Any] | None:
    """The integer id a sequence fills, if the table has one."""
    keys = list(table.primary_key.columns)
    if len(keys) == 1 and isinstance(keys[0].type, Integer):
        return keys[0]
    return None
