from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from community import pages
from community.challenges.summaries import dashboard_challenges
from community.db_types import utcnow
from community.goals.queries import dashboard_goals
from community.home.queries import dashboard as dashboard_of
from community.security import current_runner

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    return render_template("home/index.html")


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    home = dashboard_of(current_runner(), utcnow())
    return render_template(
        "home/dashboard.html",
        home=home,
        # A runner in a club has a network: the feed need not ask.
        slots=pages.fill("dashboard", viewer=current_user.id, in_a_club=bool(home.clubs)),
        challenges=dashboard_challenges(current_user.id, current_user.units, utcnow()),
        goals=dashboard_goals(current_runner(), utcnow()),
    )
