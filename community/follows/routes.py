from flask import Blueprint, abort, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from community.accounts.models import User
from community.actions import one_click
from community.db_types import utcnow
from community.extensions import db
from community.follows import queries, services

bp = Blueprint("follows", __name__)


class _Never(Exception):
    """No follow action is forbidden to a logged-in runner: each acts on their own rows."""


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def _runner(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username.lower()))
    if user is None:
        abort(404)
    return user


def _on_profile(action, user: User) -> Response:  # type: ignore[no-untyped-def]
    return one_click(
        action,
        refused=services.FollowError,
        forbidden=_Never,
        to=url_for("accounts.profile", username=user.username),
    )


@bp.post("/u/<username>/follow")
@login_required
def follow(username: str) -> Response:
    user = _runner(username)

    def act() -> str:
        made = services.follow(_me(), user, now=utcnow())
        if made.status == "pending":
            return f"Request sent: {user.display_name} approves each follower."
        return f"You follow {user.display_name}."

    return _on_profile(act, user)


@bp.post("/u/<username>/unfollow")
@login_required
def unfollow(username: str) -> Response:
    user = _runner(username)

    def act() -> str:
        services.unfollow(_me(), user)
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
        lambda: services.approve(_me(), follower_id, now=utcnow()),
        refused=services.FollowError,
        forbidden=_Never,
        to=url_for("follows.requests"),
        success="Approved: they follow you now.",
    )


@bp.post("/follows/requests/<int:follower_id>/decline")
@login_required
def decline(follower_id: int) -> Response:
    return one_click(
        lambda: services.decline(_me(), follower_id),
        refused=services.FollowError,
        forbidden=_Never,
        to=url_for("follows.requests"),
        success="Declined.",
    )


@bp.app_template_global("follow_panel")
def follow_panel(user_id: int) -> dict[str, object]:
    """What a profile shows about following: the counts, and the viewer's own follow."""
    viewer = current_user.id if current_user.is_authenticated else None
    return {"counts": queries.counts_of(user_id), "status": queries.status_of(viewer, user_id)}
