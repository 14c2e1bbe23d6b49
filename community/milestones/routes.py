from flask import Blueprint, render_template
from flask_login import current_user, login_required

from community import pages
from community.accounts.models import User
from community.milestones import queries
from community.milestones.badges import BADGES

bp = Blueprint("milestones", __name__, url_prefix="/milestones")


@bp.get("/")
@login_required
def index() -> str:
    """The runner's own trophy case in full, and how every badge is earned."""
    case = queries.trophy_case(current_user.id, current_user.id, current_user.units)
    return render_template("milestones/index.html", case=case, badges=list(BADGES.values()))


@pages.slot(bp, "profile", "trophies")
def profile_slot(user: User, viewer: int | None) -> queries.TrophyCase:
    units = current_user.units if current_user.is_authenticated else "km"
    return queries.trophy_case(user.id, viewer, units)
