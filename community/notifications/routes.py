from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from community.db_types import utcnow
from community.extensions import db
from community.forms import ActionForm
from community.notifications import services
from community.params import page_arg

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def bell() -> dict[str, Any]:
    if not current_user.is_authenticated:
        return {}
    # Read with the runner by the session's loader; counted here only if the runner was
    # reloaded since (after a commit).
    unread = current_user.unread_notifications
    if unread is None:
        unread = services.unread_count(current_user.id)
    return {"unread_notifications": unread}


@bp.get("/")
@login_required
def index() -> str:
    page = services.recent(current_user.id, page_arg())
    return render_template("notifications/index.html", page=page)


@bp.post("/read")
@login_required
def mark_read() -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    services.mark_all_read(current_user.id, now=utcnow())
    db.session.commit()
    return redirect(url_for("notifications.index"))
