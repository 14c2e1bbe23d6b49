"""Creating and reading notifications. Functions flush; the caller commits."""

from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select, update

from community.extensions import db
from community.notifications.models import Notification
from community.notifications.queries import unread_of
from community.realtime import emit_after_commit, user_room


def notify(user_id: int, kind: str, text: str, link: str = "") -> Notification:
    """Store a notification and push it, with the new unread count, to the runner's pages."""
    notification = Notification(user_id=user_id, kind=kind, text=text[:300], link=link)
    db.session.add(notification)
    db.session.flush()
    emit_after_commit(
        "notification:new",
        {"text": notification.text, "link": link, "unread": unread_count(user_id)},
        room=user_room(user_id),
    )
    return notification


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(unread_of(user_id))) or 0


def recent(user_id: int, page: int, per_page: int = 30) -> Pagination:
    statement = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def mark_all_read(user_id: int, *, now: datetime) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    emit_after_commit("notification:read", {"unread": 0}, room=user_room(user_id))
