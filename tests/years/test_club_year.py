"""A club's year in running: its members' runs but the private ones, its group runs and who
came; a private club's for its members alone."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.activities import services as activities
from community.activities.services import RunDetails
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from community.years import queries
from tests.helpers import add_member, as_, make_club, make_runner, text

YEAR = utcnow().year - 1
NOW = utcnow()


def log(name: str, when: datetime, km: float, visibility: str = "public") -> None:
    user = db.session.scalar(select(User).where(User.username == name))
    details = RunDetails(
        start_time=when, distance_m=km * 1000, duration_s=km * 300, visibility=visibility
    )
    activities.log_run(user, details, now=NOW)


@pytest.fixture
def clubs(app):
    people = {
        n: make_runner(app, n, display_name=n.title()) for n in ("olivia", "ana", "ben", "zoe")
    }
    public = make_club(app, people["olivia"], "riverside", name="Riverside Runners")
    private = make_club(
        app, people["olivia"], "night-owls", name="Night Owls", visibility="private"
    )
    add_member(app, public, people["ana"])
    add_member(app, public, people["zoe"])
    with app.app_context():
        db.session.get(User, people["zoe"].id).leaderboard_hidden = True
        log("ana", datetime(YEAR, 4, 2, 7, tzinfo=UTC), 10)
        log("ana", datetime(YEAR, 4, 9, 7, tzinfo=UTC), 7, visibility="members")
        log("ana", datetime(YEAR, 5, 2, 7, tzinfo=UTC), 30, visibility="private")
        log("zoe", datetime(YEAR, 6, 2, 7, tzinfo=UTC), 12)
        log("ben", datetime(YEAR, 6, 3, 7, tzinfo=UTC), 50)  # not a member
        db.session.commit()
    return {"public": public, "private": private}


def test_a_clubs_year_counts_its_members_runs_but_the_private_ones(ctx, clubs):
    page = queries.club_year_page(db.session.get(Club, clubs["public"]), YEAR, NOW)

    assert (page.runs, round(page.distance_m)) == (3, 29_000)
    assert page.months[3].runs == 2
    assert [m.display_name for m in page.furthest] == ["Ana"]  # Zoe hides from boards


def test_a_public_clubs_year_is_for_everyone_and_a_private_ones_for_its_members(app, clubs):
    assert "Riverside Runners: " in text(app.test_client().get(f"/clubs/riverside/year/{YEAR}"))
    assert app.test_client().get(f"/clubs/night-owls/year/{YEAR}").status_code == 404
    assert as_(app, "ana").get(f"/clubs/night-owls/year/{YEAR}").status_code == 404
    assert as_(app, "olivia").get(f"/clubs/night-owls/year/{YEAR}").status_code == 200
    assert app.test_client().get("/clubs/riverside/year/1999").status_code == 404


def test_the_club_page_links_to_its_year(app, clubs):
    page = text(app.test_client().get("/clubs/riverside"))
    assert f"{NOW.year} in running" in page
