"""Account operations. They flush; the caller (a route or a CLI command) commits."""

from datetime import datetime
from zoneinfo import available_timezones

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from community.accounts import events, passwords
from community.accounts.models import Units, User, Visibility
from community.extensions import db
from community.realtime import disconnect_after_commit, emit_after_commit, user_room


class AccountError(Exception):
    """A request the account rules refuse; `field` names the form field it belongs to."""

    field: str | None = None

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field


class UsernameTaken(AccountError):
    field = "username"


class EmailTaken(AccountError):
    field = "email"


class WeakPassword(AccountError):
    field = "password"


class WrongPassword(AccountError):
    field = "current_password"


class InvalidSetting(AccountError):
    pass


class InvalidResetLink(AccountError):
    pass


def normalise_username(username: str) -> str:
    return username.strip().lower()


def user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normalise_username(username)))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_password(
    password: str,
    user: User | None = None,
    *,
    username: str = "",
    email: str = "",
    field: str = "password",
) -> None:
    problem = passwords.password_problem(
        password,
        username=user.username if user else username,
        email=user.email if user else email,
    )
    if problem:
        raise WeakPassword(problem, field=field)


def register_user(*, username: str, email: str, display_name: str, password: str) -> User:
    """Create an account. Raises UsernameTaken, EmailTaken or WeakPassword."""
    username, email = normalise_username(username), normalise_email(email)
    _check_password(password, username=username, email=email)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise UsernameTaken("This username is taken.")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise EmailTaken("An account with this e-mail already exists.")
    user = User(
        username=username,
        email=email,
        display_name=display_name.strip(),
        password_hash=passwords.hash_password(password),
    )
    # The unique constraints decide races between two registrations of the same name.
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as error:
        if "email" in str(error.orig).lower():
            raise EmailTaken("An account with this e-mail already exists.") from error
        raise UsernameTaken("This username is taken.") from error
    return user


def authenticate(login: str, password: str, *, now: datetime) -> User | None:
    """The user for this username or e-mail and password, or None (never says which was wrong).

    Upgrades the stored hash when the hashing parameters have changed.
    """
    folded = login.strip().lower()
    user = db.session.scalar(select(User).where(or_(User.username == folded, User.email == folded)))
    if user is None:
        passwords.burn_verification_time(password)
        return None
    if not passwords.verify_password(user.password_hash, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = now
    db.session.flush()
    return user


def end_all_sessions(user: User) -> None:
    """Revoke every session and remember-me cookie of this user and close their sockets."""
    # A conditional UPDATE, so two concurrent revocations both take effect.
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["session_version"])
    room = user_room(user.id)
    emit_after_commit("session:ended", {}, room=room)
    disconnect_after_commit(room)


def update_settings(
    user: User,
    *,
    display_name: str,
    bio: str,
    units: str,
    timezone: str,
    default_visibility: str,
    leaderboard_hidden: bool | None = None,
    approves_followers: bool | None = None,
) -> None:
    if units not in {u.value for u in Units}:
        raise InvalidSetting("Choose km or mi.", field="units")
    if timezone not in available_timezones():
        raise InvalidSetting("Choose a time zone from the list.", field="timezone")
    if default_visibility not in {v.value for v in Visibility}:
        raise InvalidSetting("Choose who can see your runs.", field="default_visibility")
    user.display_name = display_name.strip()
    user.bio = bio.strip()
    user.units = units
    user.timezone = timezone
    user.default_visibility = default_visibility
    if approves_followers is not None:
        user.approves_followers = approves_followers
    if leaderboard_hidden is not None and leaderboard_hidden != user.leaderboard_hidden:
        user.leaderboard_hidden = leaderboard_hidden
        events.privacy_changed.send(None, user_id=user.id, leaderboard_hidden=leaderboard_hidden)
    db.session.flush()
    emit_after_commit(
        "account:updated", {"display_name": user.display_name}, room=user_room(user.id)
    )


def _require_password(user: User, password: str) -> None:
    if not passwords.verify_password(user.password_hash, password):
        raise WrongPassword("Your current password is not right.")


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Set a new password and end every session (the caller logs this browser back in)."""
    _require_password(user, current_password)
    _check_password(new_password, user, field="new_password")
    user.password_hash = passwords.hash_password(new_password)
    end_all_sessions(user)


def change_email(user: User, *, password: str, new_email: str) -> str:
    """Change the e-mail after re-checking the password; returns the old address."""
    _require_password(user, password)
    new_email = normalise_email(new_email)
    old_email = user.email
    if new_email != old_email and db.session.scalar(select(User.id).where(User.email == new_email)):
        raise EmailTaken("An account with this e-mail already exists.", field="new_email")
    user.email = new_email
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise EmailTaken(
            "An account with this e-mail already exists.", field="new_email"
        ) from error
    return old_email


def delete_account(user: User, *, password: str) -> None:
    """Delete the account and, through ON DELETE CASCADE, everything it owns."""
    _require_password(user, password)
    room = user_room(user.id)
    emit_after_commit("session:ended", {}, room=room)
    disconnect_after_commit(room)
    events.account_deleting.send(None, user_id=user.id)
    db.session.execute(delete(User).where(User.id == user.id))
    db.session.expunge(user)


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def password_reset_token(user: User) -> str:
    # Signing part of the current hash makes the link single-use: once the password
    # changes, every earlier link stops matching.
    return _reset_serializer().dumps({"id": user.id, "h": user.password_hash[-16:]})


def find_user_for_reset(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for. Raises InvalidResetLink when used, expired or forged."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise InvalidResetLink("This reset link has expired; ask for a new one.") from error
    except BadSignature as error:
        raise InvalidResetLink("This reset link is not valid; ask for a new one.") from error
    user = db.session.get(User, data.get("id")) if isinstance(data, dict) else None
    if user is None or user.password_hash[-16:] != data.get("h"):
        raise InvalidResetLink("This reset link has already been used; ask for a new one.")
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    _check_password(new_password, user)
    user.password_hash = passwords.hash_password(new_password)
    end_all_sessions(user)
    return user
