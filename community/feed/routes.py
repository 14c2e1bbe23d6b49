from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from community.accounts import blocks
from community.accounts.services import user_by_username
from community.actions import one_click
from community.clubs.queries import club_by_slug
from community.clubs.services import can_see_content
from community.db_types import utcnow
from community.extensions import db
from community.feed import queries, services
from community.feed.forms import CommentForm
from community.security import current_runner, viewer_id

bp = Blueprint("feed", __name__, url_prefix="/feed")


def _before() -> int | None:
    return request.args.get("before", type=int)


@bp.get("/")
@login_required
def home() -> str:
    page = queries.home(current_user.id, _before())
    more = url_for("feed.home", before=page.before)
    return render_template("feed/page.html", page=page, heading="Your feed", more_url=more)


@bp.get("/clubs/<slug>")
def club(slug: str) -> str:
    found = club_by_slug(slug)
    if found is None or not can_see_content(found, viewer_id()):
        abort(404)
    page = queries.club(found.id, viewer_id(), _before())
    more = url_for("feed.club", slug=found.slug, before=page.before)
    heading = f"{found.name}: club feed"
    return render_template("feed/page.html", page=page, heading=heading, more_url=more)


@bp.get("/u/<username>")
def profile(username: str) -> str:
    user = user_by_username(username)
    if user is None or blocks.between(viewer_id(), user.id):
        abort(404)
    page = queries.profile(user.id, viewer_id(), _before())
    more = url_for("feed.profile", username=user.username, before=page.before)
    heading = f"{user.display_name}: runs and milestones"
    return render_template("feed/page.html", page=page, heading=heading, more_url=more)


def _back() -> str:
    """Where the button was pressed: a path on this site, or the home feed."""
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("feed.home")


def _cheer(action: Callable[[], object], success: str) -> Response:
    """Run a one-click feed action; an item the runner may not see is a 404."""
    try:
        return one_click(
            action,
            refused=services.FeedError,
            forbidden=services.NotAllowed,
            to=_back(),
            success=success,
        )
    except services.NotFound:
        db.session.rollback()
        abort(404)


@bp.post("/items/<int:item_id>/kudos")
@login_required
def give_kudos(item_id: int) -> Response:
    return _cheer(
        lambda: services.give_kudos(current_runner(), item_id, now=utcnow()),
        "Kudos given. Nice one!",
    )


@bp.post("/items/<int:item_id>/kudos/delete")
@login_required
def take_back_kudos(item_id: int) -> Response:
    return _cheer(lambda: services.take_back_kudos(current_runner(), item_id), "Kudos taken back.")


def _comment_action(action: Callable[[], object], success: str) -> Response:
    form = CommentForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        flash(" ".join(form.body.errors) or "Write something first.", "error")
        return redirect(_back())
    return _cheer(action, success)


@bp.post("/items/<int:item_id>/comments")
@login_required
def comment(item_id: int) -> Response:
    body = request.form.get("body", "")
    return _comment_action(
        lambda: services.add_comment(current_runner(), item_id, body, now=utcnow()),
        "Comment posted.",
    )


@bp.post("/comments/<int:comment_id>/edit")
@login_required
def edit_comment(comment_id: int) -> Response:
    body = request.form.get("body", "")
    return _comment_action(
        lambda: services.edit_comment(current_runner(), comment_id, body, now=utcnow()),
        "Comment saved.",
    )


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id: int) -> Response:
    return _cheer(lambda: services.delete_comment(current_runner(), comment_id), "Comment deleted.")


@bp.app_template_global("feed_comments")
def feed_comments(page: queries.Page) -> dict[int, list[queries.Shown]]:
    return queries.comments_for(page.items, viewer_id())


@bp.app_template_filter("mentions")
def mentions(body: str) -> Markup:
    """Plain text, escaped, with each @name linked to that runner's profile."""
    escaped = str(escape(body))
    return Markup(  # noqa: S704 (escaped above; usernames are [a-z0-9_] only)
        services.MENTION.sub(
            lambda m: (
                f'<a href="{url_for("accounts.profile", username=m.group(1).lower())}">'
                f"@{m.group(1)}</a>"
            ),
            escaped,
        )
    )


@bp.app_template_global("feed_cheers")
def feed_cheers(page: queries.Page) -> dict[int, queries.Cheers]:
    return queries.cheers_for([item.id for item in page.items], viewer_id())


@bp.app_template_global("club_feed")
def club_feed(club_id: int) -> queries.Page:
    """The club page's feed (the page has checked the viewer may see the club)."""
    return queries.club(club_id, viewer_id())


@bp.app_template_global("profile_feed")
def profile_feed(user_id: int) -> queries.Page:
    return queries.profile(user_id, viewer_id())


@bp.app_template_global("home_feed")
def home_feed() -> queries.Page:
    return queries.home(current_user.id)
