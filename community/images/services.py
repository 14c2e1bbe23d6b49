"""Keeping pictures. Functions flush; the caller commits.

A picture belongs to a runner or a club (`user_id` or `club_id`). Its owner's row keeps the
picture's key (`users.avatar_key`, `clubs.image_key`), so a page that has the row builds
the URL without reading this table; the owner's feature sets both in one transaction.
"""

from sqlalchemy import ColumnElement, delete, select

from community.extensions import db
from community.images.models import StoredImage
from community.images.processing import Picture


def _owned_by(user_id: int | None, club_id: int | None) -> ColumnElement[bool]:
    if (user_id is None) == (club_id is None):
        raise ValueError("a picture belongs to a runner or a club")
    if user_id is not None:
        return StoredImage.user_id == user_id
    return StoredImage.club_id == club_id


def replace(picture: Picture, *, user_id: int | None = None, club_id: int | None = None) -> None:
    """Keep `picture` as the owner's, in place of the one before (all its sizes)."""
    db.session.execute(delete(StoredImage).where(_owned_by(user_id, club_id)))
    for encoded in picture.variants:
        db.session.add(
            StoredImage(
                user_id=user_id,
                club_id=club_id,
                variant=encoded.variant.value,
                content_type=encoded.content_type,
                data=encoded.data,
                content_hash=encoded.content_hash,
                width=encoded.width,
                height=encoded.height,
            )
        )
    db.session.flush()


def remove(*, user_id: int | None = None, club_id: int | None = None) -> None:
    db.session.execute(delete(StoredImage).where(_owned_by(user_id, club_id)))


def find(
    variant: str, *, user_id: int | None = None, club_id: int | None = None
) -> StoredImage | None:
    return db.session.scalar(
        select(StoredImage).where(_owned_by(user_id, club_id), StoredImage.variant == variant)
    )
