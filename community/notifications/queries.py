"""The bell's count, as an expression the session's loader reads with the runner."""

from sqlalchemy import ColumnElement, ScalarSelect, func, select

from community.notifications.models import Notification


def unread_of(user_id: ColumnElement[int] | int) -> ScalarSelect[int]:
    """How many notifications `user_id` has not read (a column: one count per row)."""
    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
