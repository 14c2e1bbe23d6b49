"""Which reminders are due, sending each once, and what the links in them do.

The evening before a group run (18:00 in the runner's time zone, the day before the run's
day there), each runner going to it gets one e-mail: when and where, their pace group, and a
one-click "can't go" that frees their place. A runner moved up from a waitlist gets one
too, at once. Each is recorded (`SentReminder`, unique per runner, kind and run) in the
transaction that queues its mail: run twice, or on two hosts at once, the second finds it
recorded and sends nothing.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import String, and_, cast, delete, exists, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from community.accounts.models import User
from community.activities.models import Run
from community.challenges.models import Challenge, ChallengeEntry, ChallengeKind
from community.db_types import utcnow
from community.extensions import db
from community.group_runs.models import GroupRun, PaceGroup, Rsvp, RsvpStatus
from community.jobs import queue as jobs
from community.reminders.models import MailOptOut, SentReminder
from community.units import format_distance, format_duration, format_elevation

RUN_REMINDER = "run_reminder"
PLACE_OPENED = "place_opened"
CHALLENGE_ENDING = "challenge_ending"
WEEKLY_DIGEST = "weekly_digest"
KINDS = {
    RUN_REMINDER: "A reminder the evening before a group run you are going to",
    PLACE_OPENED: "A place opened up for you on a group run's waitlist",
    CHALLENGE_ENDING: "A challenge ending in three days that you can still finish",
    WEEKLY_DIGEST: "A weekly digest of your clubs: runs coming up, milestones, boards",
}
# Told three days before the end (the task runs every few minutes: the first run in this
# last day before it finds them).
ENDING_IN = timedelta(days=3)
ENDING_KINDS = (
    ChallengeKind.DISTANCE.value,
    ChallengeKind.TIME.value,
    ChallengeKind.ELEVATION.value,
    ChallengeKind.RUNS.value,
)
EVENING = time(18, 0)
# Not "the evening before" any more when the run is this close: no mail at all.
TOO_LATE = timedelta(hours=2)
HORIZON = timedelta(hours=36)


@dataclass(frozen=True)
class Due:
    user: User
    run: GroupRun
    group: PaceGroup | None


def evening_before(run: GroupRun, zone: ZoneInfo) -> datetime:
    day = run.starts_at.astimezone(zone).date() - timedelta(days=1)
    return datetime.combine(day, EVENING, tzinfo=zone)


def due_run_reminders(now: datetime) -> list[Due]:
    """Runners going to a run whose evening before has come, not reminded yet, not opted out."""
    sent = exists().where(
        SentReminder.user_id == Rsvp.user_id,
        SentReminder.kind == RUN_REMINDER,
        SentReminder.key == cast(GroupRun.id, String),
    )
    opted_out = exists().where(MailOptOut.user_id == Rsvp.user_id, MailOptOut.kind == RUN_REMINDER)
    rows = db.session.execute(
        select(User, GroupRun, PaceGroup)
        .join(Rsvp, Rsvp.user_id == User.id)
        .join(GroupRun, GroupRun.id == Rsvp.run_id)
        .outerjoin(PaceGroup, PaceGroup.id == Rsvp.pace_group_id)
        .where(
            Rsvp.status == RsvpStatus.GOING.value,
            GroupRun.cancelled_at.is_(None),
            and_(GroupRun.starts_at > now + TOO_LATE, GroupRun.starts_at <= now + HORIZON),
            ~sent,
            ~opted_out,
        )
        .order_by(GroupRun.starts_at, User.id)
    )
    return [
        Due(user, run, group)
        for user, run, group in rows
        if now >= evening_before(run, ZoneInfo(user.timezone))
    ]


def _insert() -> type[postgresql.Insert] | type[sqlite.Insert]:
    postgres = db.session.get_bind().dialect.name == "postgresql"
    return postgresql.insert if postgres else sqlite.insert  # type: ignore[return-value]


def record(user_id: int, key: str, now: datetime, kind: str = RUN_REMINDER) -> bool:
    """Record the reminder; False if it was recorded already (by another host, say)."""
    inserted = db.session.execute(
        _insert()(SentReminder)
        .values(user_id=user_id, kind=kind, key=key, sent_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "key"])
        .returning(SentReminder.id)
    )
    return inserted.first() is not None


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def cant_go_token(user_id: int, run_id: int) -> str:
    return _serializer("cant-go").dumps([user_id, run_id])


def read_cant_go(token: str) -> tuple[int, int] | None:
    try:
        user_id, run_id = _serializer("cant-go").loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return int(user_id), int(run_id)


def unsubscribe_token(user_id: int, kind: str) -> str:
    return _serializer("unsubscribe").dumps([user_id, kind])


def read_unsubscribe(token: str) -> tuple[int, str] | None:
    try:
        user_id, kind = _serializer("unsubscribe").loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return (int(user_id), str(kind)) if kind in KINDS else None


def render_mail(
    user: User, kind: str, template: str, subject: str, **page: object
) -> dict[str, object]:
    """An e-mail to `user` from templates/mail/<template>.txt and .html, its links on the
    site's public address (PUBLIC_URL: the mail leaves from a job, outside any request),
    with its one-click unsubscribe from `kind`."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # A context of its own: what rendering leaves in `g` (a CSRF token) stays out of the
    # caller's.
    with app.app_context(), app.test_request_context(base_url=app.config["PUBLIC_URL"]):
        unsubscribe = url_for(
            "reminders.unsubscribe", token=unsubscribe_token(user.id, kind), _external=True
        )
        page = {
            "user": user,
            "zone": user.timezone,
            "unsubscribe_url": unsubscribe,
            **{key: value() if callable(value) else value for key, value in page.items()},
        }
        body = render_template(f"mail/{template}.txt", **page)
        html = render_template(f"mail/{template}.html", **page)
    return {
        "to": user.email,
        "subject": subject,
        "body": body,
        "html": html,
        "headers": {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    }


def _mail(
    user: User, run: GroupRun, kind: str, subject: str, template: str, **extra: object
) -> dict[str, object]:
    """An e-mail about a run, in the runner's zone and units, with its can't-go link."""
    when = run.starts_at.astimezone(ZoneInfo(user.timezone))
    distance = run.planned_distance_m
    return render_mail(
        user,
        kind,
        template,
        subject.format(when=when),
        run=run,
        club=run.club.name,
        when=when,
        distance=format_distance(distance, user.units) if distance else None,
        run_url=lambda: url_for("group_runs.show", run_id=run.id, _external=True),
        cant_go_url=lambda: url_for(
            "reminders.cant_go", token=cant_go_token(user.id, run.id), _external=True
        ),
        **extra,
    )


def reminder_mail(due: Due) -> dict[str, object]:
    group = due.group.name if due.group is not None and due.group.name else None
    subject = f"Tomorrow: {due.run.title}, {{when:%H:%M}}"
    return _mail(due.user, due.run, RUN_REMINDER, subject, "run_reminder", group=group)


def on_promoted(sender: object, run_id: int, user_id: int, **_: object) -> None:
    """A place opened up for a waiting runner: one e-mail, once per run, unless stopped."""
    user, run = db.session.get(User, user_id), db.session.get(GroupRun, run_id)
    if user is None or run is None or PLACE_OPENED in opted_out(user_id):
        return
    if record(user_id, str(run_id), utcnow(), kind=PLACE_OPENED):
        subject = f"You're in: {run.title}, {{when:%a %-d %b %H:%M}}"
        jobs.enqueue("mail.send", **_mail(user, run, PLACE_OPENED, subject, "place_opened"))


def subscribe() -> None:
    from community.group_runs import events

    events.promoted.connect(on_promoted)


def send_run_reminders(now: datetime) -> str:
    """Record and queue every reminder due (the mails leave when this commits)."""
    sent = 0
    for due in due_run_reminders(now):
        if record(due.user.id, str(due.run.id), now):
            jobs.enqueue("mail.send", **reminder_mail(due))
            sent += 1
    return f"{sent} run reminders sent"


@dataclass(frozen=True)
class Ending:
    user: User
    challenge: Challenge
    total: float
    best_day: float


def ending_challenges(now: datetime) -> list[Ending]:
    """Entrants of a challenge ending in three days, with a goal they have not reached and
    can still reach: what is left is no more than three of their best days in it so far."""
    challenges = db.session.scalars(
        select(Challenge).where(
            Challenge.kind.in_(ENDING_KINDS),
            Challenge.goal.is_not(None),
            Challenge.ends_at > now + ENDING_IN - timedelta(days=1),
            Challenge.ends_at <= now + ENDING_IN,
        )
    ).all()
    found = []
    for challenge in challenges:
        found += _ending(challenge)
    return found


def _ending(challenge: Challenge) -> list[Ending]:
    value = {
        ChallengeKind.TIME.value: Run.duration_s,
        ChallengeKind.ELEVATION.value: func.coalesce(Run.elevation_gain_m, 0.0),
        ChallengeKind.RUNS.value: literal(1.0),
    }.get(challenge.kind, Run.distance_m)
    days = (
        select(Run.user_id, func.sum(value).label("amount"))
        .join(ChallengeEntry, ChallengeEntry.user_id == Run.user_id)
        .where(
            ChallengeEntry.challenge_id == challenge.id,
            Run.start_time >= challenge.starts_at,
            Run.start_time < challenge.ends_at,
            Run.created_at <= challenge.closes_at,
            Run.suspect_reason.is_(None),
        )
        .group_by(Run.user_id, func.date(Run.start_time))
        .subquery()
    )
    best = (
        select(days.c.user_id, func.max(days.c.amount).label("best"))
        .group_by(days.c.user_id)
        .subquery()
    )
    told = exists().where(
        SentReminder.user_id == ChallengeEntry.user_id,
        SentReminder.kind == CHALLENGE_ENDING,
        SentReminder.key == str(challenge.id),
    )
    stopped = exists().where(
        MailOptOut.user_id == ChallengeEntry.user_id, MailOptOut.kind == CHALLENGE_ENDING
    )
    rows = db.session.execute(
        select(User, ChallengeEntry.total, best.c.best)
        .join(ChallengeEntry, ChallengeEntry.user_id == User.id)
        .join(best, best.c.user_id == User.id)
        .where(
            ChallengeEntry.challenge_id == challenge.id,
            ChallengeEntry.completed_at.is_(None),
            ~told,
            ~stopped,
        )
        .order_by(User.id)
    )
    goal = challenge.goal or 0.0
    return [
        Ending(user, challenge, total or 0.0, best_day)
        for user, total, best_day in rows
        if goal - (total or 0.0) <= 3 * best_day
    ]


def amount_text(kind: str, amount: float, units: str) -> str:
    if kind == ChallengeKind.TIME.value:
        return format_duration(amount)
    if kind == ChallengeKind.ELEVATION.value:
        return format_elevation(amount, units)
    if kind == ChallengeKind.RUNS.value:
        return f"{amount:.0f} run{'s' if round(amount) != 1 else ''}"
    return format_distance(amount, units)


def ending_mail(ending: Ending) -> dict[str, object]:
    user, challenge = ending.user, ending.challenge
    goal = challenge.goal or 0.0

    def amount(value: float) -> str:
        return amount_text(challenge.kind, value, user.units)

    return render_mail(
        user,
        CHALLENGE_ENDING,
        "challenge_ending",
        f"3 days left: {challenge.title}",
        challenge=challenge,
        # Its window ends at a midnight: the last day is the one before.
        last_day=(challenge.ends_at - timedelta(seconds=1)).astimezone(ZoneInfo(user.timezone)),
        done=amount(ending.total),
        goal=amount(goal),
        left=amount(goal - ending.total),
        best_day=amount(ending.best_day),
        challenge_url=lambda: url_for("challenges.show", challenge_id=challenge.id, _external=True),
    )


def send_challenge_endings(now: datetime) -> str:
    sent = 0
    for ending in ending_challenges(now):
        if record(ending.user.id, str(ending.challenge.id), now, kind=CHALLENGE_ENDING):
            jobs.enqueue("mail.send", **ending_mail(ending))
            sent += 1
    return f"{sent} challenge endings sent"


def set_opt_out(user_id: int, kind: str, off: bool) -> None:
    """Stop (or start again) a kind of e-mail; twice at once is once."""
    if off:
        db.session.execute(
            _insert()(MailOptOut).values(user_id=user_id, kind=kind).on_conflict_do_nothing()
        )
    else:
        db.session.execute(
            delete(MailOptOut).where(MailOptOut.user_id == user_id, MailOptOut.kind == kind)
        )


def opted_out(user_id: int) -> set[str]:
    return set(db.session.scalars(select(MailOptOut.kind).where(MailOptOut.user_id == user_id)))
