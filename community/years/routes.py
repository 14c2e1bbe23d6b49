from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from community.accounts import blocks
from community.accounts import services as accounts
from community.clubs.queries import club_by_slug
from community.clubs.services import can_see_content
from community.db_types import utcnow
from community.extensions import db
from community.forms import ActionForm
from community.security import viewer_id
from community.years import queries, services

bp = Blueprint("years", __name__)

FIRST_YEAR = 2000


@bp.get("/year")
@login_required
def this_year() -> Response:
    year = utcnow().astimezone(current_user.zone).year
    return redirect(url_for("years.show", username=current_user.username, year=year))


@bp.get("/u/<username>/year/<int:year>")
def show(username: str, year: int) -> str:
    runner = accounts.user_by_username(username)
    viewer = viewer_id()
    now = utcnow()
    if runner is None or not FIRST_YEAR <= year <= now.year + 1:
        abort(404)
    own = viewer == runner.id
    # Someone else's year: only shared, and never across a block (the same 404 as none).
    if not own and (
        blocks.hidden_from(viewer, runner.id) or not queries.is_shared(runner.id, year)
    ):
        abort(404)
    units = current_user.units if current_user.is_authenticated else "km"
    page = queries.year_page(runner, year, viewer, now, units)
    return render_template("years/show.html", page=page, action_form=ActionForm())


@bp.post("/u/<username>/year/<int:year>/share")
@login_required
def share(username: str, year: int) -> Response:
    if username != current_user.username or not FIRST_YEAR <= year <= utcnow().year + 1:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    shared = services.toggle_share(current_user.id, year)
    db.session.commit()
    flash(
        f"Your {year} in running is public now: anyone with the link sees it (public runs only)."
        if shared
        else f"Your {year} in running is yours alone again.",
        "success",
    )
    return redirect(url_for("years.show", username=username, year=year))


@bp.get("/clubs/<slug>/year/<int:year>")
def club(slug: str, year: int) -> str:
    """A club's year, for whoever may see the club's runs and feed (a private club's: its
    members)."""
    found = club_by_slug(slug)
    now = utcnow()
    if found is None or not can_see_content(found, viewer_id()):
        abort(404)
    if not FIRST_YEAR <= year <= now.year + 1:
        abort(404)
    units = current_user.units if current_user.is_authenticated else "km"
    page = queries.club_year_page(found, year, now, units)
    return render_template("years/club.html", page=page)
