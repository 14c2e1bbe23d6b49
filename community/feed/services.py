"""Cheering feed items. Functions flush; the caller commits."""

import re
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from community.accounts import blocks
from community.accounts.models import USERNAME_CHARS, USERNAME_PATTERN, User
from community.clubs.queries import clubs_run_by
from community.extensions import db
from community.feed import events, live, queries
from community.feed.models import Comment, FeedItem, Kudos


class FeedError(Exception):
    """An action on the feed that can't be: the message says why."""


class NotFound(Exception):
    """The item does not exist, or the runner may not see it (the same answer for both)."""


def visible_item(item_id: int, viewer_id: int) -> FeedItem:
    item = queries.visible_item(item_id, viewer_id)
    if item is None:
        raise NotFound
    return item


def give_kudos(giver: User, item_id: int, *, now: datetime) -> bool:
    """Cheer an item; returns whether this was new (a second click changes nothing)."""
    item = visible_item(item_id, giver.id)
    if item.actor_id == giver.id:
        raise FeedError("That one is yours: cheer somebody else's.")
    _lock_kudos_of(item.id)
    dialect = db.session.get_bind().dialect.name
    build = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # RETURNING tells whether a row went in: with ON CONFLICT DO NOTHING, rowcount is -1
    # on PostgreSQL through SQLAlchemy, so it can't be trusted to say so.
    added = db.session.execute(
        build(Kudos)
        .values(item_id=item.id, actor_id=item.actor_id, giver_id=giver.id, created_at=now)
        .on_conflict_do_nothing(index_elements=[Kudos.item_id, Kudos.giver_id])
        .returning(Kudos.id)
    ).scalar()
    if added is None:
        return False
    events.kudos_given.send(None, item_id=item.id, giver_id=giver.id, actor_id=item.actor_id)
    _tell_kudos(item)
    return True


def take_back_kudos(giver: User, item_id: int) -> None:
    item = visible_item(item_id, giver.id)
    _lock_kudos_of(item.id)
    taken = db.session.execute(
        delete(Kudos)
        .where(Kudos.item_id == item.id, Kudos.giver_id == giver.id)
        .returning(Kudos.id)
    ).scalar()
    if taken is not None:
        _tell_kudos(item)


def _lock_kudos_of(item_id: int) -> None:
    """Kudos on one item change one at a time, so that the count each change tells open
    pages includes every change committed before it (two runners cheering at once each
    counted without the other: both told 1, and open pages kept 1 of 2). FOR NO KEY UPDATE:
    comments and kudos still reference the item meanwhile."""
    db.session.execute(
        select(FeedItem.id).where(FeedItem.id == item_id).with_for_update(key_share=True)
    )


def _tell_kudos(item: FeedItem) -> None:
    # The count and names are the same for everyone who may see the item (live decides who).
    cheers = queries.cheers_for([item.id], None)[item.id]
    live.kudos_changed(item, cheers.count, cheers.summary)


MAX_COMMENT = 500
# "@ana", "@Ana-Maria": any username the registration form accepts, in any case, after the
# start, a space or punctuation (not inside a word, a name or an e-mail address). The whole
# run of username characters is the name: "@ben-o." is ben-o, and 31 of them are nobody.
MENTION = re.compile(rf"(?<![\w@-])@({USERNAME_PATTERN})(?![{USERNAME_CHARS}])")


class NotAllowed(Exception):
    """Someone else's comment: only its author edits it."""


def clean_text(text: str, limit: int, blank: str) -> str:
    """Plain text as it is kept: trimmed, not blank (`blank` says what is missing), short."""
    kept = text.strip()
    if not kept:
        raise FeedError(blank)
    if len(kept) > limit:
        raise FeedError(f"Keep it under {limit} characters.")
    return kept


def _clean(body: str) -> str:
    return clean_text(body, MAX_COMMENT, "Write something first.")


def mentioned(body: str) -> list[str]:
    """The usernames @mentioned in `body`, as stored (lower-case), each once."""
    return sorted({name.lower() for name in MENTION.findall(body)})


def add_comment(author: User, item_id: int, body: str, *, now: datetime) -> Comment:
    """Comment on an item the author may see; the item's runner and anyone @mentioned (who
    may see it too) are told."""
    item = visible_item(item_id, author.id)
    comment = Comment(item_id=item.id, author_id=author.id, body=_clean(body), created_at=now)
    db.session.add(comment)
    db.session.flush()
    told = {author.id}
    if item.actor_id not in told:
        events.commented.send(None, comment_id=comment.id, user_id=item.actor_id, mention=False)
        told.add(item.actor_id)
    for user_id in _reachable_mentions(comment.body, author.id, item.id):
        if user_id not in told:
            events.commented.send(None, comment_id=comment.id, user_id=user_id, mention=True)
            told.add(user_id)
    live.comments_changed(item)
    return comment


def _reachable_mentions(body: str, author_id: int, item_id: int) -> list[int]:
    """The runners @mentioned in `body` who are told of it, in one statement however many
    names: those who exist, may see the item, and neither blocked nor were blocked by the
    author (a block keeps either from reaching the other, by a mention too)."""
    names = mentioned(body)
    if not names:
        return []
    # The item beside each runner named, as live.audience does: the feeds' own rule then
    # says, for each of them, whether they see it.
    return list(
        db.session.scalars(
            select(User.id)
            .join(FeedItem, FeedItem.id == item_id)
            .where(
                User.username.in_(names),
                ~queries.blocked_with(author_id, User.id),
                queries.visible_to(User.id),
            )
            .order_by(User.id)
        )
    )


def visible_comment(comment_id: int, viewer_id: int) -> Comment:
    """The comment, if this runner may see it: on an item they may see, and by nobody
    either of them blocked (else NotFound, as for no comment at all)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or blocks.between(viewer_id, comment.author_id):
        raise NotFound
    visible_item(comment.item_id, viewer_id)
    return comment


def edit_comment(author: User, comment_id: int, body: str, *, now: datetime) -> Comment:
    comment = visible_comment(comment_id, author.id)
    if comment.author_id != author.id:
        raise NotAllowed
    comment.body = _clean(body)
    comment.edited_at = now
    db.session.flush()
    _tell_comments(comment)
    return comment


def can_delete(user: User, comment: Comment) -> bool:
    item = comment.item
    admin_of = set(clubs_run_by(user.id)) if item.club_id is not None else set()
    return comment.deletable_by(user.id, item, admin_of)


def delete_comment(user: User, comment_id: int) -> None:
    comment = visible_comment(comment_id, user.id)
    if not can_delete(user, comment):
        raise NotAllowed
    db.session.delete(comment)
    db.session.flush()
    _tell_comments(comment)


def _tell_comments(comment: Comment) -> None:
    # A hidden comment is its author's alone: so is the news of its change.
    only = comment.author_id if comment.hidden_at is not None else None
    live.comments_changed(comment.item, only)
