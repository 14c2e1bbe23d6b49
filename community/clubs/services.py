"""Club rules. Every function checks the actor's role itself; they flush, callers commit."""

import re
import secrets
from datetime import datetime
from zoneinfo import available_timezones

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.clubs import events
from community.clubs.models import (
    Club,
    ClubInvite,
    ClubVisibility,
    JoinRequest,
    Membership,
    MembershipEvent,
    MembershipEventKind,
    RequestStatus,
    Role,
)
from community.db_types import utcnow
from community.extensions import db
from community.realtime import emit_after_commit, leave_room_after_commit

SLUG_RULE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
# Slugs that would shadow pages under /clubs/.
RESERVED_SLUGS = frozenset({"new", "mine", "search", "invite", "join", "admin", "api"})


class ClubError(Exception):
    """A request the club rules refuse; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(ClubError):
    """The actor's role does not allow this (a 403)."""


def club_room(club_id: int) -> str:
    return f"club:{club_id}"


def membership_of(club_id: int, user_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.club_id == club_id, Membership.user_id == user_id)
    )


def is_admin(club_id: int, user_id: int | None) -> bool:
    """Whether the runner owns or admins the club (`Membership.is_admin`, the one rule)."""
    if user_id is None:
        return False
    ran_by = select(Membership.id).where(
        Membership.club_id == club_id, Membership.user_id == user_id, Membership.is_admin
    )
    return bool(db.session.scalar(select(ran_by.exists())))


def can_see_content(club: Club, user_id: int | None) -> bool:
    if not club.is_private:
        return True
    return user_id is not None and club.shows_content_to(membership_of(club.id, user_id))


def _require_admin(club: Club, actor: User) -> Membership:
    membership = membership_of(club.id, actor.id)
    if membership is None or not membership.is_admin:
        raise NotAllowed("Only the club's owner and admins can do that.")
    return membership


def require_admin(club: Club, actor: User) -> Membership:
    """The actor's membership if they are the club's owner or an admin, else NotAllowed
    (for the club's other modules: images)."""
    return _require_admin(club, actor)


def _require_owner(club: Club, actor: User) -> Membership:
    membership = membership_of(club.id, actor.id)
    if membership is None or not membership.is_owner:
        raise NotAllowed("Only the club's owner can do that.")
    return membership


def _record(club: Club, kind: MembershipEventKind, user: User, actor: User | None = None) -> None:
    db.session.add(
        MembershipEvent(
            club_id=club.id, user_id=user.id, actor_id=actor.id if actor else None, kind=kind.value
        )
    )
    emit_after_commit(
        "club:members_changed",
        {
            "club_id": club.id,
            "kind": kind.value,
            "user": {"username": user.username, "display_name": user.display_name},
        },
        room=club_room(club.id),
    )


def _validate(*, name: str, timezone: str, visibility: str) -> None:
    if not name.strip():
        raise ClubError("Give the club a name.", field="name")
    if timezone not in available_timezones():
        raise ClubError("Choose a time zone from the list.", field="timezone")
    if visibility not in {v.value for v in ClubVisibility}:
        raise ClubError("Choose public or private.", field="visibility")


def normalise_slug(slug: str) -> str:
    return slug.strip().lower()


def create_club(
    owner: User,
    *,
    name: str,
    slug: str,
    description: str = "",
    city: str = "",
    timezone: str = "UTC",
    visibility: str = ClubVisibility.PUBLIC.value,
) -> Club:
    """Create a club with `owner` as its owner. Raises ClubError for a bad or taken slug."""
    slug = normalise_slug(slug)
    _validate(name=name, timezone=timezone, visibility=visibility)
    if not SLUG_RULE.match(slug) or slug in RESERVED_SLUGS:
        raise ClubError(
            "Use 3 to 40 lowercase letters, digits or '-', not starting or ending with '-'.",
            field="slug",
        )
    if db.session.scalar(select(Club.id).where(Club.slug == slug)):
        raise ClubError("Another club already has this address.", field="slug")
    club = Club(
        name=name.strip(),
        slug=slug,
        description=description.strip(),
        city=city.strip(),
        timezone=timezone,
        visibility=visibility,
    )
    try:
        with db.session.begin_nested():
            db.session.add(club)
            db.session.flush()
    except IntegrityError as error:
        raise ClubError("Another club already has this address.", field="slug") from error
    db.session.add(Membership(club_id=club.id, user_id=owner.id, role=Role.OWNER.value))
    db.session.flush()
    return club


def update_club(
    actor: User,
    club: Club,
    *,
    name: str,
    description: str,
    city: str,
    timezone: str,
    visibility: str,
    members_schedule_runs: bool = False,
    latitude: float | None = None,
    longitude: float | None = None,
) -> None:
    """Change the club's details (its owner and admins). Without a latitude and a
    longitude the club has no home location."""
    _require_admin(club, actor)
    _validate(name=name, timezone=timezone, visibility=visibility)
    _validate_home(latitude, longitude)
    club.name = name.strip()
    club.description = description.strip()
    club.city = city.strip()
    club.timezone = timezone
    club.visibility = visibility
    club.members_schedule_runs = members_schedule_runs
    club.latitude, club.longitude = latitude, longitude
    db.session.flush()


def _validate_home(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        field = "longitude" if longitude is None else "latitude"
        raise ClubError("Give both latitude and longitude, or neither.", field=field)
    if latitude is not None and not -90 <= latitude <= 90:
        raise ClubError("Latitude is between -90 and 90.", field="latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise ClubError("Longitude is between -180 and 180.", field="longitude")


def delete_club(actor: User, club: Club, *, confirm_slug: str) -> None:
    """Delete the club and, by ON DELETE CASCADE, everything that hangs off it."""
    _require_owner(club, actor)
    if normalise_slug(confirm_slug) != club.slug:
        raise ClubError(f'Type "{club.slug}" to confirm.', field="confirm")
    emit_after_commit("club:deleted", {"club_id": club.id}, room=club_room(club.id))
    db.session.execute(delete(Club).where(Club.id == club.id))
    db.session.expunge(club)


def _new_member(club: Club, user: User) -> tuple[Membership, bool]:
    """The runner's membership, and whether this transaction made it: a concurrent
    duplicate (a second tab) is caught by the unique constraint and finds the first."""
    existing = membership_of(club.id, user.id)
    if existing is not None:
        return existing, False
    try:
        with db.session.begin_nested():
            membership = Membership(club_id=club.id, user_id=user.id, role=Role.MEMBER.value)
            db.session.add(membership)
    except IntegrityError:
        found = membership_of(club.id, user.id)
        if found is None:
            raise
        return found, False
    return membership, True


def _welcome(club: Club, user: User, kind: MembershipEventKind, actor: User | None) -> None:
    _record(club, kind, user, actor)
    events.membership_started.send(None, club_id=club.id, user_id=user.id)


def _add_member(
    club: Club, user: User, kind: MembershipEventKind, actor: User | None
) -> Membership:
    """Make the runner a member once, however many requests ask at the same moment."""
    membership, made = _new_member(club, user)
    if made:
        _welcome(club, user, kind, actor)
    return membership


def join(user: User, club: Club) -> Membership:
    """Join a public club at once (joining twice is harmless)."""
    if club.is_private:
        raise NotAllowed("This club is private: ask to join or use an invite link.")
    return _add_member(club, user, MembershipEventKind.JOINED, None)


def request_to_join(user: User, club: Club, *, message: str = "") -> JoinRequest:
    """Ask to join a private club; a declined runner may ask again."""
    if not club.is_private:
        raise ClubError("This club is public: join it directly.")
    if membership_of(club.id, user.id) is not None:
        raise ClubError("You are already a member of this club.")
    request = join_request_of(club.id, user.id) or JoinRequest(club_id=club.id, user_id=user.id)
    try:
        # A new request goes in inside the savepoint, so that losing the race below leaves
        # nothing of it in the session.
        with db.session.begin_nested():
            db.session.add(request)
            request.status = RequestStatus.PENDING.value
            request.message = message.strip()[:300]
            request.created_at = utcnow()
            request.decided_at = None
            request.decided_by_id = None
            db.session.flush()
    except IntegrityError:
        # Another tab asked at the same moment: that request is the one waiting.
        found = pending_request(club.id, user.id)
        if found is None:
            raise
        return found
    emit_after_commit(
        "club:request_added",
        {"club_id": club.id, "username": user.username},
        room=club_room(club.id),
    )
    return request


def join_request_of(club_id: int, user_id: int) -> JoinRequest | None:
    """The runner's request to join (pending, approved or declined), if they made one."""
    return db.session.scalar(
        select(JoinRequest).where(JoinRequest.club_id == club_id, JoinRequest.user_id == user_id)
    )


def pending_request(club_id: int, user_id: int) -> JoinRequest | None:
    request = join_request_of(club_id, user_id)
    return request if request and request.status == RequestStatus.PENDING.value else None


def decide_request(actor: User, club: Club, request_id: int, *, approve: bool) -> JoinRequest:
    _require_admin(club, actor)
    request = db.session.get(JoinRequest, request_id)
    if request is None or request.club_id != club.id:
        raise ClubError("That request no longer exists.")
    # Conditional update: two admins deciding at once cannot both act on it.
    status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    decided = db.session.execute(
        update(JoinRequest)
        .where(JoinRequest.id == request.id, JoinRequest.status == RequestStatus.PENDING.value)
        .values(status=status.value, decided_at=utcnow(), decided_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        raise ClubError("That request was already decided.")
    db.session.refresh(request)
    if approve:
        _add_member(club, request.user, MembershipEventKind.APPROVED, actor)
    else:
        _record(club, MembershipEventKind.DECLINED, request.user, actor)
    emit_after_commit(
        "club:request_decided",
        {"club_id": club.id, "slug": club.slug, "name": club.name, "approved": approve},
        room=f"user:{request.user_id}",
    )
    return request


def create_invite(
    actor: User, club: Club, *, expires_at: datetime | None = None, max_uses: int | None = None
) -> ClubInvite:
    _require_admin(club, actor)
    if max_uses is not None and max_uses < 1:
        raise ClubError("An invite must allow at least one use.", field="max_uses")
    if expires_at is not None and expires_at <= utcnow():
        raise ClubError("The expiry must be in the future.", field="expires_in_days")
    invite = ClubInvite(
        club_id=club.id,
        token=secrets.token_urlsafe(24),
        created_by_id=actor.id,
        expires_at=expires_at,
        max_uses=max_uses,
    )
    db.session.add(invite)
    db.session.flush()
    return invite


def revoke_invite(actor: User, club: Club, invite_id: int) -> None:
    _require_admin(club, actor)
    invite = db.session.get(ClubInvite, invite_id)
    if invite is None or invite.club_id != club.id:
        raise ClubError("That invite no longer exists.")
    invite.revoked_at = invite.revoked_at or utcnow()
    db.session.flush()


def invite_by_token(token: str) -> ClubInvite | None:
    return db.session.scalar(select(ClubInvite).where(ClubInvite.token == token))


def _spend_use(invite: ClubInvite, now: datetime) -> bool:
    """Count one use while the link is still good, in one statement: no race can take
    more uses than it allows. Returns whether it was still good."""
    used = db.session.execute(
        update(ClubInvite)
        .where(
            ClubInvite.id == invite.id,
            ClubInvite.revoked_at.is_(None),
            or_(ClubInvite.expires_at.is_(None), ClubInvite.expires_at > now),
            or_(ClubInvite.max_uses.is_(None), ClubInvite.uses < ClubInvite.max_uses),
        )
        .values(uses=ClubInvite.uses + 1)
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1


def join_by_invite(user: User, token: str, *, now: datetime) -> Membership:
    """Join through an invite link, using one of its uses (members use none)."""
    invite = invite_by_token(token)
    if invite is None:
        raise ClubError("This invite link is not valid.")
    club = invite.club
    # The membership first: only the request that makes it spends a use (members spend
    # none, and neither does a second tab of the same runner, which finds the first's).
    with db.session.begin_nested():
        membership, made = _new_member(club, user)
        if made and not _spend_use(invite, now):
            # Raised inside the savepoint: the membership just made goes with it.
            raise ClubError("This invite link has expired or been revoked. Ask for a new one.")
    if not made:
        return membership
    _welcome(club, user, MembershipEventKind.JOINED, None)
    db.session.execute(
        update(JoinRequest)
        .where(
            JoinRequest.club_id == club.id,
            JoinRequest.user_id == user.id,
            JoinRequest.status == RequestStatus.PENDING.value,
        )
        .values(status=RequestStatus.APPROVED.value, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return membership


def _lose_access(club: Club, user: User) -> None:
    leave_room_after_commit(user.id, club_room(club.id))
    events.membership_ended.send(None, club_id=club.id, user_id=user.id)
    emit_after_commit(
        "club:access_ended", {"club_id": club.id, "slug": club.slug}, room=f"user:{user.id}"
    )


def _end(membership: Membership) -> bool:
    """Delete the membership; whether this transaction did (another request, a second tab
    or another admin, may have a moment ago: then nothing that follows a leave may happen
    twice, the challenges left, the log, the feed)."""
    deleted = db.session.execute(
        delete(Membership).where(Membership.id == membership.id).returning(Membership.id)
    ).scalar()
    return deleted is not None


def leave(user: User, club: Club) -> None:
    membership = membership_of(club.id, user.id)
    if membership is None:
        raise ClubError("You are not a member of this club.")
    if membership.is_owner:
        raise ClubError("Hand ownership to another member before you leave.")
    if not _end(membership):
        raise ClubError("You are not a member of this club.")
    _lose_access(club, user)
    _record(club, MembershipEventKind.LEFT, user)
    db.session.flush()


def remove_member(actor: User, club: Club, user_id: int) -> None:
    """Admins remove members; only the owner removes admins; nobody removes the owner."""
    actor_membership = _require_admin(club, actor)
    target = membership_of(club.id, user_id)
    if target is None:
        raise ClubError("That runner is not a member.")
    if target.is_owner:
        raise NotAllowed("The owner cannot be removed.")
    if target.user_id == actor.id:
        raise ClubError("To leave the club, use Leave.")
    if target.role == Role.ADMIN.value and not actor_membership.is_owner:
        raise NotAllowed("Only the owner can remove an admin.")
    user = target.user
    if not _end(target):
        raise ClubError("That runner is not a member.")
    _lose_access(club, user)
    _record(club, MembershipEventKind.REMOVED, user, actor)
    db.session.flush()


def set_role(actor: User, club: Club, user_id: int, role: Role) -> None:
    """Admins promote members to admin; only the owner demotes an admin."""
    actor_membership = _require_admin(club, actor)
    target = membership_of(club.id, user_id)
    if target is None:
        raise ClubError("That runner is not a member.")
    if role == Role.OWNER or target.is_owner:
        raise ClubError("Use 'transfer ownership' to change the owner.")
    if role == Role.MEMBER and target.role == Role.ADMIN.value and not actor_membership.is_owner:
        raise NotAllowed("Only the owner can demote an admin.")
    if target.role == role.value:
        return
    target.role = role.value
    kind = MembershipEventKind.PROMOTED if role == Role.ADMIN else MembershipEventKind.DEMOTED
    _record(club, kind, target.user, actor)
    db.session.flush()


def transfer_ownership(actor: User, club: Club, user_id: int) -> None:
    """Hand the club to another member; the old owner stays on as an admin."""
    owner = _require_owner(club, actor)
    target = membership_of(club.id, user_id)
    if target is None or target.user_id == actor.id:
        raise ClubError("Choose another member of the club.")
    owner.role = Role.ADMIN.value
    db.session.flush()
    target.role = Role.OWNER.value
    _record(club, MembershipEventKind.OWNERSHIP_TRANSFERRED, target.user, actor)
    db.session.flush()


def member_count(club_id: int) -> int:
    return (
        db.session.scalar(select(func.count(Membership.id)).where(Membership.club_id == club_id))
        or 0
    )
