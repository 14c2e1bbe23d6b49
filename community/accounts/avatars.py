"""Runners' avatars. Functions flush; the caller commits.

A runner changes only their own avatar: the routes pass the logged-in runner, never an id
from the request.
"""

from typing import IO

from flask import url_for
from sqlalchemy import select

from community.accounts.models import User
from community.accounts.services import AccountError
from community.extensions import db
from community.images import processing
from community.images import services as images
from community.images.models import StoredImage, Variant

# A page's avatar size (the CSS classes avatar-sm/md/lg) -> the stored size it shows.
SIZES = {"sm": Variant.SMALL, "md": Variant.SMALL, "lg": Variant.LARGE}


class AvatarRefused(AccountError):
    field = "photo"


def _lock(user: User) -> None:
    # Two uploads at once take turns on the runner's row (SQLite's writes already do).
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


def set_avatar(user: User, upload: IO[bytes]) -> None:
    """Check, clean and keep a new avatar. Raises AvatarRefused, having stored nothing."""
    try:
        picture = processing.avatar(processing.read_upload(upload))
    except processing.ImageRefused as error:
        raise AvatarRefused(str(error)) from error
    _lock(user)
    images.replace(picture, user_id=user.id)
    user.avatar_key = picture.key
    db.session.flush()


def remove_avatar(user: User) -> bool:
    """Back to initials; False when there was no avatar."""
    if user.avatar_key is None:
        return False
    _lock(user)
    images.remove(user_id=user.id)
    user.avatar_key = None
    db.session.flush()
    return True


def avatar_url(user_id: int, key: str | None, size: str = "sm") -> str | None:
    """The URL of a runner's avatar for a page's size (sm, md or lg), or None without one."""
    if key is None:
        return None
    variant = SIZES.get(size, Variant.SMALL)
    return url_for("accounts.avatar", user_id=user_id, variant=variant.value, key=key)


def stored(user_id: int, variant: str) -> StoredImage | None:
    return images.find(variant, user_id=user_id)


def initials(display_name: str) -> str:
    """Up to two letters for a name: the first of its first and last words."""
    words = [word for word in display_name.split() if word[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()
