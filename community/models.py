"""Every feature's models, imported once so Alembic and relationships see them all."""

from community.accounts.models import User
from community.clubs.models import Club, ClubInvite, JoinRequest, Membership, MembershipEvent

__all__ = ["Club", "ClubInvite", "JoinRequest", "Membership", "MembershipEvent", "User"]
