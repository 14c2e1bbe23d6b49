"""Concurrent requests against the real database (SQLite or PostgreSQL), with real threads."""

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.challenges import services as challenges
from community.challenges.models import Challenge, ChallengeEntry
from community.clubs import services
from community.clubs.models import Club, ClubInvite, Membership, MembershipEvent
from community.db_types import utcnow
from community.extensions import db
from tests.challenges.conftest import club_challenge
from tests.helpers import add_member, each_at_once, make_club, make_runner

ROUNDS = 10

# Every spec here ends with `flask check`: the counters match their rows.
pytestmark = pytest.mark.usefixtures("counters_checked")


def at_once(app, actions: list[Callable[[], object]]) -> list[BaseException]:
    """Run each action in its own thread and transaction, released together."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        with app.app_context():
            barrier.wait()
            try:
                action()
                db.session.commit()
            except services.ClubError as error:
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def members(app, club_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count(Membership.id)).where(Membership.club_id == club_id)
        )


def test_concurrent_joins_by_one_runner_create_one_membership(app):
    owner, ben = make_runner(app, "olivia"), make_runner(app, "ben")
    for round_ in range(ROUNDS):
        club_id = make_club(app, owner, slug=f"club-{round_}")

        def join(club_id: int = club_id) -> None:
            services.join(db.session.get(User, ben.id), db.session.get(Club, club_id))

        errors = at_once(app, [join] * 4)
        assert errors == []
        assert members(app, club_id) == 2  # the owner and ben, once


def test_concurrent_invite_uses_never_exceed_the_limit(app):
    owner = make_runner(app, "olivia")
    runners = [make_runner(app, f"runner{n}") for n in range(8)]
    for round_ in range(ROUNDS // 2):
        club_id = make_club(app, owner, slug=f"club-{round_}", visibility="private")
        with app.app_context():
            invite = services.create_invite(
                db.session.get(User, owner.id), db.session.get(Club, club_id), max_uses=3
            )
            db.session.commit()
            token = invite.token

        def use_invite(user_id: int, token: str = token) -> Callable[[], object]:
            return lambda: services.join_by_invite(
                db.session.get(User, user_id), token, now=utcnow()
            )

        errors = at_once(app, [use_invite(runner.id) for runner in runners])
        assert members(app, club_id) == 1 + 3
        assert len(errors) == 5


def club_with_a_challenge(app, owner: User, visibility: str = "public") -> tuple[int, int]:
    """Riverside with a challenge this month; returns the club's id and the challenge's."""
    challenge_id = club_challenge(app, owner, "riverside", visibility)
    with app.app_context():
        return db.session.get(Challenge, challenge_id).club_id, challenge_id


def joins(user: User, club_id: int, challenge_id: int) -> Callable[[], None]:
    """Join the club, then its challenge (which a runner leaving the club leaves too)."""

    def job() -> None:
        runner = db.session.get(User, user.id)
        services.join(runner, db.session.get(Club, club_id))
        challenges.join(runner, db.session.get(Challenge, challenge_id), now=utcnow())

    return job


def leaves(user: User, club_id: int) -> Callable[[], None]:
    return lambda: services.leave(db.session.get(User, user.id), db.session.get(Club, club_id))


def history(app, club_id: int) -> Counter[str]:
    """How many of each kind of event the club's membership log holds."""
    with app.app_context():
        return Counter(
            db.session.scalars(
                select(MembershipEvent.kind).where(MembershipEvent.club_id == club_id)
            )
        )


def assert_entrants_counted(app, challenge_id: int, entered: int) -> None:
    with app.app_context():
        rows = db.session.scalar(
            select(func.count()).where(ChallengeEntry.challenge_id == challenge_id)
        )
        assert (rows, db.session.get(Challenge, challenge_id).entrants) == (entered, entered)


def refusals(errors: list[Exception]) -> set[str]:
    """What the refused requests were told (a ClubError is a message, never a 500)."""
    assert all(isinstance(error, services.ClubError) for error in errors), errors
    return {str(error) for error in errors}


def test_one_runner_joining_then_leaving_from_twenty_tabs_at_once_is_counted_once(app):
    owner, ben = make_runner(app, "olivia"), make_runner(app, "ben")
    club_id, challenge_id = club_with_a_challenge(app, owner)

    _, errors = each_at_once(app, [joins(ben, club_id, challenge_id)] * 20)
    assert errors == []
    assert members(app, club_id) == 2  # the owner and ben, once
    assert history(app, club_id) == {"joined": 1}
    assert_entrants_counted(app, challenge_id, 1)

    left, errors = each_at_once(app, [leaves(ben, club_id)] * 20)
    # The tabs that come after the one that left are told so, as a second click is.
    assert refusals(errors) <= {"You are not a member of this club."}
    assert len(left) == 1
    assert members(app, club_id) == 1
    assert history(app, club_id) == {"joined": 1, "left": 1}
    assert_entrants_counted(app, challenge_id, 0)


def test_many_runners_joining_then_leaving_at_once_are_each_counted_once(app):
    owner = make_runner(app, "olivia")
    runners = [make_runner(app, f"runner{n}") for n in range(12)]
    club_id, challenge_id = club_with_a_challenge(app, owner)

    _, errors = each_at_once(app, [joins(r, club_id, challenge_id) for r in runners * 2])
    assert errors == []
    assert members(app, club_id) == 13
    assert history(app, club_id) == {"joined": 12}
    assert_entrants_counted(app, challenge_id, 12)

    _, errors = each_at_once(app, [leaves(r, club_id) for r in runners * 2])
    assert refusals(errors) <= {"You are not a member of this club."}
    assert members(app, club_id) == 1
    assert history(app, club_id) == {"joined": 12, "left": 12}
    assert_entrants_counted(app, challenge_id, 0)


def test_a_request_sent_from_twenty_tabs_and_approved_from_twenty_makes_one_member(app):
    owner, adam, ben = (make_runner(app, name) for name in ("olivia", "adam", "ben"))
    club_id, _ = club_with_a_challenge(app, owner, "private")
    add_member(app, club_id, adam, "admin")

    def asks() -> int:
        runner, club = db.session.get(User, ben.id), db.session.get(Club, club_id)
        return services.request_to_join(runner, club, message="Hi!").id

    asked, errors = each_at_once(app, [asks] * 20)
    assert errors == []
    assert len(set(asked)) == 1

    def approves(admin: User) -> Callable[[], object]:
        return lambda: services.decide_request(
            db.session.get(User, admin.id), db.session.get(Club, club_id), asked[0], approve=True
        )

    approved, errors = each_at_once(app, [approves(admin) for admin in [owner, adam] * 10])
    assert refusals(errors) == {"That request was already decided."}
    assert len(approved) == 1
    assert members(app, club_id) == 3
    assert history(app, club_id) == {"approved": 1}


def test_admins_removing_a_member_from_ten_tabs_at_once_remove_them_once(app):
    owner, adam, ben = (make_runner(app, name) for name in ("olivia", "adam", "ben"))
    club_id, challenge_id = club_with_a_challenge(app, owner)
    add_member(app, club_id, adam, "admin")
    assert each_at_once(app, [joins(ben, club_id, challenge_id)])[1] == []

    def removes(admin: User) -> Callable[[], None]:
        return lambda: services.remove_member(
            db.session.get(User, admin.id), db.session.get(Club, club_id), ben.id
        )

    removed, errors = each_at_once(app, [removes(admin) for admin in [owner, adam] * 5])
    assert refusals(errors) <= {"That runner is not a member."}
    assert len(removed) == 1
    assert members(app, club_id) == 2
    assert history(app, club_id) == {"joined": 1, "removed": 1}
    assert_entrants_counted(app, challenge_id, 0)


def test_an_invite_accepted_from_ten_tabs_at_once_spends_one_use(app):
    owner, ben = make_runner(app, "olivia"), make_runner(app, "ben")
    club_id = make_club(app, owner, slug="secret", visibility="private")
    with app.app_context():
        invite = services.create_invite(
            db.session.get(User, owner.id), db.session.get(Club, club_id), max_uses=3
        )
        db.session.commit()
        invite_id, token = invite.id, invite.token

    def accepts() -> int:
        return services.join_by_invite(db.session.get(User, ben.id), token, now=utcnow()).id

    joined, errors = each_at_once(app, [accepts] * 10)

    assert errors == []
    assert len(set(joined)) == 1
    assert members(app, club_id) == 2
    assert history(app, club_id) == {"joined": 1}
    with app.app_context():
        assert db.session.get(ClubInvite, invite_id).uses == 1
