from collections.abc import Callable
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from community import maps, pages
from community.accounts.models import User
from community.activities import (
    analysis,
    imports,
    profile,
    progress,
    queries,
    records,
    services,
)
from community.activities.forms import RunEditForm, RunForm, UploadForm
from community.activities.models import Run
from community.activities.route_svg import track_polyline
from community.db_types import utcnow
from community.extensions import db
from community.forms import ActionForm, show_refusal
from community.params import page_arg
from community.realtime import emit_after_commit, user_room
from community.security import current_runner, viewer_id
from community.units import (
    FEET_PER_METRE,
    format_duration,
    from_metres,
    parse_duration,
    to_metres,
    unit_length,
)

bp = Blueprint("activities", __name__, url_prefix="/runs")


def _run(run_id: int) -> Run:
    run = db.session.get(Run, run_id)
    viewer = current_user.id if current_user.is_authenticated else None
    if run is None or not queries.can_view(run, viewer):
        abort(404)  # a run you may not see is indistinguishable from no run
    return run


def _details(form: RunForm, user: User, run: Run | None = None) -> services.RunDetails:
    """The form's values in SI units and UTC (a file's measured values stay as they were)."""
    if run is not None and run.has_track:
        start, distance_m, duration_s, elevation = (
            run.start_time,
            run.distance_m,
            run.duration_s,
            run.elevation_gain_m,
        )
    else:
        local = datetime.combine(form.date.data, form.time.data, tzinfo=user.zone)
        start = local.astimezone(UTC)
        distance_m = to_metres(float(form.distance.data or 0), user.units)
        duration_s = parse_duration(form.duration.data or "") or 0.0
        gain = form.elevation_gain.data
        elevation = (
            None if gain is None else float(gain) / (FEET_PER_METRE if user.units == "mi" else 1.0)
        )
    return services.RunDetails(
        start_time=start,
        distance_m=distance_m,
        duration_s=duration_s,
        title=form.title.data or "",
        notes=form.notes.data or "",
        run_type=form.run_type.data or "easy",
        visibility=form.visibility.data or user.default_visibility,
        elevation_gain_m=elevation,
        effort=form.effort.data,
    )


def _save(
    form: RunForm, run: Run | None, action: Callable[[], Run], success: str
) -> Response | tuple[str, int]:
    """Save a valid form through `action`, or show the form again with what to fix (and the
    pace confirmation when the service asks for it)."""
    needs_confirmation = False
    if form.validate_on_submit():
        try:
            saved = action()
        except services.RunError as error:
            db.session.rollback()
            needs_confirmation = isinstance(error, services.NeedsConfirmation)
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for("activities.show", run_id=saved.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "activities/form.html", form=form, run=run, needs_confirmation=needs_confirmation
    ), status


@bp.get("/")
@login_required
def mine() -> str:
    page = queries.runs_of(current_user.id, page_arg())
    return render_template("activities/list.html", page=page)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Response | tuple[str, int]:
    user = current_runner()
    form = RunForm()
    if request.method == "GET":
        now_local = utcnow().astimezone(user.zone)
        form.date.data, form.time.data = now_local.date(), now_local.time().replace(second=0)
        form.visibility.data = user.default_visibility
    return _save(
        form,
        None,
        lambda: services.log_run(
            user, _details(form, user), now=utcnow(), confirmed_fast=form.confirm_fast.data
        ),
        "Run logged. Nice work!",
    )


@bp.route("/upload", methods=["GET", "POST"])
@login_required
def upload() -> tuple[str, int]:
    user = current_runner()
    form = UploadForm()
    results: list[imports.ImportResult] = []
    if form.validate_on_submit():
        uploads = [f for f in request.files.getlist(form.files.name) if f.filename]
        for number, storage in enumerate(uploads, start=1):
            for result in imports.import_upload(
                user, storage.filename or "upload", storage.read(), now=utcnow()
            ):
                results.append(result)
                emit_after_commit(
                    "import:progress",
                    {
                        "file": number,
                        "files": len(uploads),
                        "name": result.filename,
                        "status": result.status,
                        "done": len(results),
                    },
                    room=user_room(user.id),
                )
                db.session.commit()
    status = 400 if form.errors else 200
    return render_template("activities/upload.html", form=form, results=results), status


@bp.get("/progress")
@login_required
def progress_page() -> str:
    user = current_runner()
    now = utcnow()
    this_week = progress.week_starts(now, user.zone, 1)[0]
    this_month = progress.month_starts(now, user.zone, 1)[0]
    local_now = now.astimezone(user.zone)
    year_start = local_now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    totals = progress.totals_since(
        user.id,
        {
            "This week": this_week,
            "This month": this_month,
            "This year": year_start,
            "All time": None,
        },
    )
    week_charts, month_charts = progress.progress_charts(user.id, now, user.zone, user.units)
    return render_template(
        "activities/progress.html",
        week_charts=week_charts,
        month_charts=month_charts,
        totals=totals,
        streak=progress.week_streak(user.id, now, user.zone),
        bests=queries.personal_bests(user.id),
    )


@bp.get("/<int:run_id>")
def show(run_id: int) -> str:
    run = _run(run_id)
    points = queries.track_points(run.id) if run.has_track else None
    units = current_user.units if current_user.is_authenticated else "km"
    run_splits: list[analysis.Split] = []
    if points:
        start = points[0].time
        run_splits = analysis.splits(
            [p.distance for p in points],
            [(p.time - start).total_seconds() for p in points],
            unit_length(units),
            [p.elevation for p in points],
        )
    return render_template(
        "activities/show.html",
        run=run,
        route=track_polyline(points) if points else None,
        route_map=maps.route_map(f"Map of the route of {run.title}", maps.located(points or [])),
        splits=run_splits,
        profile=profile.run_profile(points, units) if points else [],
        efforts=queries.efforts_of(run.id),
        suspect=records.suspect_notice(run.suspect_reason) if run.suspect_reason else None,
        slots=pages.fill("run", run_id=run.id, viewer=viewer_id()),
    )


@bp.route("/<int:run_id>/edit", methods=["GET", "POST"])
@login_required
def edit(run_id: int) -> Response | tuple[str, int]:
    run = _run(run_id)
    if run.user_id != current_user.id:
        abort(403)
    user = current_runner()
    form = (RunEditForm if run.has_track else RunForm)(obj=run)
    if request.method == "GET":
        local = run.start_time.astimezone(user.zone)
        form.date.data, form.time.data = local.date(), local.time()
        form.distance.data = round(from_metres(run.distance_m, user.units), 2)
        form.duration.data = format_duration(run.duration_s)
        if run.elevation_gain_m is not None:
            factor = FEET_PER_METRE if user.units == "mi" else 1.0
            form.elevation_gain.data = round(run.elevation_gain_m * factor)
    return _save(
        form,
        run,
        lambda: services.update_run(
            user,
            run,
            _details(form, user, run),
            now=utcnow(),
            confirmed_fast=form.confirm_fast.data,
        ),
        "Run updated.",
    )


@bp.post("/<int:run_id>/delete")
@login_required
def delete(run_id: int) -> Response:
    run = _run(run_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.delete_run(current_runner(), run)
    except services.NotYourRun:
        abort(403)
    db.session.commit()
    flash("Run deleted.", "info")
    return redirect(url_for("activities.mine"))
