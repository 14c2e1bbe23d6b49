from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from community import maps, pages
from community.accounts.models import User
from community.actions import one_click
from community.activities.route_svg import route_polyline
from community.activities.tracks import TrackError, parse_route
from community.clubs.models import Club
from community.clubs.queries import club_by_slug
from community.clubs.services import can_see_content, is_admin, membership_of
from community.db_types import utcnow
from community.extensions import db
from community.forms import ActionForm, show_refusal
from community.group_runs import attendance, calendar, queries, scheduling, series, services
from community.group_runs.forms import CapacityForm, EditRunForm, RunDetailsForm, ScheduleForm
from community.group_runs.models import GroupRun, RsvpStatus
from community.params import form_id
from community.security import current_runner
from community.units import from_metres, to_metres

bp = Blueprint("group_runs", __name__)


def _run(run_id: int) -> GroupRun:
    run = db.session.get(GroupRun, run_id)
    viewer = current_user.id if current_user.is_authenticated else None
    if run is None or not can_see_content(run.club, viewer):
        abort(404)
    return run


def _pace_groups(form: ScheduleForm, club_id: int) -> list[scheduling.PaceGroupSpec]:
    specs = []
    for entry in form.pace_groups.entries:
        row = entry.form
        if not (row.name.data or "").strip():
            continue
        leader_id = None
        if (row.leader.data or "").strip():
            leader_id = db.session.scalar(
                select(User.id).where(User.username == row.leader.data.strip().lower())
            )
            if leader_id is None or membership_of(club_id, leader_id) is None:
                raise services.GroupRunError(
                    f"{row.leader.data} is not a member of this club.", field="pace_groups"
                )
        specs.append(
            scheduling.PaceGroupSpec(
                name=row.name.data,
                capacity=row.capacity.data,
                no_drop=bool(row.no_drop.data),
                leader_id=leader_id,
            )
        )
    return specs


def _details(form: RunDetailsForm, zone: ZoneInfo) -> scheduling.RunChanges:
    """The form's run in UTC and SI units: clock times are the club's."""
    deadline = form.rsvp_deadline.data
    distance = form.planned_distance.data
    return scheduling.RunChanges(
        title=form.title.data or "",
        starts_at=datetime.combine(form.date.data, form.time.data, tzinfo=zone).astimezone(UTC),
        meeting_point=form.meeting_point.data or "",
        description=form.description.data or "",
        latitude=float(form.latitude.data) if form.latitude.data is not None else None,
        longitude=float(form.longitude.data) if form.longitude.data is not None else None,
        planned_distance_m=to_metres(float(distance), current_user.units) if distance else None,
        rsvp_deadline=deadline.replace(tzinfo=zone).astimezone(UTC) if deadline else None,
    )


def _show_error(form: FlaskForm, error: services.GroupRunError) -> None:
    db.session.rollback()
    show_refusal(form, error)


def _route(form: ScheduleForm) -> list[tuple[float, float]] | None:
    upload = form.route_file.data
    if not upload or not upload.filename:
        return None
    try:
        return parse_route(upload.filename, upload.read())
    except TrackError as error:
        raise services.GroupRunError(str(error), field="route_file") from error


def _schedule(form: ScheduleForm, club: Club) -> GroupRun:
    details = _details(form, club.zone)
    groups = _pace_groups(form, club.id)
    route = _route(form)
    if form.repeat.data == "once":
        return scheduling.schedule_run(
            current_runner(),
            club,
            **asdict(details),
            now=utcnow(),
            capacity=form.capacity.data,
            pace_groups=groups,
            route=route,
        )
    made = series.create_series(
        current_runner(),
        club,
        title=details.title,
        first_date=form.date.data,
        local_time=form.time.data,
        meeting_point=details.meeting_point,
        now=utcnow(),
        interval_weeks=int(form.repeat.data or 1),
        until_date=form.repeat_until.data,
        description=details.description,
        latitude=details.latitude,
        longitude=details.longitude,
        planned_distance_m=details.planned_distance_m,
        capacity=form.capacity.data,
        pace_groups=groups,
        route=route,
    )
    return queries.first_occurrence(made.id)


@bp.route("/clubs/<slug>/group-runs/new", methods=["GET", "POST"])
@login_required
def schedule(slug: str) -> Response | tuple[str, int]:
    club = club_by_slug(slug)
    if club is None:
        abort(404)
    if not scheduling.may_schedule(club, current_user.id):
        abort(403)
    form = ScheduleForm()
    if form.validate_on_submit():
        try:
            run = _schedule(form, club)
        except services.GroupRunError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash("The run is on the calendar.", "success")
            return redirect(url_for("group_runs.show", run_id=run.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("group_runs/schedule.html", form=form, club=club), status


@bp.route("/group-runs/<int:run_id>/edit", methods=["GET", "POST"])
@login_required
def edit(run_id: int) -> Response | tuple[str, int]:
    run = _run(run_id)
    if not is_admin(run.club_id, current_user.id):
        abort(403)
    form = EditRunForm(obj=run)
    zone = run.club.zone
    if request.method == "GET":
        local = run.starts_at.astimezone(zone)
        form.date.data, form.time.data = local.date(), local.time().replace(tzinfo=None)
        if run.rsvp_deadline:
            form.rsvp_deadline.data = run.rsvp_deadline.astimezone(zone).replace(tzinfo=None)
        if run.planned_distance_m:
            form.planned_distance.data = round(
                from_metres(run.planned_distance_m, current_user.units), 1
            )
    if form.validate_on_submit():
        changes = _details(form, zone)
        try:
            if form.apply_to.data == "following" and run.series_id:
                series.change_following(current_runner(), run, changes, now=utcnow())
            else:
                scheduling.change_run(current_runner(), run, changes, now=utcnow())
        except services.NotAllowed:
            db.session.rollback()
            abort(403)
        except services.GroupRunError as error:
            _show_error(form, error)
        else:
            db.session.commit()
            flash(
                "The run is updated; everyone going has been told of any new time or place.",
                "success",
            )
            return redirect(url_for("group_runs.show", run_id=run.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("group_runs/edit.html", form=form, run=run), status


@bp.get("/group-runs/")
@login_required
def upcoming() -> str:
    return render_template(
        "group_runs/upcoming.html",
        runs=queries.upcoming_for_member(current_user.id, utcnow()),
        feed=calendar.feed_of(current_runner()),
    )


@bp.get("/group-runs/<int:run_id>")
def show(run_id: int) -> str:
    run = _run(run_id)
    groups, maybe = queries.roster(run)
    mine = queries.rsvp_of(run.id, current_user.id) if current_user.is_authenticated else None
    membership = (
        membership_of(run.club_id, current_user.id) if current_user.is_authenticated else None
    )
    now = utcnow()
    ran = attendance.attendees(run.id)
    my_runs = []
    if membership and run.starts_at < now and all(a.user_id != current_user.id for a in ran):
        my_runs = attendance.runs_near(current_user.id, run.starts_at)
    template = (
        "group_runs/_roster.html"
        if request.args.get("fragment") == "roster"
        else ("group_runs/show.html")
    )
    return render_template(
        template,
        run=run,
        groups=groups,
        maybe=maybe,
        mine=mine,
        is_admin=bool(membership and membership.is_admin),
        now=now,
        ran=ran,
        my_runs=my_runs,
        route=route_polyline([(lat, lon) for lat, lon in run.route]) if run.route else None,
        place_map=_map_of(run),
    )


def _map_of(run: GroupRun) -> maps.MapView | None:
    """The meeting point over the planned route, or either alone."""
    route = [(lat, lon) for lat, lon in run.route] if run.route else []
    place = (
        maps.Place(run.meeting_point, run.latitude, run.longitude)
        if run.latitude is not None and run.longitude is not None
        else None
    )
    what = (
        "the meeting point and planned route"
        if place and route
        else ("the meeting point" if place else "the planned route")
    )
    return maps.place_map(f"Map of {what} of {run.title}", place, kind="meeting", route=route)


@pages.slot(bp, "club", "group_runs")
def upcoming_group_runs(club: Club, viewer: int | None, **_: object) -> list[GroupRun]:
    """The club page's slot for its next runs (the club feature knows nothing of runs)."""
    return queries.upcoming_for_club(club.id, utcnow())


def _ics(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/group-runs/<int:run_id>.ics")
def run_ics(run_id: int) -> Response:
    run = _run(run_id)
    url = url_for("group_runs.show", run_id=run.id, _external=True)
    event = calendar.run_event(run, url, now=utcnow())
    return _ics(calendar.calendar([event], run.club.name), f"runhive-{run.id}.ics")


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    """The runner's subscription feed: the secret token is the only credential."""
    user = calendar.user_for_token(token)
    if user is None:
        abort(404)
    now = utcnow()
    events = [
        calendar.run_event(
            run,
            url_for("group_runs.show", run_id=run.id, _external=True),
            now=now,
            tentative=waiting,
        )
        for run, waiting in calendar.feed_runs(user.id, now)
    ]
    return _ics(calendar.calendar(events, "Runhive group runs"), "runhive.ics")


@bp.post("/calendar/feed")
@login_required
def new_feed() -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    calendar.new_feed_token(current_runner())
    db.session.commit()
    flash("Your calendar link is ready. Any older link no longer works.", "success")
    return redirect(url_for("group_runs.upcoming"))


@bp.post("/calendar/feed/revoke")
@login_required
def revoke_feed() -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    calendar.revoke_feed(current_runner())
    db.session.commit()
    flash("Your calendar link no longer works.", "info")
    return redirect(url_for("group_runs.upcoming"))


@pages.slot(bp, "club", "regulars")
def club_regulars(club: Club, viewer: int | None, **_: object) -> list[tuple[User, int]]:
    """The club page's slot for its regulars over the last 90 days."""
    return attendance.regulars(club.id, since=utcnow() - timedelta(days=90))


RSVP_MESSAGES = {
    "going": "You're going. See you there!",
    "waitlisted": "That group is full: you're on its waitlist and will move up automatically.",
    "maybe": "Marked as maybe.",
    "not_going": "You're not going.",
}


def _act(run: GroupRun, action: Callable[[], str]) -> Response:
    """A one-click action on a run page: CSRF-checked, committed, its outcome flashed."""
    return one_click(
        action,
        refused=services.GroupRunError,
        forbidden=services.NotAllowed,
        to=url_for("group_runs.show", run_id=run.id),
    )


@bp.post("/group-runs/<int:run_id>/rsvp")
@login_required
def rsvp(run_id: int) -> Response:
    run = _run(run_id)

    def answer() -> str:
        try:
            status = RsvpStatus(request.form.get("status", ""))
        except ValueError as error:
            raise services.GroupRunError("Choose going, maybe or not going.") from error
        group_id = form_id("pace_group")
        row = services.rsvp(current_runner(), run, status, now=utcnow(), pace_group_id=group_id)
        return RSVP_MESSAGES[row.status]

    return _act(run, answer)


@bp.post("/group-runs/<int:run_id>/groups/<int:group_id>/capacity")
@login_required
def capacity(run_id: int, group_id: int) -> Response:
    run = _run(run_id)

    def change() -> str:
        # one_click has checked the token; the form checks the number.
        form = CapacityForm(meta={"csrf": False})
        if not form.validate():
            raise services.GroupRunError(
                "Places: a whole number from 0 to 10,000, or empty for no limit.", field="capacity"
            )
        services.set_capacity(current_runner(), run, group_id, form.capacity.data)
        return "Capacity updated."

    return _act(run, change)


@bp.post("/group-runs/<int:run_id>/cancel")
@login_required
def cancel(run_id: int) -> Response:
    run = _run(run_id)

    def cancel_it() -> str:
        scheduling.cancel_run(current_runner(), run, now=utcnow())
        return "The run is cancelled; everyone going has been told."

    return _act(run, cancel_it)


@bp.post("/group-runs/<int:run_id>/attendance")
@login_required
def link_attendance(run_id: int) -> Response:
    run = _run(run_id)

    def link_or_unlink() -> str:
        if request.form.get("remove"):
            attendance.unlink(current_runner(), run)
            return "Your run is no longer linked to this group run."
        attendance.link(current_runner(), run, form_id("activity") or 0)
        return "Linked: you ran this one together."

    return _act(run, link_or_unlink)
