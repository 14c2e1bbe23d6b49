from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from community import pages
from community.accounts import avatars, blocks, services
from community.accounts.forms import (
    AvatarForm,
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    SettingsForm,
)
from community.accounts.models import User
from community.actions import one_click
from community.db_types import utcnow
from community.extensions import db, limiter
from community.forms import ActionForm, show_refusal
from community.images import processing, serving
from community.jobs import queue as jobs
from community.params import upload_limit
from community.reminders import services as reminders
from community.security import current_runner, safe_next, viewer_id

bp = Blueprint("accounts", __name__)

LOGIN_FAILED = "Wrong username, e-mail or password."


def _limit(name: str) -> str:
    return current_app.config[name]


login_limit = limiter.limit(lambda: _limit("RATELIMIT_LOGIN"), methods=["POST"])
register_limit = limiter.limit(lambda: _limit("RATELIMIT_REGISTER"), methods=["POST"])
password_limit = limiter.limit(lambda: _limit("RATELIMIT_PASSWORD"), methods=["POST"])


def _start_session(user: User, *, remember: bool = False) -> None:
    # A fresh session on every log-in, so nothing from before it carries over.
    session.clear()
    login_user(user, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
@register_limit
def register() -> Response | tuple[str, int] | str:
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_user(
                username=form.username.data or "",
                email=form.email.data or "",
                display_name=form.display_name.data or "",
                password=form.password.data or "",
            )
        except services.AccountError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            _start_session(user)
            flash(f"Welcome to Runhive, {user.display_name}!", "success")
            return redirect(url_for("home.dashboard"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@login_limit
def login() -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.login.data or "", form.password.data or "", now=utcnow())
        if user is not None:
            db.session.commit()
            _start_session(user, remember=bool(form.remember.data))
            return redirect(safe_next(request.args.get("next")) or url_for("home.dashboard"))
        form.form_errors.append(LOGIN_FAILED)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    services.end_all_sessions(current_runner())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have logged out on every device.", "info")
    return redirect(url_for("accounts.login"))


def _runner(username: str) -> User:
    """The runner of that name; someone they blocked finds no such runner, to look at,
    follow or block."""
    user = services.user_by_username(username)
    if user is None or blocks.hidden_from(viewer_id(), user.id):
        abort(404)
    return user


@bp.get("/u/<username>")
def profile(username: str) -> str:
    user = services.user_by_username(username)
    viewer = viewer_id()
    found = blocks.standing(viewer, user.id) if user is not None else None
    # _runner's rule, with both blocks read at once: the page shows the viewer's own too.
    if user is None or found is None or found.hides:
        abort(404)
    blocked = found.by_viewer
    # Someone the viewer blocked: neither follows nor feed, only the way to unblock.
    slots = {} if blocked else pages.fill("profile", user=user, viewer=viewer)
    return render_template("accounts/profile.html", user=user, blocked=blocked, slots=slots)


@bp.post("/u/<username>/block")
@login_required
def block(username: str) -> Response:
    user = _runner(username)
    return one_click(
        lambda: blocks.block(current_runner(), user, now=utcnow()),
        refused=blocks.BlockError,
        to=url_for("home.dashboard"),
        success=f"You blocked {user.display_name}: neither of you sees the other now.",
    )


@bp.post("/u/<username>/unblock")
@login_required
def unblock(username: str) -> Response:
    user = _runner(username)
    return one_click(
        lambda: blocks.unblock(current_runner(), user),
        refused=blocks.BlockError,
        to=url_for("accounts.profile", username=user.username),
        success=f"You unblocked {user.display_name}.",
    )


def _settings_page(status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    user = current_user
    defaults: dict[str, FlaskForm] = {
        "settings_form": SettingsForm(obj=user, formdata=None),
        "avatar_form": AvatarForm(formdata=None),
        "password_form": ChangePasswordForm(formdata=None),
        "email_form": ChangeEmailForm(formdata=None),
        "delete_form": DeleteAccountForm(formdata=None),
    }
    defaults.update(forms)
    mail = {
        "mail_form": ActionForm(formdata=None),
        "mail_kinds": reminders.KINDS,
        "mail_off": reminders.opted_out(user.id),
    }
    return render_template("accounts/settings.html", **defaults, **mail), status


@bp.get("/settings")
@login_required
def settings() -> tuple[str, int]:
    return _settings_page()


def _apply(form: FlaskForm, action: Callable[[], object]) -> bool:
    """Run a service for a valid form and commit; on a rule's refusal, show it on the form."""
    if not form.validate_on_submit():
        return False
    try:
        action()
    except services.AccountError as error:
        db.session.rollback()
        show_refusal(form, error)
        return False
    db.session.commit()
    return True


@bp.post("/settings")
@login_required
def save_settings() -> Response | tuple[str, int]:
    form = SettingsForm()
    saved = _apply(
        form,
        lambda: services.update_settings(
            current_runner(),
            display_name=form.display_name.data or "",
            bio=form.bio.data or "",
            units=form.units.data or "",
            timezone=form.timezone.data or "",
            default_visibility=form.default_visibility.data or "",
            leaderboard_hidden=bool(form.leaderboard_hidden.data),
            approves_followers=bool(form.approves_followers.data),
        ),
    )
    if not saved:
        return _settings_page(400, settings_form=form)
    flash("Your settings are saved.", "success")
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/avatar")
@upload_limit(processing.MAX_BYTES)
@login_required
def upload_avatar() -> Response | tuple[str, int]:
    form = AvatarForm()
    photo = form.photo.data
    if not _apply(form, lambda: avatars.set_avatar(current_runner(), photo.stream)):
        return _settings_page(400, avatar_form=form)
    flash("Your new photo is saved.", "success")
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/avatar/remove")
@login_required
def remove_avatar() -> Response:
    return one_click(
        lambda: (
            "Your photo is removed: your initials show instead."
            if avatars.remove_avatar(current_runner())
            else "You have no photo to remove."
        ),
        refused=services.AccountError,
        to=url_for("accounts.settings"),
    )


@bp.get("/avatars/<int:user_id>/<any(sm, lg):variant>/<key>.webp")
def avatar(user_id: int, variant: str, key: str) -> Response:
    """Anyone who may see the profile sees its avatar (not a runner who was blocked)."""
    user = db.session.get(User, user_id)
    if user is None or user.avatar_key is None or blocks.hidden_from(viewer_id(), user.id):
        abort(404)
    if key != user.avatar_key:
        return serving.moved(avatars.avatar_url(user.id, user.avatar_key, variant) or "")
    image = avatars.stored(user.id, variant)
    if image is None:
        abort(404)
    return serving.send(image)


@bp.app_template_global("avatar_url")
def avatar_url(user_id: int, key: str | None, size: str = "sm") -> str | None:
    return avatars.avatar_url(user_id, key, size)


@bp.app_template_filter("initials")
def initials(display_name: str) -> str:
    return avatars.initials(display_name)


@bp.post("/settings/password")
@login_required
@password_limit
def change_password() -> Response | tuple[str, int]:
    form = ChangePasswordForm()
    changed = _apply(
        form,
        lambda: services.change_password(
            current_runner(),
            current_password=form.current_password.data or "",
            new_password=form.new_password.data or "",
        ),
    )
    if not changed:
        return _settings_page(400, password_form=form)
    _start_session(current_runner())
    flash("Your password is changed. Other devices have been logged out.", "success")
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/email")
@login_required
@password_limit
def change_email() -> Response | tuple[str, int]:
    form = ChangeEmailForm()
    old_email = current_user.email
    changed = _apply(
        form,
        lambda: services.change_email(
            current_runner(), password=form.password.data or "", new_email=form.new_email.data or ""
        ),
    )
    if not changed:
        return _settings_page(400, email_form=form)
    body = (
        f"The e-mail of your Runhive account {current_user.username} is now "
        f"{current_user.email}. If you did not do this, reset your password now."
    )
    jobs.enqueue("mail.send", to=old_email, subject="Your Runhive e-mail was changed", body=body)
    db.session.commit()
    flash("Your e-mail is changed.", "success")
    return redirect(url_for("accounts.settings"))


@bp.post("/settings/delete")
@login_required
@password_limit
def delete_account() -> Response | tuple[str, int]:
    form = DeleteAccountForm()
    if not _apply(
        form, lambda: services.delete_account(current_runner(), password=form.password.data or "")
    ):
        return _settings_page(400, delete_form=form)
    logout_user()
    session.clear()
    flash("Your account and everything in it are deleted.", "info")
    return redirect(url_for("home.index"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@password_limit
def forgot_password() -> Response | tuple[str, int]:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_user_for_reset(form.email.data or "")
        if user is not None:
            link = url_for(
                "accounts.reset_password", token=services.password_reset_token(user), _external=True
            )
            minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
            to, body = (
                user.email,
                f"Hello {user.display_name},\n\nTo choose a new password, open this link within "
                f"{minutes} minutes:\n\n{link}\n\nIt works once. If you did not ask for it, "
                "ignore this e-mail.",
            )
            jobs.enqueue("mail.send", to=to, subject="Reset your Runhive password", body=body)
            db.session.commit()
        # The same answer whether or not the address is known: no account enumeration.
        flash("If that e-mail belongs to an account, a reset link is on its way.", "info")
        return redirect(url_for("accounts.login"))
    status = 400 if form.errors else 200
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@password_limit
def reset_password(token: str) -> Response | tuple[str, int]:
    try:
        services.user_for_reset_token(token)
    except services.InvalidResetLink as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if _apply(form, lambda: services.reset_password(token, form.password.data or "")):
        flash("Your password is changed. Log in with it now.", "success")
        return redirect(url_for("accounts.login"))
    status = 400 if form.errors else 200
    return render_template("accounts/reset_password.html", form=form), status
