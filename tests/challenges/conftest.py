"""Challenge pages over HTTP: the people, clubs and steps their specs share."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.activities import services as runs
from community.challenges import services
from community.challenges.models import Challenge, ChallengeEntry
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from tests.helpers import add_member, make_club, make_runner, submit

ZONE = ZoneInfo("Europe/London")


@pytest.fixture
def runners(app):
    """olivia owns the clubs, adam is an admin, mia a member, ben is outside, sue runs the site."""
    people = {name: make_runner(app, name) for name in ("olivia", "adam", "mia", "ben")}
    people["sue"] = make_runner(app, "sue", is_site_admin=True)
    return people


def this_month_spec(**fields: object) -> services.ChallengeSpec:
    today = datetime.now(ZONE).date()
    return services.ChallengeSpec(
        title=str(fields.pop("title", "Run 100 km")),
        kind=str(fields.pop("kind", "distance")),
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=10),
        timezone="Europe/London",
        goal=fields.pop("goal", 100_000.0),  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )


def club_challenge(app, owner: User, slug: str, visibility: str = "public") -> int:
    club_id = make_club(app, owner, slug=slug, visibility=visibility, timezone="Europe/London")
    with app.app_context():
        challenge = services.create_challenge(
            db.session.get(User, owner.id),
            db.session.get(Club, club_id),
            this_month_spec(title=f"{slug} km"),
            now=utcnow(),
        )
        db.session.commit()
        return challenge.id


@pytest.fixture
def secret(app, runners):
    """A private club's challenge: adam is an admin there, mia a member, ben is outside."""
    challenge_id = club_challenge(app, runners["olivia"], "secret", "private")
    with app.app_context():
        club_id = db.session.get(Challenge, challenge_id).club_id
    add_member(app, club_id, runners["adam"], "admin")
    add_member(app, club_id, runners["mia"])
    return challenge_id


@pytest.fixture
def open_club(app, runners):
    """A public club's challenge; mia is a member there too, ben is not."""
    challenge_id = club_challenge(app, runners["olivia"], "riverside")
    with app.app_context():
        club_id = db.session.get(Challenge, challenge_id).club_id
    add_member(app, club_id, runners["mia"])
    return challenge_id


def act(client, path, data=None):
    return submit(client, path, data, page="/dashboard")


def entries(app, challenge_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(ChallengeEntry.challenge_id == challenge_id)
        )


def log_km(app, username, km, start=None):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        runs.log_run(
            user,
            runs.RunDetails(
                start_time=start or utcnow() - timedelta(hours=1),
                distance_m=km * 1000,
                duration_s=km * 330,
            ),
            now=utcnow(),
        )
        db.session.commit()


def hide_from_every_board(client) -> None:
    """The runner's settings, with "hide me from public leaderboards" ticked."""
    form = {
        "display_name": "Mia",
        "bio": "",
        "units": "km",
        "timezone": "UTC",
        "default_visibility": "public",
        "leaderboard_hidden": "y",
    }
    submit(client, "/settings", form, page="/settings")
