"""What the links in a reminder do: "can't go" frees the runner's place (a page with one
button: a mail client that opens links to look at them must not act), and one-click
unsubscribe (RFC 8058: the mail client POSTs, without a session or a CSRF token, so the
signed link is the proof)."""

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from community.accounts.models import User
from community.db_types import utcnow
from community.extensions import csrf, db
from community.forms import ActionForm
from community.group_runs import services as group_runs
from community.group_runs.models import GroupRun, RsvpStatus
from community.reminders import services

bp = Blueprint("reminders", __name__)


def _runner_and_run(token: str) -> tuple[User, GroupRun]:
    read = services.read_cant_go(token)
    user = db.session.get(User, read[0]) if read else None
    run = db.session.get(GroupRun, read[1]) if read else None
    if user is None or run is None:
        abort(404)
    return user, run


def _page(run: GroupRun, user: User, form: ActionForm, **state: object) -> str:
    when = run.starts_at.astimezone(ZoneInfo(user.timezone))
    return render_template(
        "reminders/cant_go.html", run=run, user=user, form=form, when=when, **state
    )


@bp.route("/mail/cant-go/<token>", methods=["GET", "POST"])
def cant_go(token: str) -> Response | str | tuple[str, int]:
    user, run = _runner_and_run(token)
    form = ActionForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _page(run, user, form, done=False)
    try:
        group_runs.rsvp(user, run, RsvpStatus.NOT_GOING, now=utcnow())
    except group_runs.GroupRunError as refusal:
        db.session.rollback()
        return _page(run, user, form, done=False, error=refusal), 409
    db.session.commit()
    return _page(run, user, form, done=True)


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str) -> Response | str:
    read = services.read_unsubscribe(token)
    if read is None or db.session.get(User, read[0]) is None:
        abort(404)
    user_id, kind = read
    if request.method == "POST":
        services.set_opt_out(user_id, kind, off=True)
        db.session.commit()
        return render_template("reminders/unsubscribe.html", kind=services.KINDS[kind], done=True)
    return render_template("reminders/unsubscribe.html", kind=services.KINDS[kind], done=False)


@bp.post("/settings/mail")
@login_required
def preferences() -> Response:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    wanted = set(request.form.getlist("kind"))
    for kind in services.KINDS:
        services.set_opt_out(current_user.id, kind, off=kind not in wanted)
    db.session.commit()
    flash("Your e-mail choices are saved.", "success")
    return redirect(url_for("accounts.settings") + "#mail")
