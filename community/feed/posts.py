"""Club posts: announcements a club's owner and admins write, pinned on top if they choose.
Functions flush; the caller commits."""

from datetime import datetime

from community.accounts.models import User
from community.clubs.models import Club
from community.clubs.services import can_see_content, is_admin
from community.extensions import db
from community.feed import live
from community.feed.models import MAX_POST, FeedItem, ItemKind
from community.feed.services import NotAllowed, NotFound, clean_text


def _require_admin(user: User, club_id: int) -> None:
    if not is_admin(club_id, user.id):
        raise NotAllowed


def post(author: User, club: Club, body: str, *, pinned: bool, now: datetime) -> FeedItem:
    _require_admin(author, club.id)
    text = clean_text(body, MAX_POST, "Write the announcement first.")
    item = FeedItem(
        kind=ItemKind.POST.value,
        actor_id=author.id,
        club_id=club.id,
        body=text,
        pinned=pinned,
        created_at=now,
    )
    db.session.add(item)
    db.session.flush()
    return item


def _post(user: User, item_id: int) -> FeedItem:
    """A club's post for its admins to pin or delete; to whoever may not see the club (a
    private one's outsiders) it is no post at all."""
    item = db.session.get(FeedItem, item_id)
    if item is None or item.kind != ItemKind.POST.value or item.club is None:
        raise NotFound
    if not can_see_content(item.club, user.id):
        raise NotFound
    _require_admin(user, item.club.id)
    return item


def set_pinned(user: User, item_id: int, pinned: bool) -> FeedItem:
    item = _post(user, item_id)
    item.pinned = pinned
    db.session.flush()
    live.item_changed(item)
    return item


def delete_post(user: User, item_id: int) -> None:
    item = _post(user, item_id)
    # Told while the post is still there: those who may see it are the pages to clear.
    live.item_changed(item)
    db.session.delete(item)
    db.session.flush()
