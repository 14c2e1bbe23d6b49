"""The weekly digest of a runner's clubs: runs coming up, club-mates' milestones, and the
club challenges' boards with the runner's own place. On Monday from 07:00 in the runner's
zone, once a week (`SentReminder` keyed by the ISO week), to members of a club who have not
stopped it; a week with nothing to tell sends nothing.

Only what a club-mate may see goes in: milestones of runs that are not private (a goal or a
first challenge, which have no run, are the runner's own), none between runners when one
blocked the other, and boards without the runners who hide from them.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from sqlalchemy import select

from community.accounts.models import Block, User
from community.activities.models import Run
from community.challenges import queries as boards
from community.challenges.models import Challenge
from community.clubs.models import Club, Membership
from community.extensions import db
from community.group_runs.models import GroupRun
from community.jobs import queue as jobs
from community.milestones import badges
from community.milestones.models import Milestone
from community.reminders import services
from community.reminders.models import MailOptOut, SentReminder

WEEKLY_DIGEST = services.WEEKLY_DIGEST
SENDS_AT = time(7, 0)  # on Mondays
TOP = 3


@dataclass
class Board:
    title: str
    top: list[str]  # "1. Ana Lima, 80.0 km"
    mine: str | None  # "You're 4th of 12" or None when not entered


@dataclass
class ClubWeek:
    name: str
    runs: list[str] = field(default_factory=list)  # "Tuesday 19 Jan, 18:30: Tempo"
    milestones: list[str] = field(default_factory=list)  # "Ana Lima: First half marathon"
    boards: list[Board] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.runs or self.milestones or self.boards)


def week_key(now: datetime, zone: ZoneInfo) -> str:
    year, week, _ = now.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


def _due(user: User, now: datetime) -> bool:
    """Monday, from 07:00, in the runner's zone (a Monday the servers miss is a week
    without a digest)."""
    local = now.astimezone(ZoneInfo(user.timezone))
    return local.weekday() == 0 and local.time() >= SENDS_AT


def due_users(now: datetime) -> list[User]:
    """Members of a club, not reminded this week, who have not stopped the digest."""
    if now.weekday() not in (6, 0, 1):
        return []  # Monday nowhere on Earth (UTC-12 to UTC+14): nobody to read through
    weeks = {week_key(now + timedelta(hours=h), ZoneInfo("UTC")) for h in (-14, 0, 14)}
    members = select(Membership.user_id).distinct()
    stopped = select(MailOptOut.user_id).where(MailOptOut.kind == WEEKLY_DIGEST)
    sent = {
        (user_id, key)
        for user_id, key in db.session.execute(
            select(SentReminder.user_id, SentReminder.key).where(
                SentReminder.kind == WEEKLY_DIGEST, SentReminder.key.in_(weeks)
            )
        )
    }
    users = db.session.scalars(
        select(User).where(User.id.in_(members), User.id.not_in(stopped)).order_by(User.id)
    )
    return [
        user
        for user in users
        if _due(user, now) and (user.id, week_key(now, ZoneInfo(user.timezone))) not in sent
    ]


def club_weeks(user: User, now: datetime) -> list[ClubWeek]:
    zone = ZoneInfo(user.timezone)
    clubs = db.session.scalars(
        select(Club)
        .join(Membership, Membership.club_id == Club.id)
        .where(Membership.user_id == user.id)
        .order_by(Club.name)
    ).all()
    weeks = []
    for club in clubs:
        week = ClubWeek(club.name)
        runs = db.session.scalars(
            select(GroupRun)
            .where(
                GroupRun.club_id == club.id,
                GroupRun.cancelled_at.is_(None),
                GroupRun.starts_at >= now,
                GroupRun.starts_at < now + timedelta(days=7),
            )
            .order_by(GroupRun.starts_at)
        )
        week.runs = [f"{r.starts_at.astimezone(zone):%A %-d %b, %H:%M}: {r.title}" for r in runs]
        mates = select(Membership.user_id).where(Membership.club_id == club.id)
        # Neither someone who blocked the runner nor someone the runner blocked.
        blocked = (
            select(Block.blocked_id)
            .where(Block.blocker_id == user.id)
            .union(select(Block.blocker_id).where(Block.blocked_id == user.id))
        )
        earned = db.session.execute(
            select(User.display_name, Milestone.kind, Milestone.key, Milestone.label)
            .join(Milestone, Milestone.user_id == User.id)
            .join(Run, Run.id == Milestone.run_id)
            .where(
                User.id.in_(mates),
                User.id.not_in(blocked),
                User.id != user.id,
                Run.visibility != "private",
                Milestone.earned_at >= now - timedelta(days=7),
            )
            .order_by(Milestone.earned_at)
        )
        week.milestones = [
            f"{name}: {badges.title(kind, key, label)}" for name, kind, key, label in earned
        ]
        running = db.session.scalars(
            select(Challenge).where(
                Challenge.club_id == club.id, Challenge.starts_at <= now, Challenge.ends_at > now
            )
        )
        for challenge in running:
            cols = boards.standings_for(challenge, now)
            rows = boards.board(challenge, user.id, cols=cols).rows[:TOP]
            top = [
                f"{row.rank}. {row.entry.display_name}, {_score(challenge, row, user)}"
                for row in rows
            ]
            mine = boards.my_standing(challenge, user.id, cols=cols)
            place = f"You're number {mine.rank}." if mine and mine.rank else None
            if top:
                week.boards.append(Board(challenge.title, top, place))
        if not week.empty:
            weeks.append(week)
    return weeks


def _score(challenge: Challenge, row: boards.Row, user: User) -> str:
    return services.amount_text(challenge.kind, row.entry.total or 0.0, user.units)


def digest_mail(user: User, weeks: list[ClubWeek], now: datetime) -> dict[str, object]:
    return services.render_mail(
        user,
        WEEKLY_DIGEST,
        "weekly_digest",
        "Your clubs this week",
        weeks=weeks,
        site_url=lambda: url_for("home.dashboard", _external=True),
    )


def send_digests(now: datetime) -> str:
    sent = 0
    for user in due_users(now):
        weeks = club_weeks(user, now)
        # Recorded even when there is nothing to tell: the week is done for this runner.
        if (
            services.record(
                user.id, week_key(now, ZoneInfo(user.timezone)), now, kind=WEEKLY_DIGEST
            )
            and weeks
        ):
            jobs.enqueue("mail.send", **digest_mail(user, weeks, now))
            sent += 1
    return f"{sent} weekly digests sent"
