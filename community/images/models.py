from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.db_types import UTCDateTime, utcnow
from community.extensions import db


class Variant(StrEnum):
    """The sizes a picture is kept in (processing.py makes them)."""

    LARGE = "lg"  # an avatar, 256 x 256
    SMALL = "sm"  # an avatar's or a club's square, for lists and headers
    BANNER = "banner"  # a club's page head, 1200 x 400


class StoredImage(db.Model):
    """One size of one picture, kept in the database so every server process serves it.

    The owner is a runner or a club, each through its own foreign key, so that deleting
    either deletes its pictures (an `owner_kind` and a bare id could not cascade).
    """

    __tablename__ = "images"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (club_id IS NULL)", name="one_owner"),
        CheckConstraint(
            "(user_id IS NOT NULL AND variant IN ('lg', 'sm'))"
            " OR (club_id IS NOT NULL AND variant IN ('banner', 'sm'))",
            name="variant_known",
        ),
        CheckConstraint("content_type IN ('image/webp', 'image/jpeg')", name="content_type_known"),
        CheckConstraint("length(data) > 0", name="data_not_empty"),
        UniqueConstraint("user_id", "variant"),
        UniqueConstraint("club_id", "variant"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    club_id: Mapped[int | None] = mapped_column(ForeignKey("clubs.id", ondelete="CASCADE"))
    variant: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # SHA-256 of `data`, hex: the ETag, and (its start) the key in the picture's URL.
    content_hash: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
