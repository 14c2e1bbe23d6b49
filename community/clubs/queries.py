"""Read-only queries for the club pages."""

from dataclasses import dataclass
from functools import cache

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import aliased, contains_eager

from community.clubs.models import (
    Club,
    ClubInvite,
    ClubVisibility,
    JoinRequest,
    Membership,
    RequestStatus,
)
from community.extensions import db

ROLE_ORDER = case((Membership.role == "owner", 0), (Membership.role == "admin", 1), else_=2)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def directory(query: str, page: int, per_page: int = 20) -> Pagination:
    """Clubs by member count, then name. Public clubs match by name or city; private clubs
    appear only when their name matches, and never in the plain listing."""
    counts = (
        select(Membership.club_id, func.count(Membership.id).label("members"))
        .group_by(Membership.club_id)
        .subquery()
    )
    statement = select(Club).outerjoin(counts, counts.c.club_id == Club.id)
    query = query.strip()
    if query:
        pattern = f"%{_escape_like(query.lower())}%"
        by_name = func.lower(Club.name).like(pattern, escape="\\")
        by_city = func.lower(Club.city).like(pattern, escape="\\")
        statement = statement.where(
            or_(by_name, and_(Club.visibility == ClubVisibility.PUBLIC.value, by_city))
        )
    else:
        statement = statement.where(Club.visibility == ClubVisibility.PUBLIC.value)
    statement = statement.order_by(func.coalesce(counts.c.members, 0).desc(), Club.name, Club.id)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def member_counts(club_ids: list[int]) -> dict[int, int]:
    if not club_ids:
        return {}
    rows = db.session.execute(
        select(Membership.club_id, func.count(Membership.id))
        .where(Membership.club_id.in_(club_ids))
        .group_by(Membership.club_id)
    )
    return {club_id: count for club_id, count in rows}


@cache
def _my_clubs() -> Select[tuple[Membership]]:
    # Built once: the dashboard runs it on every visit.
    return (
        select(Membership)
        .join(Membership.club)
        .options(contains_eager(Membership.club))  # one query, not one per club
        .where(Membership.user_id == bindparam("user_id"))
        .order_by(ROLE_ORDER, Club.name)
    )


def my_clubs(user_id: int) -> list[Membership]:
    return list(db.session.scalars(_my_clubs(), {"user_id": user_id}))


def members(club_id: int, page: int, per_page: int = 30, total: int | None = None) -> Pagination:
    """Owner first, then admins, then members in the order they joined (`total`: the count,
    when the caller has it already)."""
    statement = (
        select(Membership)
        .where(Membership.club_id == club_id)
        .order_by(ROLE_ORDER, Membership.joined_at, Membership.id)
    )
    listed = db.paginate(
        statement, page=page, per_page=per_page, error_out=False, count=total is None
    )
    if total is not None:
        listed.total = total
    return listed


def pending_requests(club_id: int) -> list[JoinRequest]:
    return list(
        db.session.scalars(
            select(JoinRequest)
            .where(
                JoinRequest.club_id == club_id,
                JoinRequest.status == RequestStatus.PENDING.value,
            )
            .order_by(JoinRequest.created_at)
        )
    )


def invites(club_id: int) -> list[ClubInvite]:
    return list(
        db.session.scalars(
            select(ClubInvite)
            .where(ClubInvite.club_id == club_id)
            .order_by(ClubInvite.revoked_at.is_not(None), ClubInvite.created_at.desc())
        )
    )


@dataclass(frozen=True)
class ClubHead:
    """A club as its page opens: the club, the viewer's membership and how many members."""

    club: Club
    membership: Membership | None
    member_count: int

    @property
    def visible(self) -> bool:
        return self.club.shows_content_to(self.membership)


@cache
def _club_head() -> Select[tuple[Club, Membership, int]]:
    # Built once: every club page starts with it.
    mine = aliased(Membership)
    count = select(func.count(Membership.id)).where(Membership.club_id == Club.id).scalar_subquery()
    return (
        select(Club, mine, count)
        .outerjoin(mine, and_(mine.club_id == Club.id, mine.user_id == bindparam("viewer_id")))
        .where(Club.slug == bindparam("slug"))
    )


def club_head(slug: str, viewer_id: int | None) -> ClubHead | None:
    """The club by its slug, with the viewer's membership and the member count: one
    statement."""
    values = {"slug": slug.lower(), "viewer_id": viewer_id or 0}
    row = db.session.execute(_club_head(), values).first()
    if row is None:
        return None
    club, membership, member_count = row
    return ClubHead(club, membership, member_count)


def club_by_slug(slug: str) -> Club | None:
    return db.session.scalar(select(Club).where(Club.slug == slug.lower()))


def clubs_run_by(user_id: int) -> list[int]:
    """The clubs this runner owns or admins (`Membership.is_admin`)."""
    return list(
        db.session.scalars(
            select(Membership.club_id).where(Membership.user_id == user_id, Membership.is_admin)
        )
    )
