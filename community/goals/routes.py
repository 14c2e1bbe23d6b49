from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from community import units as u
from community.clubs.queries import club_by_slug, my_clubs
from community.clubs.services import membership_of
from community.db_types import utcnow
from community.extensions import db
from community.forms import ActionForm, show_refusal
from community.goals import queries, services
from community.goals.forms import GoalForm, WhyForm
from community.goals.models import Goal, GoalKind, Measure
from community.goals.services import GoalError, GoalSpec
from community.goals.shared import club_goals
from community.security import current_runner

bp = Blueprint("goals", __name__, url_prefix="/goals")


def _today() -> date:
    return utcnow().astimezone(current_user.zone).date()


def _own_goal(goal_id: int) -> Goal:
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.user_id != current_user.id:
        abort(404)
    return goal


def _target(form: GoalForm) -> float:
    """The form's target in SI units: metres, seconds, runs or race seconds."""
    kind, measure = form.kind.data, form.measure.data
    if kind == GoalKind.RACE:
        seconds = u.parse_duration(form.race_time.data or "")
        if seconds is None:
            raise GoalError("Enter the time to beat, such as 50:00 or 1:45:00.", "race_time")
        return seconds
    text = (form.amount.data or "").strip()
    if kind != GoalKind.HABIT and measure == Measure.TIME and ":" in text:
        seconds = u.parse_duration(text + ":00")
        if seconds is None:
            raise GoalError("Enter hours, such as 2.5 or 2:30.", "amount")
        return seconds
    try:
        value = float(text)
    except ValueError:
        raise GoalError("Enter a number.", "amount") from None
    if not 0 < value < 1e6:
        raise GoalError("A target is above zero.", "amount")
    if kind == GoalKind.HABIT or measure == Measure.RUNS:
        return value
    return value * 3600 if measure == Measure.TIME else u.to_metres(value, current_user.units)


def _spec(form: GoalForm) -> GoalSpec:
    kind = form.kind.data or ""
    starts_on = form.starts_on.data
    ends_on = form.ends_on.data
    if kind in (GoalKind.WEEKLY, GoalKind.HABIT) and form.weeks.data:
        ends_on = starts_on + timedelta(days=7 * form.weeks.data - 1)
    if ends_on is None:
        raise GoalError("Enter the deadline.", "ends_on")
    return GoalSpec(
        kind=kind,
        target=_target(form),
        starts_on=starts_on,
        ends_on=ends_on,
        measure=form.measure.data if kind in (GoalKind.TOTAL, GoalKind.WEEKLY) else None,
        race_label=form.race_label.data if kind == GoalKind.RACE else None,
        timezone=current_user.timezone,
        club_id=form.club_id.data or None,
    )


def _on_form(error: GoalError, form: GoalForm) -> GoalError:
    """The service's target is the form's amount, or its time to beat for a race."""
    if error.field == "target":
        error.field = "race_time" if form.kind.data == GoalKind.RACE else "amount"
    return error


def _form(goal: Goal | None = None) -> GoalForm:
    """The builder: on a GET, filled from the goal being edited and then from the query
    string (a nearer goal offered on the goals page arrives that way)."""
    form = GoalForm()
    form.club_id.choices = [(0, "Nobody: it is mine")] + [
        (m.club.id, m.club.name) for m in my_clubs(current_user.id)
    ]
    if request.method == "GET":
        given = queries.form_fields(goal, current_user.units) if goal else {}
        given |= {"club_id": str(goal.club_id or 0)} if goal else {}
        given |= {name: value for name, value in request.args.items() if name in GoalForm.FIELDS}
        for name, value in given.items():
            try:
                form[name].process_formdata([value])
            except ValueError:
                form[name].data = None  # a bad value in a link: the field is left empty
        if form.starts_on.data is None:
            form.starts_on.data = _today()
    return form


def _why_form() -> WhyForm:
    form = WhyForm()
    if request.method == "GET":
        form.statement.data = current_user.why_i_run
        form.public.data = current_user.why_i_run_public
    return form


@bp.get("/")
@login_required
def index() -> str:
    page = queries.goals_page(current_runner(), utcnow())
    return render_template("goals/index.html", page=page, why_form=_why_form())


@bp.post("/why")
@login_required
def why() -> Response | tuple[str, int]:
    form = _why_form()
    if form.validate_on_submit():
        services.set_why_i_run(current_runner(), form.statement.data or "", form.public.data)
        db.session.commit()
        flash("Saved: why you run.", "success")
        return redirect(url_for("goals.index"))
    page = queries.goals_page(current_runner(), utcnow())
    return render_template("goals/index.html", page=page, why_form=form), 400


def _builder(goal: Goal | None) -> Response | tuple[str, int]:
    """The goal builder, setting a new goal or changing `goal`."""
    form = _form(goal)
    if form.validate_on_submit():
        try:
            if goal is None:
                goal = services.create_goal(current_runner(), _spec(form), _today())
            else:
                services.update_goal(current_runner(), goal, _spec(form), _today())
        except GoalError as error:
            db.session.rollback()
            show_refusal(form, _on_form(error, form))
        else:
            db.session.commit()
            flash("Goal changed." if request.view_args else "Goal set.", "success")
            return redirect(url_for("goals.index", _anchor=f"goal-{goal.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("goals/form.html", form=form, goal=goal), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Response | tuple[str, int]:
    return _builder(None)


@bp.route("/<int:goal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(goal_id: int) -> Response | tuple[str, int]:
    return _builder(_own_goal(goal_id))


@bp.post("/<int:goal_id>/delete")
@login_required
def delete(goal_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    services.delete_goal(current_runner(), _own_goal(goal_id))
    db.session.commit()
    flash("Goal deleted.", "success")
    return redirect(url_for("goals.index"))


@bp.post("/<int:goal_id>/steps")
@login_required
def add_steps(goal_id: int) -> Response:
    """The suggested steps, each a goal of its own under this one (edit or delete them)."""
    goal = _own_goal(goal_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    made = services.add_suggested_steps(current_runner(), goal, _today())
    db.session.commit()
    flash(f"{len(made)} steps added." if made else "This goal has its steps.", "success")
    return redirect(url_for("goals.index", _anchor=f"goal-{goal.id}"))


@bp.get("/clubs/<slug>")
@login_required
def club(slug: str) -> str:
    """The goals a club's members shared with it: for its members only."""
    found = club_by_slug(slug)
    if found is None or membership_of(found.id, current_user.id) is None:
        abort(404)
    shared = club_goals(found.id, current_user.id, current_user.units, utcnow())
    return render_template("goals/club.html", club=found, shared=shared)


@bp.post("/<int:goal_id>/cheer")
@login_required
def cheer(goal_id: int) -> Response:
    goal = db.session.get(Goal, goal_id)
    if goal is None or not services.can_see_shared(goal, current_user.id):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.cheer(current_runner(), goal)
    except GoalError as error:
        db.session.rollback()
        flash(str(error), "info")
    else:
        db.session.commit()
    slug = goal.club.slug if goal.club else ""  # shared, so in a club
    return redirect(url_for("goals.club", slug=slug, _anchor=f"goal-{goal.id}"))
