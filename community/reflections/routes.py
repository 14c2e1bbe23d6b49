from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from community import pages
from community.activities.models import Run
from community.db_types import utcnow
from community.extensions import db
from community.forms import show_refusal
from community.params import page_arg
from community.reflections import queries, services
from community.reflections.forms import ReflectionForm
from community.security import current_runner

bp = Blueprint("reflections", __name__, url_prefix="/reflections")


def _own_run(run_id: int) -> Run:
    run = db.session.get(Run, run_id)
    if run is None or run.user_id != current_user.id:
        abort(404)
    return run


@bp.get("/")
@login_required
def index() -> str:
    words = request.args.get("q", "")[:100]
    found = queries.journal(current_user.id, words, page_arg())
    return render_template("reflections/index.html", found=found, words=words)


@bp.route("/runs/<int:run_id>", methods=["GET", "POST"])
@login_required
def write(run_id: int) -> Response | tuple[str, int]:
    run = _own_run(run_id)
    shown = queries.for_run(run, current_user, utcnow())
    form = ReflectionForm(obj=shown.reflection)
    if form.validate_on_submit():
        thoughts = services.Thoughts(form.feeling.data, form.went_well.data or "")
        try:
            services.reflect(current_runner(), run, thoughts, now=utcnow())
        except services.ReflectionError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("Kept with your run. Look back any time in your journal.", "success")
            return redirect(url_for("activities.show", run_id=run.id) + "#reflection")
    status = 400 if form.errors or form.form_errors else 200
    return render_template("reflections/form.html", form=form, run=run), status


@pages.slot(bp, "run", "reflection")
def run_slot(
    run_id: int, viewer: int | None
) -> tuple[queries.RunReflection, ReflectionForm] | None:
    """Under the runner's own run (no one else's): its reflection, or the week's prompt."""
    if viewer is None:
        return None
    run = db.session.get(Run, run_id)
    if run is None or run.user_id != viewer:
        return None
    return queries.for_run(run, current_user, utcnow()), ReflectionForm(formdata=None)
