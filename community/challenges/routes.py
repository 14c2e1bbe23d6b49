from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from community import pages
from community.accounts.models import User
from community.actions import one_click
from community.challenges import (
    board_cache,
    club_boards,
    history,
    queries,
    rules,
    services,
    summaries,
)
from community.challenges.counting import counted_runs, safe_weeks
from community.challenges.forms import ChallengeForm, MonthlyForm
from community.challenges.models import Challenge, ChallengeKind
from community.challenges.tally import club_total
from community.clubs.models import Club
from community.clubs.queries import club_by_slug
from community.clubs.services import can_see_content
from community.database import writes_ahead
from community.db_types import utcnow
from community.extensions import db
from community.forms import show_refusal
from community.params import page_arg
from community.security import current_runner, viewer_id
from community.units import from_metres, parse_duration, to_metres

bp = Blueprint("challenges", __name__, url_prefix="/challenges")

SCOPES = ("all", "clubs", "following")


def _challenge(challenge_id: int) -> Challenge:
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None or not services.can_view(challenge, viewer_id()):
        abort(404)
    return challenge


def _goal(kind: str, text: str, units: str) -> float | None:
    """The goal field read by kind, into SI units."""
    text = (text or "").strip()
    if not text:
        return None
    if kind == ChallengeKind.FASTEST_EFFORT.value:
        seconds = parse_duration(text)
        if seconds is None:
            raise services.ChallengeError("Enter a target time such as 22:30.", field="goal")
        return seconds
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise services.ChallengeError("Enter a number.", field="goal") from None
    if kind in rules.DISTANCE_KINDS:
        return to_metres(value, units)
    if kind == ChallengeKind.TIME.value:
        return value * 3600
    if kind == ChallengeKind.ELEVATION.value:
        return value / 3.28084 if units == "mi" else value
    return value


def _spec(form: ChallengeForm) -> services.ChallengeSpec:
    kind = form.kind.data or ""
    return services.ChallengeSpec(
        title=form.title.data or "",
        description=form.description.data or "",
        kind=kind,
        goal=_goal(kind, form.goal.data or "", current_user.units),
        effort_label=form.effort_label.data,
        runs_per_week=form.runs_per_week.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        timezone=form.timezone.data or "UTC",
        grace_days=form.grace_days.data if form.grace_days.data is not None else 3,
        freeze_hours=form.freeze_hours.data or 0,
        safe_mode=bool(form.safe_mode.data),
    )


@bp.get("/")
def index() -> str:
    now = utcnow()
    # The month's challenges appear with the month's first visit (cron does it too).
    if services.monthly_missing(now):
        writes_ahead()
        services.ensure_monthly(now)
        db.session.commit()
    past = request.args.get("past") == "1"
    listed = queries.challenges_for(viewer_id(), now=now, past=past)
    mine = (
        queries.entries_of(current_user.id, [c.id for c in listed])
        if current_user.is_authenticated
        else {}
    )
    can_create = current_user.is_authenticated and current_user.is_site_admin
    return render_template(
        "challenges/index.html",
        challenges=listed,
        mine=mine,
        past=past,
        now=now,
        can_create=can_create,
    )


def _club_arg() -> Club | None:
    slug = request.args.get("club")
    if not slug:
        return None
    club = club_by_slug(slug)
    if club is None:
        abort(404)
    return club


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Response | tuple[str, int]:
    club = _club_arg()
    if not services.can_manage(current_runner(), club):
        abort(403)
    form = ChallengeForm()
    if request.method == "GET":
        form.timezone.data = club.timezone if club else current_user.timezone
    if form.validate_on_submit():
        try:
            challenge = services.create_challenge(current_runner(), club, _spec(form), now=utcnow())
        except services.NotAllowed:
            db.session.rollback()
            abort(403)
        except services.ChallengeError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("Challenge created.", "success")
            return redirect(url_for("challenges.show", challenge_id=challenge.id))
    status = 400 if request.method == "POST" else 200
    return render_template("challenges/new.html", form=form, club=club), status


def _scope() -> str:
    scope = request.args.get("scope", "all")
    return scope if scope in SCOPES and current_user.is_authenticated else "all"


@bp.get("/<int:challenge_id>")
def show(challenge_id: int) -> str:
    challenge = _challenge(challenge_id)
    now = utcnow()
    scope = _scope()
    page = page_arg()
    viewer = viewer_id()
    frozen = challenge.is_frozen_at(now)
    cols = queries.standings_for(challenge, now)
    mine = queries.my_standing(challenge, viewer, scope=scope, cols=cols) if viewer else None
    units = current_user.units if current_user.is_authenticated else "km"

    def format_total(value: float | None) -> str:
        return rules.format_total(challenge, value, units)

    together = club_total(challenge.id) if challenge.is_cooperative else None
    goal_total = rules.goal_total(challenge, mine.entry.total if mine else None, together)
    board_table = (
        None
        if challenge.is_cooperative
        else _board_table(challenge, page, scope, cols, units, format_total)
    )
    context: dict[str, Any] = {
        "challenge": challenge,
        "board_table": board_table,
        "page": page,
        "per_page": queries.PER_PAGE,
        "mine": mine,
        "scope": scope,
        "now": now,
        "frozen": frozen,
        "rules": rules.describe(challenge, units),
        "format_total": format_total,
        "can_join": current_user.is_authenticated
        and services.can_enter(current_runner(), challenge),
        "entrants": challenge.entrants,
        "club_total": together,
        # One progress for the card and the board: for a club goal, the club's together.
        "progress": rules.progress(challenge, goal_total, now)
        if mine or challenge.is_cooperative
        else None,
        "charted": history.charted(challenge),
    }
    if mine and challenge.safe_mode:
        context["safe_weeks"] = safe_weeks(
            challenge, viewer or 0, counted_runs(challenge, viewer or 0)
        )
    if request.args.get("fragment") == "board":
        # An open page reading the board again: its rows and the viewer's own standing.
        return render_template("challenges/_live.html", **context)
    return render_template("challenges/show.html", **context)


@bp.get("/<int:challenge_id>/standings")
def standings(challenge_id: int) -> Response:
    """The standings-over-time chart's data (charts.js fetches it): as the page, a private
    club's challenge is for its members only."""
    challenge = _challenge(challenge_id)
    if not history.charted(challenge):
        abort(404)
    units = current_user.units if current_user.is_authenticated else "km"
    chart = history.standings_chart(challenge, viewer_id(), units, utcnow())
    return jsonify({**chart.as_json(), "rows": chart.rows()})


def _board_table(
    challenge: Challenge,
    page: int,
    scope: str,
    cols: queries.Standings,
    units: str,
    format_total: Callable[[float | None], str],
) -> Markup:
    """The board's rows: the public board's are rendered once for every viewer."""
    viewer = viewer_id()

    def render() -> str:
        board = queries.board(challenge, viewer, page, scope=scope, cols=cols)
        return render_template(
            "challenges/_board_table.html",
            challenge=challenge,
            board=board,
            scope=scope,
            format_total=format_total,
        )

    if scope == "all":
        variant = f"{page}:{units}:{'frozen' if cols is queries.FROZEN else 'live'}"
        html = board_cache.rows(challenge, variant, render)
    else:
        html = render()  # the club filter's rows depend on the viewer
    return board_cache.mark_viewer(html, viewer)


def _act(challenge: Challenge, action: Callable[[], object], success: str) -> Response:
    return one_click(
        action,
        refused=services.ChallengeError,
        forbidden=services.NotAllowed,
        to=url_for("challenges.show", challenge_id=challenge.id),
        success=success,
    )


@bp.post("/<int:challenge_id>/join")
@login_required
def join(challenge_id: int) -> Response:
    challenge = _challenge(challenge_id)
    return _act(
        challenge,
        lambda: services.join(current_runner(), challenge, now=utcnow()),
        "You're in. Every run since the start counts.",
    )


@bp.post("/<int:challenge_id>/leave")
@login_required
def leave(challenge_id: int) -> Response:
    challenge = _challenge(challenge_id)
    return _act(
        challenge,
        lambda: services.leave(current_runner(), challenge, now=utcnow()),
        "You left the challenge.",
    )


@bp.post("/<int:challenge_id>/visibility")
@login_required
def visibility(challenge_id: int) -> Response:
    challenge = _challenge(challenge_id)
    hidden = request.form.get("hidden") == "1"
    return _act(
        challenge,
        lambda: services.set_hidden(current_runner(), challenge, hidden),
        "You're hidden from the public board." if hidden else "You're on the public board.",
    )


@bp.post("/clubs/<slug>/monthly")
@login_required
def monthly(slug: str) -> Response:
    club = club_by_slug(slug)
    if club is None or not can_see_content(club, current_user.id):
        abort(404)
    form = MonthlyForm()
    if not form.validate_on_submit():
        flash("The monthly goal is 1 to 5,000.", "error")
        return redirect(url_for("clubs.show", slug=club.slug))
    try:
        services.set_monthly(
            current_runner(),
            club,
            active=bool(form.active.data),
            goal_m=to_metres(float(form.goal.data or 0), current_user.units),
            now=utcnow(),
        )
    except services.NotAllowed:
        db.session.rollback()
        abort(403)
    except services.ChallengeError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            "Monthly challenge switched on." if form.active.data else "Monthly challenge off.",
            "success",
        )
    return redirect(url_for("clubs.show", slug=club.slug))


def _visible_club(slug: str) -> Club:
    club = club_by_slug(slug)
    if club is None or not can_see_content(club, viewer_id()):
        abort(404)
    return club


@bp.get("/clubs/<slug>/boards")
def boards(slug: str) -> str:
    """The club's weekly board (this week or last), most consistent and most improved."""
    club = _visible_club(slug)
    now = utcnow()
    measure = request.args.get("measure", "distance")
    if measure not in club_boards.MEASURES:
        measure = "distance"
    weeks_ago = 1 if request.args.get("week") == "last" else 0
    return render_template(
        "challenges/club_boards.html",
        club=club,
        measure=measure,
        weeks_ago=weeks_ago,
        weekly=club_boards.weekly(club, now, measure=measure, weeks_ago=weeks_ago),
        consistent=club_boards.most_consistent(club, now),
        improved=club_boards.most_improved(club, now),
        weeks=club_boards.CONSISTENCY_WEEKS,
    )


@dataclass(frozen=True)
class ClubSlot:
    """The club page's challenge slot: this week's board, its challenges, the monthly form."""

    page: summaries.ClubChallenges
    monthly_form: MonthlyForm


@pages.slot(bp, "club", "challenges")
def club_slot(club: Club, viewer: int | None, **_: object) -> ClubSlot:
    page = summaries.club_page(club, viewer, utcnow())
    form = MonthlyForm(formdata=None)
    form.active.data = bool(page.monthly and page.monthly.active)
    if page.monthly:
        units = current_user.units if current_user.is_authenticated else "km"
        form.goal.data = round(from_metres(page.monthly.goal_m, units))
    return ClubSlot(page, form)


@pages.slot(bp, "profile", "badges")
def profile_slot(user: User, viewer: int | None) -> list[summaries.Badge]:
    """The profile's badges: challenges completed, where the viewer may see them."""
    return summaries.badges_for(user.id, viewer)
