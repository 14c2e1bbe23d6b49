from dataclasses import dataclass

from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from community import pages
from community.accounts import blocks
from community.accounts.models import User
from community.accounts.services import user_by_username
from community.actions import one_click
from community.db_types import utcnow
from community.follows import queries, services
from community.security import current_runner, viewer_id

bp = Blueprint("follows", __name__)


def _runner(username: str) -> User:
    user = user_by_username(username)
    # Someone the runner blocked finds no such runner (accounts' profile rule).
    if user is None or blocks.hidden_from(viewer_id(), user.id):
        abort(404)
    return user


def _on_profile(action, user: User) -> Response:  # type: ignore[no-untyped-def]
    return one_click(
        action,
        refused=services.FollowError,
        to=url_for("accounts.profile", username=user.username),
    )


@bp.post("/u/<username>/follow")
@login_required
def follow(username: str) -> Response:
    user = _runner(username)

    def act() -> str:
        made = services.follow(current_runner(), user, now=utcnow())
        if made.status == "pending":
            return f"Request sent: {user.display_name} approves each follower."
        return f"You follow {user.display_name}."

    return _on_profile(act, user)


@bp.post("/u/<username>/unfollow")
@login_required
def unfollow(username: str) -> Response:
    user = _runner(username)

    def act() -> str:
        services.unfollow(current_runner(), user)
        return f"You no longer follow {user.display_name}."

    return _on_profile(act, user)


@bp.get("/follows/requests")
@login_required
def requests() -> str:
    return render_template("follows/requests.html", asking=queries.requests_for(current_user.id))


@bp.post("/follows/requests/<int:follower_id>/approve")
@login_required
def approve(follower_id: int) -> Response:
    return one_click(
        lambda: services.approve(current_runner(), follower_id, now=utcnow()),
        refused=services.FollowError,
        to=url_for("follows.requests"),
        success="Approved: they follow you now.",
    )


@bp.post("/follows/requests/<int:follower_id>/decline")
@login_required
def decline(follower_id: int) -> Response:
    return one_click(
        lambda: services.decline(current_runner(), follower_id),
        refused=services.FollowError,
        to=url_for("follows.requests"),
        success="Declined.",
    )


@dataclass(frozen=True)
class Panel:
    """What a profile shows about following: the counts, and the viewer's own follow."""

    counts: queries.Counts
    # 'accepted', 'pending', or None (not following).
    status: str | None


@pages.slot(bp, "profile", "follows")
def follow_panel(user: User, viewer: int | None) -> Panel:
    return Panel(queries.counts_of(user.id), queries.status_of(viewer, user.id))
