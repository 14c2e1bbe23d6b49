"""Reports and hiding. Functions flush; the caller commits.

A runner reports an item or a comment they can see to the admins of the club it was seen
in: the item's club, else a club the reporter shares with its runner; outside any shared
club, to the site's admins. An admin hides it (it leaves every feed but its author's) or
dismisses the report.

The runner a report is about never hears of it, even as an admin: it goes to the club's
other admins (to the site's admins when the club has none), is left off their reports page,
and they may not decide it. So reporters stay anonymous to the reported runner.
"""

from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from community.accounts.models import User
from community.clubs.models import Membership
from community.clubs.services import can_see_content, is_admin
from community.extensions import db
from community.feed import events, live
from community.feed.models import FeedItem, Report, ReportStatus
from community.feed.services import (
    FeedError,
    NotAllowed,
    NotFound,
    clean_text,
    visible_comment,
    visible_item,
)

MAX_REASON = 300


def _reason(text: str) -> str:
    return clean_text(text, MAX_REASON, "Say what is wrong, so the admins know what to look for.")


class OwnCase(Exception):
    """A report about the admin's own post: the others decide it (the message says so)."""


def _admins(club_id: int) -> Select[tuple[int]]:
    """The owner and admins of a club."""
    return select(Membership.user_id).where(Membership.club_id == club_id, Membership.is_admin)


def _has_other_admin(club_id: ColumnElement[int] | int, subject_id: int) -> ColumnElement[bool]:
    admin = aliased(Membership)
    return exists().where(
        admin.club_id == club_id,
        admin.is_admin,
        admin.user_id != subject_id,
    )


def deciding_club(item: FeedItem, reporter_id: int, subject_id: int) -> int | None:
    """The club whose admins look at a report on `item` about `subject_id` (the item's
    runner or a comment's author), or None for the site's admins: the item's club, else the
    first club the reporter shares with its runner, of those with an admin besides the
    runner the report is about."""
    if item.club_id is not None:
        others = db.session.scalar(select(_has_other_admin(item.club_id, subject_id)))
        return item.club_id if others else None
    mine, theirs = aliased(Membership), aliased(Membership)
    return db.session.scalar(
        select(mine.club_id)
        .join(theirs, theirs.club_id == mine.club_id)
        .where(
            mine.user_id == reporter_id,
            theirs.user_id == item.actor_id,
            _has_other_admin(mine.club_id, subject_id),
        )
        .order_by(mine.club_id)
        .limit(1)
    )


def _file(reporter: User, item: FeedItem, author_id: int, report: Report) -> Report:
    if author_id == reporter.id:
        raise FeedError("That one is yours: delete it instead.")
    report.subject_id = author_id
    report.club_id = deciding_club(item, reporter.id, author_id)
    try:
        # Two clicks at once: the unique pair keeps one report.
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:
        raise FeedError("You have reported this already: the admins will look at it.") from None
    events.reported.send(None, report_id=report.id)
    return report


def report_item(reporter: User, item_id: int, reason: str, *, now: datetime) -> Report:
    item = visible_item(item_id, reporter.id)
    report = Report(
        reporter_id=reporter.id, item_id=item.id, reason=_reason(reason), created_at=now
    )
    return _file(reporter, item, item.actor_id, report)


def report_comment(reporter: User, comment_id: int, reason: str, *, now: datetime) -> Report:
    comment = visible_comment(comment_id, reporter.id)
    if comment.hidden_at is not None:
        raise NotFound
    item = comment.item
    report = Report(
        reporter_id=reporter.id, comment_id=comment.id, reason=_reason(reason), created_at=now
    )
    return _file(reporter, item, comment.author_id, report)


def moderators(report: Report) -> list[int]:
    """Who decides this report: its club's owner and admins, or the site's admins; never
    the runner it is about."""
    if report.club_id is None:
        admins = select(User.id).where(User.is_site_admin.is_(True), User.id != report.subject_id)
    else:
        admins = _admins(report.club_id).where(Membership.user_id != report.subject_id)
    return list(db.session.scalars(admins))


def can_decide(user: User, club_id: int | None) -> bool:
    if user.is_site_admin:
        return True
    return club_id is not None and is_admin(club_id, user.id)


def open_reports(club_id: int | None, viewer_id: int) -> list[Report]:
    """The open reports this club's admins (None: the site's) decide, but those about the
    viewer, who never sees who reported them."""
    return list(
        db.session.scalars(
            select(Report)
            # What each report points at, for the page: two queries, not two per report.
            .options(selectinload(Report.item), selectinload(Report.comment))
            .where(
                Report.club_id == club_id,
                Report.status == ReportStatus.OPEN.value,
                Report.subject_id != viewer_id,
            )
            .order_by(Report.created_at, Report.id)
            .limit(200)
        ).unique()
    )


def _report_to_decide(user: User, report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    # A private club's reports are its admins' alone: to anyone who may not see the club,
    # a site admin too, there is no such report (as its reports page is a 404 to them).
    if report is None or (report.club is not None and not can_see_content(report.club, user.id)):
        raise NotFound
    if not can_decide(user, report.club_id):
        raise NotAllowed
    if report.subject_id == user.id:
        raise OwnCase("This report is about your own post: the other admins decide it.")
    if report.status != ReportStatus.OPEN.value:
        raise FeedError("Someone has decided this report already.")
    return report


def _same_target(report: Report):  # type: ignore[no-untyped-def]
    if report.item_id is not None:
        return Report.item_id == report.item_id
    return Report.comment_id == report.comment_id


def hide(admin: User, report_id: int, *, now: datetime) -> Report:
    """Hide what was reported; every open report on it is decided with it."""
    report = _report_to_decide(admin, report_id)
    target = report.item or report.comment  # the database keeps exactly one of them
    item = report.item or report.comment.item  # type: ignore[union-attr]
    # Told before it is hidden: the pages of those who saw it until now let it go.
    live.item_changed(item)
    target.hidden_at = now  # type: ignore[union-attr]
    db.session.execute(
        update(Report)
        .where(_same_target(report), Report.status == ReportStatus.OPEN.value)
        .values(status=ReportStatus.HIDDEN.value, decided_at=now, decided_by_id=admin.id)
        .execution_options(synchronize_session="fetch")
    )
    return report


def dismiss(admin: User, report_id: int, *, now: datetime) -> Report:
    report = _report_to_decide(admin, report_id)
    report.status = ReportStatus.DISMISSED.value
    report.decided_at = now
    report.decided_by_id = admin.id
    db.session.flush()
    return report
