from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from community import pages
from community.accounts import blocks
from community.accounts.models import User
from community.accounts.services import user_by_username
from community.actions import one_click
from community.clubs.models import Club
from community.clubs.queries import club_by_slug
from community.clubs.services import can_see_content
from community.db_types import utcnow
from community.errors import error_response
from community.extensions import db
from community.feed import moderation, posts, queries, services
from community.feed.forms import CommentForm, PostForm, ReportForm
from community.forms import BaseForm
from community.params import an_id, id_arg
from community.security import current_runner, safe_next, viewer_id

bp = Blueprint("feed", __name__, url_prefix="/feed")


def _before() -> int | None:
    return id_arg("before")


@bp.get("/")
@login_required
def home() -> str:
    page = queries.home_page(current_user.id, _before())
    return render_template(
        "feed/page.html",
        feed=_shown(page, "feed.home", "home", None, url_for("feed.home_live")),
        heading="Your feed",
    )


@bp.get("/clubs/<slug>")
def club(slug: str) -> str:
    found = _club(slug)
    page = queries.club_page(found.id, viewer_id(), _before())
    return render_template(
        "feed/page.html",
        feed=_shown(
            page,
            "feed.club",
            "club",
            found.id,
            url_for("feed.club_live", slug=found.slug),
            slug=found.slug,
        ),
        heading=f"{found.name}: club feed",
    )


@bp.get("/u/<username>")
def profile(username: str) -> str:
    user = _runner(username)
    page = queries.profile_page(user.id, viewer_id(), _before())
    return render_template(
        "feed/page.html",
        feed=_shown(
            page,
            "feed.profile",
            "profile",
            user.id,
            url_for("feed.profile_live", username=user.username),
            username=user.username,
        ),
        heading=f"{user.display_name}: runs and milestones",
    )


@dataclass(frozen=True)
class Shown:
    """A feed page as a page shows it: the page model, where "Older" leads, and what its
    live updates need (only the newest page, and only for a runner logged in, follows live)."""

    page: queries.FeedPage
    more_url: str
    # Where the card's buttons come back to: this page, as it was asked for.
    here: str
    live_kind: str
    live_id: int | None
    live_url: str | None


def _shown(
    page: queries.FeedPage,
    endpoint: str,
    live_kind: str,
    live_id: int | None,
    live_url: str,
    **values: str,
) -> Shown:
    """`endpoint` with `values` is the feed's own page, for "Older"."""
    here = request.full_path if request.query_string else request.path
    live = current_user.is_authenticated and not request.args.get("before")
    return Shown(
        page,
        url_for(endpoint, before=page.before, **values),
        here,
        live_kind,
        live_id,
        live_url if live else None,
    )


# --- the feed on the pages of the features below (see community.pages) ----------------


@pages.slot(bp, "club", "feed")
def club_slot(
    club: Club, viewer: int | None, member_ids: Sequence[int] | None, member_count: int
) -> Shown:
    """The club page's feed (its view has checked the viewer may see the club)."""
    page = queries.club_page(club.id, viewer, member_ids=member_ids, member_count=member_count)
    live_url = url_for("feed.club_live", slug=club.slug)
    return _shown(page, "feed.club", "club", club.id, live_url, slug=club.slug)


@pages.slot(bp, "profile", "feed")
def profile_slot(user: User, viewer: int | None) -> Shown:
    page = queries.profile_page(user.id, viewer)
    live_url = url_for("feed.profile_live", username=user.username)
    return _shown(page, "feed.profile", "profile", user.id, live_url, username=user.username)


DASHBOARD_ITEMS = 5


@pages.slot(bp, "dashboard", "feed")
def dashboard_slot(viewer: int, in_a_club: bool) -> Shown:
    # A glance on the home page; the feed's own page has the rest.
    page = queries.home_page(viewer, per_page=DASHBOARD_ITEMS, network=in_a_club or None)
    return _shown(page, "feed.home", "home", None, url_for("feed.home_live"))


@pages.slot(bp, "run", "cheers")
def run_slot(run_id: int, viewer: int | None) -> tuple[queries.Card, ...]:
    """A logged run's page: its kudos and comments."""
    return queries.run_cards(run_id, viewer)


def _club(slug: str) -> Club:
    found = club_by_slug(slug)
    if found is None or not can_see_content(found, viewer_id()):
        abort(404)
    return found


def _runner(username: str) -> User:
    user = user_by_username(username)
    if user is None or blocks.between(viewer_id(), user.id):
        abort(404)
    return user


# --- live: what an open feed fetches when it hears of a change, or (re)connects --------


# A page shows a few pages of items at most.
MAX_SHOWN = 100


def _live(newer: Callable[[int], queries.Page]) -> Response:
    """?after=<newest id shown>&items=<ids shown>&next=<the page's path>: the items since
    `after`, and the current state of the items shown (those now hidden are "gone")."""
    after = id_arg("after")
    try:
        shown_ids = [int(part) for part in request.args.get("items", "").split(",") if part]
    except ValueError:
        return jsonify(error="items: a comma-separated list of item ids."), 400
    if after is None or len(shown_ids) > MAX_SHOWN or any(an_id(i) is None for i in shown_ids):
        return jsonify(error=f"after: an item id; items: up to {MAX_SHOWN} ids."), 400
    caught = queries.catch_up(newer, after, shown_ids, viewer_id())
    html = render_template("feed/_live.html", cards=caught.cards, here=_back(request.args))
    return jsonify(html=html, gap=caught.gap, gone=list(caught.gone))


@bp.get("/live")
@login_required
def home_live() -> Response:
    return _live(lambda after: queries.home(current_user.id, after=after))


@bp.get("/clubs/<slug>/live")
@login_required
def club_live(slug: str) -> Response:
    found = _club(slug)
    return _live(lambda after: queries.club(found.id, current_user.id, after=after))


@bp.get("/u/<username>/live")
@login_required
def profile_live(username: str) -> Response:
    user = _runner(username)
    return _live(lambda after: queries.profile(user.id, current_user.id, after=after))


def _back(values: Mapping[str, str] | None = None) -> str:
    """Where the button was pressed: a path on this site, or the home feed."""
    target = (request.form if values is None else values).get("next")
    return safe_next(target) or url_for("feed.home")


def _cheer(action: Callable[[], object], success: str, anchor: str = "") -> Response:
    """Run a one-click feed action; an item the runner may not see is a 404. `anchor`: the
    part of the page to come back to (a card's comments, opened there by ui.js)."""
    try:
        return one_click(
            action,
            refused=services.FeedError,
            forbidden=services.NotAllowed,
            to=_back() + (f"#{anchor}" if anchor else ""),
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


def _form_action(
    form: BaseForm, action: Callable[[], object], success: str, anchor: str = ""
) -> Response:
    """A one-field form's action: its field errors are shown where it was sent from."""
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        errors = [error for field in form if field.errors for error in field.errors]
        flash(" ".join(errors), "error")
        return redirect(_back())
    return _cheer(action, success, anchor)


def _comment_action(action: Callable[[], object], success: str, anchor: str = "") -> Response:
    return _form_action(CommentForm(), action, success, anchor)


@bp.post("/items/<int:item_id>/comments")
@login_required
def comment(item_id: int) -> Response:
    body = request.form.get("body", "")
    return _comment_action(
        lambda: services.add_comment(current_runner(), item_id, body, now=utcnow()),
        "Comment posted.",
        # Back with the card's comments open, the new one among them.
        anchor=f"comments-{item_id}",
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


# --- club posts ---------------------------------------------------------------------


@bp.post("/clubs/<slug>/posts")
@login_required
def post(slug: str) -> Response:
    found = _club(slug)
    form = PostForm()
    return _form_action(
        form,
        lambda: posts.post(
            current_runner(), found, form.body.data or "", pinned=form.pinned.data, now=utcnow()
        ),
        "Posted to the club feed.",
    )


@bp.post("/items/<int:item_id>/pin")
@login_required
def pin(item_id: int) -> Response:
    return _cheer(lambda: posts.set_pinned(current_runner(), item_id, True), "Pinned on top.")


@bp.post("/items/<int:item_id>/unpin")
@login_required
def unpin(item_id: int) -> Response:
    return _cheer(lambda: posts.set_pinned(current_runner(), item_id, False), "Unpinned.")


@bp.post("/items/<int:item_id>/delete")
@login_required
def delete_post(item_id: int) -> Response:
    return _cheer(lambda: posts.delete_post(current_runner(), item_id), "Post deleted.")


# --- moderation ---------------------------------------------------------------------


REPORTED = "Reported: thank you. The admins will take a look."


@bp.post("/items/<int:item_id>/report")
@login_required
def report_item(item_id: int) -> Response:
    reason = request.form.get("reason", "")
    return _form_action(
        ReportForm(),
        lambda: moderation.report_item(current_runner(), item_id, reason, now=utcnow()),
        REPORTED,
    )


@bp.post("/comments/<int:comment_id>/report")
@login_required
def report_comment(comment_id: int) -> Response:
    reason = request.form.get("reason", "")
    return _form_action(
        ReportForm(),
        lambda: moderation.report_comment(current_runner(), comment_id, reason, now=utcnow()),
        REPORTED,
    )


def _reports_page(club: Club | None) -> str:
    club_id = club.id if club is not None else None
    if not moderation.can_decide(current_runner(), club_id):
        abort(403)
    reports = moderation.open_reports(club_id, current_user.id)
    return render_template("feed/reports.html", club=club, reports=reports)


@bp.get("/clubs/<slug>/reports")
@login_required
def club_reports(slug: str) -> str:
    return _reports_page(_club(slug))


@bp.get("/reports")
@login_required
def site_reports() -> str:
    return _reports_page(None)


def _decide(action: Callable[[], object], success: str) -> Response | tuple[Response | str, int]:
    """Hide or dismiss; a report about the admin's own post is a 403 that says why."""
    try:
        return _cheer(action, success)
    except moderation.OwnCase as error:
        return error_response(403, str(error))


@bp.post("/reports/<int:report_id>/hide")
@login_required
def hide_reported(report_id: int) -> Response | tuple[Response | str, int]:
    return _decide(
        lambda: moderation.hide(current_runner(), report_id, now=utcnow()),
        "Hidden: it is gone from every feed but its author's.",
    )


@bp.post("/reports/<int:report_id>/dismiss")
@login_required
def dismiss_report(report_id: int) -> Response | tuple[Response | str, int]:
    return _decide(
        lambda: moderation.dismiss(current_runner(), report_id, now=utcnow()),
        "Report dismissed: it stays as it is.",
    )


@bp.app_template_filter("mentions")
def mentions(body: str) -> Markup:
    """Plain text, escaped, with each @name linked to that runner's profile."""
    shown = Markup()
    start = 0
    for mention in services.MENTION.finditer(body):
        name = mention.group(1)
        link = url_for("accounts.profile", username=name.lower())
        shown += escape(body[start : mention.start()])
        shown += Markup('<a href="{}">@{}</a>').format(link, name)
        start = mention.end()
    return shown + escape(body[start:])
