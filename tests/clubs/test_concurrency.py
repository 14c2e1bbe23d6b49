"""Concurrent requests against the real database (SQLite or PostgreSQL), with real threads."""

import threading
from collections.abc import Callable

from sqlalchemy import func, select

from community.accounts.models import User
from community.clubs import services
from community.clubs.models import Club, Membership
from community.db_types import utcnow
from community.extensions import db
from tests.helpers import make_club, make_runner

ROUNDS = 10


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
