from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from community import maps, pages
from community.actions import one_click
from community.clubs import images, queries, services
from community.clubs.forms import (
    ClubDetailsForm,
    ClubImageForm,
    DeleteClubForm,
    InviteForm,
    JoinRequestForm,
    NewClubForm,
)
from community.clubs.models import Club, Role
from community.db_types import utcnow
from community.extensions import db
from community.forms import ActionForm, show_refusal
from community.images import processing, serving
from community.params import page_arg, text_arg, upload_limit
from community.security import current_runner, viewer_id

bp = Blueprint("clubs", __name__, url_prefix="/clubs")


def _club(slug: str) -> Club:
    club = queries.club_by_slug(slug)
    if club is None:
        abort(404)
    return club


def _page() -> int:
    return page_arg()


def _act(
    club: Club, action: Callable[[], object], success: str, *, to: str | None = None
) -> Response:
    """Run a one-click action (CSRF-checked) and come back with its outcome as a message."""

    return one_click(
        action,
        refused=services.ClubError,
        forbidden=services.NotAllowed,
        to=to or url_for("clubs.manage", slug=club.slug),
        success=success,
    )


def _require_admin_page(club: Club) -> None:
    if not services.is_admin(club.id, current_user.id):
        abort(403)


@bp.get("/")
def directory() -> str:
    query = text_arg("q")
    page = queries.directory(query, _page())
    counts = queries.member_counts([club.id for club in page.items])
    mine = queries.my_clubs(current_user.id) if current_user.is_authenticated else []
    return render_template(
        "clubs/directory.html",
        page=page,
        counts=counts,
        query=query,
        my_memberships=mine,
        # A private club's image is for its members, though its name may be found.
        my_club_ids={m.club_id for m in mine},
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Response | tuple[str, int]:
    form = NewClubForm()
    if request.method == "GET":
        form.timezone.data = current_user.timezone
    if form.validate_on_submit():
        try:
            club = services.create_club(
                current_runner(),
                name=form.name.data or "",
                slug=form.slug.data or "",
                description=form.description.data or "",
                city=form.city.data or "",
                timezone=form.timezone.data or "UTC",
                visibility=form.visibility.data or "public",
            )
        except services.ClubError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(f"{club.name} is ready. Invite your runners!", "success")
            return redirect(url_for("clubs.show", slug=club.slug))
    status = 400 if form.errors else 200
    return render_template("clubs/new.html", form=form), status


@bp.get("/<slug>")
def show(slug: str) -> str:
    user_id = viewer_id()
    head = queries.club_head(slug, user_id, _page())
    if head is None:
        abort(404)
    club = head.club
    if not head.visible:
        join_request = services.join_request_of(club.id, user_id) if user_id else None
        return render_template(
            "clubs/private.html", club=club, join_request=join_request, form=JoinRequestForm()
        )
    members = head.members
    if request.args.get("fragment") == "members":
        return render_template(
            "clubs/_members.html", club=club, members=members, member_count=members.total
        )
    return render_template(
        "clubs/show.html",
        club=club,
        membership=head.membership,
        members=members,
        member_count=members.total,
        home_map=_home_map(club),
        # The club's year in running, for those who may see its runs.
        this_year=utcnow().astimezone(club.zone).year,
        # A small club's feed reads by its members' ids: the list has them, when it has all.
        slots=pages.fill(
            "club",
            club=club,
            viewer=user_id,
            member_ids=members.everyone,
            member_count=members.total,
        ),
    )


def _home_map(club: Club) -> maps.MapView | None:
    if club.latitude is None or club.longitude is None:
        return None
    home = maps.Place(club.name, club.latitude, club.longitude)
    return maps.place_map(f"Map of {club.name}'s home area", home, kind="home")


@bp.post("/<slug>/join")
@login_required
def join(slug: str) -> Response:
    club = _club(slug)
    return _act(
        club,
        lambda: services.join(current_runner(), club),
        f"Welcome to {club.name}!",
        to=url_for("clubs.show", slug=club.slug),
    )


@bp.post("/<slug>/request")
@login_required
def request_to_join(slug: str) -> Response:
    club = _club(slug)
    form = JoinRequestForm()
    if not form.validate_on_submit():
        flash("Keep the note under 300 characters.", "error")
        return redirect(url_for("clubs.show", slug=club.slug))
    try:
        services.request_to_join(current_runner(), club, message=form.message.data or "")
    except services.ClubError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("Your request is sent. The club's admins will decide soon.", "success")
    return redirect(url_for("clubs.show", slug=club.slug))


@bp.post("/<slug>/leave")
@login_required
def leave(slug: str) -> Response:
    club = _club(slug)
    return _act(
        club,
        lambda: services.leave(current_runner(), club),
        f"You have left {club.name}.",
        to=url_for("clubs.directory"),
    )


@bp.get("/<slug>/manage")
@login_required
def manage(slug: str) -> tuple[str, int]:
    club = _club(slug)
    _require_admin_page(club)
    return _manage_page(club)


def _manage_page(club: Club, status: int = 200, **forms: object) -> tuple[str, int]:
    context: dict[str, object] = {
        "details_form": ClubDetailsForm(obj=club, formdata=None),
        "image_form": ClubImageForm(formdata=None),
        "invite_form": InviteForm(formdata=None),
        "delete_form": DeleteClubForm(formdata=None),
    }
    context.update(forms)
    return render_template(
        "clubs/manage.html",
        club=club,
        membership=services.membership_of(club.id, current_user.id),
        requests=queries.pending_requests(club.id),
        invites=queries.invites(club.id),
        members=queries.members(club.id, _page(), per_page=100),
        now=utcnow(),
        **context,
    ), status


@bp.post("/<slug>/manage")
@login_required
def update(slug: str) -> Response | tuple[str, int]:
    club = _club(slug)
    _require_admin_page(club)
    form = ClubDetailsForm()
    if form.validate_on_submit():
        try:
            services.update_club(
                current_runner(),
                club,
                name=form.name.data or "",
                description=form.description.data or "",
                city=form.city.data or "",
                timezone=form.timezone.data or "UTC",
                visibility=form.visibility.data or "public",
                members_schedule_runs=bool(form.members_schedule_runs.data),
                latitude=_number(form.latitude.data),
                longitude=_number(form.longitude.data),
            )
        except services.ClubError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("The club's details are saved.", "success")
            return redirect(url_for("clubs.manage", slug=club.slug))
    return _manage_page(club, 400, details_form=form)


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


@bp.post("/<slug>/image")
@upload_limit(processing.MAX_BYTES)
@login_required
def upload_image(slug: str) -> Response | tuple[str, int]:
    club = _club(slug)
    _require_admin_page(club)
    form = ClubImageForm()
    if form.validate_on_submit():
        try:
            images.set_image(current_runner(), club, form.photo.data.stream)
        except services.ClubError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("The club's image is saved.", "success")
            return redirect(url_for("clubs.manage", slug=club.slug))
    return _manage_page(club, 400, image_form=form)


@bp.post("/<slug>/image/remove")
@login_required
def remove_image(slug: str) -> Response:
    club = _club(slug)
    return _act(
        club,
        lambda: (
            "The club's image is removed: its initials show instead."
            if images.remove_image(current_runner(), club)
            else "The club has no image to remove."
        ),
        "",
    )


@bp.get("/<slug>/image/<any(banner, sm):variant>/<key>.webp")
def image(slug: str, variant: str, key: str) -> Response:
    """Whoever may see the club's content sees its image: a private club's, its members."""
    club = _club(slug)
    if club.image_key is None or not services.can_see_content(club, viewer_id()):
        abort(404)
    if key != club.image_key:
        return serving.moved(images.image_url(club, variant) or "")
    stored = images.stored(club.id, variant)
    if stored is None:
        abort(404)
    return serving.send(stored)


@bp.app_template_global("club_image_url")
def club_image_url(club: Club, size: str = "md") -> str | None:
    return images.image_url(club, size)


@bp.post("/<slug>/requests/<int:request_id>/<any(approve, decline):decision>")
@login_required
def decide(slug: str, request_id: int, decision: str) -> Response:
    club = _club(slug)
    approve = decision == "approve"
    return _act(
        club,
        lambda: services.decide_request(current_runner(), club, request_id, approve=approve),
        "Request approved: welcome aboard!" if approve else "Request declined.",
    )


@bp.post("/<slug>/invites")
@login_required
def create_invite(slug: str) -> Response | tuple[str, int]:
    club = _club(slug)
    _require_admin_page(club)
    form = InviteForm()
    if form.validate_on_submit():
        days = form.expires_in_days.data
        try:
            services.create_invite(
                current_runner(),
                club,
                expires_at=utcnow() + timedelta(days=days) if days else None,
                max_uses=form.max_uses.data,
            )
        except services.ClubError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("A new invite link is ready to share.", "success")
            return redirect(url_for("clubs.manage", slug=club.slug) + "#invites")
    return _manage_page(club, 400, invite_form=form)


@bp.post("/<slug>/invites/<int:invite_id>/revoke")
@login_required
def revoke_invite(slug: str, invite_id: int) -> Response:
    club = _club(slug)
    return _act(
        club,
        lambda: services.revoke_invite(current_runner(), club, invite_id),
        "The invite link no longer works.",
    )


@bp.post("/<slug>/members/<int:user_id>/remove")
@login_required
def remove_member(slug: str, user_id: int) -> Response:
    club = _club(slug)
    return _act(
        club,
        lambda: services.remove_member(current_runner(), club, user_id),
        "The member was removed.",
    )


@bp.post("/<slug>/members/<int:user_id>/<any(promote, demote):change>")
@login_required
def change_role(slug: str, user_id: int, change: str) -> Response:
    club = _club(slug)
    role = Role.ADMIN if change == "promote" else Role.MEMBER
    return _act(
        club,
        lambda: services.set_role(current_runner(), club, user_id, role),
        "They are now an admin." if role == Role.ADMIN else "They are now a member.",
    )


@bp.post("/<slug>/members/<int:user_id>/transfer")
@login_required
def transfer(slug: str, user_id: int) -> Response:
    club = _club(slug)
    return _act(
        club,
        lambda: services.transfer_ownership(current_runner(), club, user_id),
        "Ownership handed over. You are now an admin.",
    )


@bp.post("/<slug>/delete")
@login_required
def delete(slug: str) -> Response | tuple[str, int]:
    club = _club(slug)
    _require_owner_page(club)
    form = DeleteClubForm()
    if form.validate_on_submit():
        try:
            services.delete_club(current_runner(), club, confirm_slug=form.confirm.data or "")
        except services.ClubError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("The club and everything in it are deleted.", "info")
            return redirect(url_for("clubs.directory"))
    return _manage_page(club, 400, delete_form=form)


def _require_owner_page(club: Club) -> None:
    membership = services.membership_of(club.id, current_user.id)
    if membership is None or not membership.is_owner:
        abort(403)


@bp.get("/invite/<token>")
@login_required
def invite(token: str) -> str:
    invite = services.invite_by_token(token)
    if invite is None:
        abort(404)
    return render_template(
        "clubs/invite.html",
        invite=invite,
        club=invite.club,
        usable=invite.usable_at(utcnow()),
        already_member=services.membership_of(invite.club_id, current_user.id) is not None,
    )


@bp.post("/invite/<token>")
@login_required
def accept_invite(token: str) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        membership = services.join_by_invite(current_runner(), token, now=utcnow())
    except services.ClubError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("clubs.invite", token=token))
    db.session.commit()
    flash(f"Welcome to {membership.club.name}!", "success")
    return redirect(url_for("clubs.show", slug=membership.club.slug))
