"""Club images: a banner for the club's page and a square for lists. Functions flush; the
caller commits. Only the club's owner and admins change it; whoever may see the club's
content (services.can_see_content) may see it."""

from typing import IO

from flask import url_for
from sqlalchemy import select

from community.accounts.models import User
from community.clubs.models import Club
from community.clubs.services import ClubError, require_admin
from community.extensions import db
from community.images import processing
from community.images import services as images
from community.images.models import StoredImage, Variant

# A page's size (the CSS classes club-image-sm/md/lg) -> the stored size it shows.
SIZES = {"sm": Variant.SMALL, "md": Variant.SMALL, "lg": Variant.SMALL, "banner": Variant.BANNER}


def _lock(club: Club) -> None:
    # Two uploads at once take turns on the club's row (SQLite's writes already do).
    db.session.execute(select(Club.id).where(Club.id == club.id).with_for_update())


def set_image(actor: User, club: Club, upload: IO[bytes]) -> None:
    """Check, clean and keep a new club image. Raises NotAllowed for a non-admin, or
    ClubError (on the form's photo field), having stored nothing."""
    require_admin(club, actor)
    try:
        picture = processing.club_image(processing.read_upload(upload))
    except processing.ImageRefused as error:
        raise ClubError(str(error), field="photo") from error
    _lock(club)
    images.replace(picture, club_id=club.id)
    club.image_key = picture.key
    db.session.flush()


def remove_image(actor: User, club: Club) -> bool:
    """Back to initials; False when the club had no image."""
    require_admin(club, actor)
    if club.image_key is None:
        return False
    _lock(club)
    images.remove(club_id=club.id)
    club.image_key = None
    db.session.flush()
    return True


def image_url(club: Club, size: str = "md") -> str | None:
    if club.image_key is None:
        return None
    variant = SIZES.get(size, Variant.SMALL)
    return url_for("clubs.image", slug=club.slug, variant=variant.value, key=club.image_key)


def stored(club_id: int, variant: str) -> StoredImage | None:
    return images.find(variant, club_id=club_id)
