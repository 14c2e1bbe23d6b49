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
from sqlalchemy import String, and_, cast, delete, exists, select
from sqlalchemy.dialects import postgresql, sqlite

from community.accounts.models import User
from community.db_types import utcnow
from community.extensions import db
from community.group_runs.models import GroupRun, PaceGroup, Rsvp, RsvpStatus
from community.jobs import queue as jobs
from community.reminders.models import MailOptOut, SentReminder
from community.units import format_distance

RUN_REMINDER = "run_reminder"
PLACE_OPENED = "place_opened"
KINDS = {
    RUN_REMINDER: "A reminder the evening before a group run you are going to",
    PLACE_OPENED: "A place opened up for you on a group run's waitlist",
}
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


def _record(user_id: int, key: str, now: datetime, kind: str = RUN_REMINDER) -> bool:
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


def _mail(
    user: User, run: GroupRun, kind: str, subject: str, template: str, **extra: object
) -> dict[str, object]:
    """An e-mail about a run, as the runner will read it: their zone, their units, links on
    the site's public address (PUBLIC_URL; the mail leaves from a job, outside any request)."""
    zone = ZoneInfo(user.timezone)
    club = run.club.name
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # A context of its own: what rendering leaves in `g` (a CSRF token) stays out of the
    # caller's.
    with app.app_context(), app.test_request_context(base_url=app.config["PUBLIC_URL"]):
        unsubscribe = url_for(
            "reminders.unsubscribe", token=unsubscribe_token(user.id, kind), _external=True
        )
        page = {
            "user": user,
            "run": run,
            "club": club,
            "when": run.starts_at.astimezone(zone),
            "zone": user.timezone,
            "distance": format_distance(run.planned_distance_m, user.units)
            if run.planned_distance_m
            else None,
            "run_url": url_for("group_runs.show", run_id=run.id, _external=True),
            "cant_go_url": url_for(
                "reminders.cant_go", token=cant_go_token(user.id, run.id), _external=True
            ),
            "unsubscribe_url": unsubscribe,
            **extra,
        }
        body = render_template(f"mail/{template}.txt", **page)
        html = render_template(f"mail/{template}.html", **page)
    return {
        "to": user.email,
        "subject": subject.format(when=page["when"]),
        "body": body,
        "html": html,
        "headers": {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    }


def reminder_mail(due: Due) -> dict[str, object]:
    group = due.group.name if due.group is not None and due.group.name else None
    subject = f"Tomorrow: {due.run.title}, {{when:%H:%M}}"
    return _mail(due.user, due.run, RUN_REMINDER, subject, "run_reminder", group=group)


def on_promoted(sender: object, run_id: int, user_id: int, **_: object) -> None:
    """A place opened up for a waiting runner: one e-mail, once per run, unless stopped."""
    user, run = db.session.get(User, user_id), db.session.get(GroupRun, run_id)
    if user is None or run is None or PLACE_OPENED in opted_out(user_id):
        return
    if _record(user_id, str(run_id), utcnow(), kind=PLACE_OPENED):
        subject = f"You're in: {run.title}, {{when:%a %-d %b %H:%M}}"
        jobs.enqueue("mail.send", **_mail(user, run, PLACE_OPENED, subject, "place_opened"))


def subscribe() -> None:
    from community.group_runs import events

    events.promoted.connect(on_promoted)


def send_run_reminders(now: datetime) -> str:
    """Record and queue every reminder due (the mails leave when this commits)."""
    sent = 0
    for due in due_run_reminders(now):
        if _record(due.user.id, str(due.run.id), now):
            jobs.enqueue("mail.send", **reminder_mail(due))
            sent += 1
    return f"{sent} run reminders sent"


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
