"""Club rules, called directly as the routes call them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.clubs import services
from community.clubs.models import Club, Membership, MembershipEvent, Role
from community.db_types import utcnow
from community.extensions import db
from tests.helpers import add_member, make_club, make_runner


@pytest.fixture
def people(app):
    return {name: make_runner(app, name) for name in ("olivia", "adam", "mia", "ben", "zoe")}


@pytest.fixture
def club(app, people, ctx):
    """Riverside (public): olivia owns it, adam is an admin, mia a member; ben, zoe outside."""
    club_id = make_club(app, people["olivia"], slug="riverside")
    add_member(app, club_id, people["adam"], "admin")
    add_member(app, club_id, people["mia"])
    return db.session.get(Club, club_id)


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def role_of(club: Club, name: str) -> str | None:
    membership = services.membership_of(club.id, user(name).id)
    return membership.role if membership else None


def events(club: Club) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(MembershipEvent.kind, User.username)
        .join(User, User.id == MembershipEvent.user_id)
        .where(MembershipEvent.club_id == club.id)
        .order_by(MembershipEvent.id)
    )
    return [tuple(row) for row in rows]


def test_creator_becomes_owner(app, people, ctx):
    club = services.create_club(user("ben"), name="Hill Hares", slug="Hill-Hares")
    assert club.slug == "hill-hares"
    assert role_of(club, "ben") == "owner"


@pytest.mark.parametrize("slug", ["ab", "-abc", "abc-", "has space", "ünï", "new", "x" * 41])
def test_invalid_or_reserved_slugs_are_refused(people, ctx, slug):
    with pytest.raises(services.ClubError) as refused:
        services.create_club(user("ben"), name="Club", slug=slug)
    assert refused.value.field == "slug"


def test_slug_must_be_unique_in_any_case(club, ctx):
    with pytest.raises(services.ClubError, match="Another club already has this address"):
        services.create_club(user("ben"), name="Other", slug="RIVERSIDE")


def test_joining_a_public_club_is_immediate_and_recorded(club, ctx):
    services.join(user("ben"), club)
    db.session.commit()
    assert role_of(club, "ben") == "member"
    assert events(club)[-1] == ("joined", "ben")


def test_joining_twice_keeps_one_membership(club, ctx):
    first = services.join(user("ben"), club)
    second = services.join(user("ben"), club)
    assert first.id == second.id


def test_private_club_cannot_be_joined_directly(app, people, ctx):
    club = db.session.get(
        Club, make_club(app, people["olivia"], slug="secret", visibility="private")
    )
    with pytest.raises(services.NotAllowed):
        services.join(user("ben"), club)


def test_join_request_is_approved_by_an_admin(app, people, ctx):
    club = db.session.get(
        Club, make_club(app, people["olivia"], slug="secret", visibility="private")
    )
    request = services.request_to_join(user("ben"), club, message="I run Tuesdays")
    assert services.pending_request(club.id, user("ben").id) is not None
    services.decide_request(user("olivia"), club, request.id, approve=True)
    db.session.commit()
    assert role_of(club, "ben") == "member"
    assert services.pending_request(club.id, user("ben").id) is None
    assert events(club)[-1] == ("approved", "ben")


def test_declined_runner_can_ask_again(app, people, ctx):
    club = db.session.get(
        Club, make_club(app, people["olivia"], slug="secret", visibility="private")
    )
    request = services.request_to_join(user("ben"), club)
    services.decide_request(user("olivia"), club, request.id, approve=False)
    assert role_of(club, "ben") is None
    again = services.request_to_join(user("ben"), club)
    assert again.id == request.id
    assert again.status == "pending"


def test_a_request_cannot_be_decided_twice(app, people, ctx):
    club = db.session.get(
        Club, make_club(app, people["olivia"], slug="secret", visibility="private")
    )
    request = services.request_to_join(user("ben"), club)
    services.decide_request(user("olivia"), club, request.id, approve=False)
    with pytest.raises(services.ClubError, match="already decided"):
        services.decide_request(user("olivia"), club, request.id, approve=True)


def test_members_cannot_do_admin_actions(club, ctx):
    mia = user("mia")
    admin_actions = [
        lambda: services.update_club(
            mia, club, name="X", description="", city="", timezone="UTC", visibility="public"
        ),
        lambda: services.create_invite(mia, club),
        lambda: services.remove_member(mia, club, user("adam").id),
        lambda: services.set_role(mia, club, user("mia").id, Role.ADMIN),
        lambda: services.transfer_ownership(mia, club, user("mia").id),
        lambda: services.delete_club(mia, club, confirm_slug="riverside"),
    ]
    for action in admin_actions:
        with pytest.raises(services.NotAllowed):
            action()


def test_an_admin_cannot_remove_the_owner(club, ctx):
    with pytest.raises(services.NotAllowed, match="owner cannot be removed"):
        services.remove_member(user("adam"), club, user("olivia").id)


def test_an_admin_removes_a_member_and_it_is_recorded(club, ctx):
    services.remove_member(user("adam"), club, user("mia").id)
    db.session.commit()
    assert role_of(club, "mia") is None
    assert events(club)[-1] == ("removed", "mia")


def test_only_the_owner_removes_or_demotes_an_admin(club, ctx):
    add_member_as_admin = services.membership_of(club.id, user("mia").id)
    add_member_as_admin.role = "admin"
    with pytest.raises(services.NotAllowed):
        services.remove_member(user("adam"), club, user("mia").id)
    with pytest.raises(services.NotAllowed):
        services.set_role(user("adam"), club, user("mia").id, Role.MEMBER)
    services.set_role(user("olivia"), club, user("mia").id, Role.MEMBER)
    assert role_of(club, "mia") == "member"


def test_an_admin_promotes_a_member(club, ctx):
    services.set_role(user("adam"), club, user("mia").id, Role.ADMIN)
    assert role_of(club, "mia") == "admin"


def test_ownership_transfer_leaves_the_old_owner_an_admin(club, ctx):
    services.transfer_ownership(user("olivia"), club, user("mia").id)
    db.session.commit()
    assert (role_of(club, "olivia"), role_of(club, "mia")) == ("admin", "owner")


def test_the_owner_cannot_leave_without_handing_over(club, ctx):
    with pytest.raises(services.ClubError, match="Hand ownership"):
        services.leave(user("olivia"), club)
    services.transfer_ownership(user("olivia"), club, user("adam").id)
    services.leave(user("olivia"), club)
    assert role_of(club, "olivia") is None


def test_only_the_owner_deletes_the_club_after_typing_its_slug(club, ctx):
    with pytest.raises(services.NotAllowed):
        services.delete_club(user("adam"), club, confirm_slug="riverside")
    with pytest.raises(services.ClubError, match="to confirm"):
        services.delete_club(user("olivia"), club, confirm_slug="oops")
    club_id = club.id
    services.delete_club(user("olivia"), club, confirm_slug="riverside")
    db.session.commit()
    assert db.session.get(Club, club_id) is None
    remaining = db.session.scalars(select(Membership).where(Membership.club_id == club_id)).all()
    assert remaining == []


def test_invite_link_lets_a_runner_join_a_private_club(app, people, ctx):
    club = db.session.get(
        Club, make_club(app, people["olivia"], slug="secret", visibility="private")
    )
    invite = services.create_invite(user("olivia"), club)
    services.join_by_invite(user("ben"), invite.token, now=utcnow())
    assert role_of(club, "ben") == "member"
    db.session.refresh(invite)
    assert invite.uses == 1


def test_revoked_invite_stops_working(club, ctx):
    invite = services.create_invite(user("olivia"), club)
    services.revoke_invite(user("adam"), club, invite.id)
    with pytest.raises(services.ClubError, match="expired or been revoked"):
        services.join_by_invite(user("ben"), invite.token, now=utcnow())


def test_expired_invite_stops_working(club, ctx):
    invite = services.create_invite(user("olivia"), club, expires_at=utcnow() + timedelta(days=1))
    with pytest.raises(services.ClubError, match="expired or been revoked"):
        services.join_by_invite(user("ben"), invite.token, now=utcnow() + timedelta(days=2))


def test_invite_use_limit_is_enforced(club, ctx):
    invite = services.create_invite(user("olivia"), club, max_uses=1)
    services.join_by_invite(user("ben"), invite.token, now=utcnow())
    with pytest.raises(services.ClubError, match="expired or been revoked"):
        services.join_by_invite(user("zoe"), invite.token, now=utcnow())
    assert role_of(club, "zoe") is None


def test_members_using_an_invite_spend_no_use(club, ctx):
    invite = services.create_invite(user("olivia"), club, max_uses=1)
    services.join_by_invite(user("mia"), invite.token, now=utcnow())
    db.session.refresh(invite)
    assert invite.uses == 0


def test_private_content_is_for_members_only(app, people, ctx):
    club = db.session.get(
        Club, make_club(app, people["olivia"], slug="secret", visibility="private")
    )
    assert services.can_see_content(club, user("olivia").id)
    assert not services.can_see_content(club, user("ben").id)
    assert not services.can_see_content(club, None)
