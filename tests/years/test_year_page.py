"""A year in running: the runner's whole year for them; for anyone else only when shared,
and then from their public runs alone, with no goals and no club-mates' names."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.activities import imports
from community.activities import services as activities
from community.activities.services import RunDetails
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from community.goals import services as goals
from community.goals.services import GoalSpec
from community.group_runs import scheduling
from community.years import queries
from tests.activities.trackfiles import gpx_bytes, make_points
from tests.helpers import as_, html, make_club, make_runner, statements_run, submit, text

YEAR = utcnow().year - 1  # a whole year behind us
NOW = utcnow()


def runner(name: str = "ana") -> User:
    return db.session.scalar(select(User).where(User.username == name))


def log(when: datetime, km: float, title: str, visibility: str = "public") -> None:
    details = RunDetails(
        start_time=when,
        distance_m=km * 1000,
        duration_s=km * 300,
        title=title,
        visibility=visibility,
    )
    activities.log_run(runner(), details, now=NOW)


@pytest.fixture
def year(app):
    make_runner(app, "ana", display_name="Ana Lima", timezone="Europe/Madrid")
    make_runner(app, "ben")
    with app.app_context():
        log(datetime(YEAR, 1, 3, 8, 0, tzinfo=UTC), 5, "New year 5K")
        log(datetime(YEAR, 3, 14, 8, 0, tzinfo=UTC), 21.1, "Spring half")
        log(datetime(YEAR, 3, 20, 8, 0, tzinfo=UTC), 12, "Secret hills", visibility="private")
        # 23:30 on 31 December in Madrid is still this year there (22:30 UTC).
        log(datetime(YEAR, 12, 31, 22, 30, tzinfo=UTC), 8, "Last of the year")
        log(datetime(YEAR - 1, 12, 30, 8, 0, tzinfo=UTC), 3, "Last year's jog")
        spec = GoalSpec(
            kind="total",
            measure="distance_m",
            target=40_000,
            starts_on=date(YEAR, 1, 1),
            ends_on=date(YEAR, 12, 31),
        )
        goals.create_goal(runner(), spec, date(YEAR, 1, 1))
        db.session.commit()


def test_the_runners_year_counts_every_run_of_it_in_their_zone(ctx, year):
    page = queries.year_page(runner(), YEAR, runner().id, NOW)

    assert (page.runs, round(page.distance_m)) == (4, 46_100)
    assert page.months[2].runs == 2 and page.months[11].runs == 1
    assert page.longest is not None and page.longest.title == "Spring half"
    assert [(g.title.split(" from")[0], g.status) for g in page.goals] == [("40 km", "reached")]
    assert "First half marathon" in [m.title for m in page.milestones]


def test_the_year_seen_by_others_is_counted_from_public_runs_alone(ctx, year):
    page = queries.year_page(runner(), YEAR, None, NOW)

    assert (page.runs, round(page.distance_m)) == (3, 34_100)
    assert page.goals == [] and page.companions == []


def test_a_year_not_shared_is_the_runners_alone(app, year):
    assert as_(app, "ben").get(f"/u/ana/year/{YEAR}").status_code == 404
    assert app.test_client().get(f"/u/ana/year/{YEAR}").status_code == 404
    own = text(as_(app, "ana").get(f"/u/ana/year/{YEAR}"))
    assert f"Your {YEAR} in running" in own and "Share my" in own


def test_sharing_a_year_shows_it_to_everyone_without_private_runs_or_goals(app, year):
    ana = as_(app, "ana")
    shared = submit(ana, f"/u/ana/year/{YEAR}/share", page=f"/u/ana/year/{YEAR}")
    assert shared.status_code == 302

    for client in (app.test_client(), as_(app, "ben")):
        response = client.get(f"/u/ana/year/{YEAR}")
        page = text(response)
        assert f"Ana Lima's {YEAR} in running" in page
        assert "Spring half" in page
        assert "Secret hills" not in page
        assert "year-goals-heading" not in html(response) and "40 km" not in page

    submit(ana, f"/u/ana/year/{YEAR}/share", page=f"/u/ana/year/{YEAR}")
    assert app.test_client().get(f"/u/ana/year/{YEAR}").status_code == 404


def test_only_the_runner_shares_their_year(app, year):
    ben = as_(app, "ben")
    assert submit(ben, f"/u/ana/year/{YEAR}/share", page="/dashboard").status_code == 404
    assert app.test_client().get(f"/u/ana/year/{YEAR}").status_code == 404


def test_a_year_out_of_range_is_not_found(app, year):
    ana = as_(app, "ana")
    assert ana.get("/u/ana/year/1999").status_code == 404
    assert ana.get(f"/u/ana/year/{NOW.year + 2}").status_code == 404
    assert ana.get("/u/nobody/year/2026").status_code == 404


def test_year_leads_to_the_runners_current_year(app, year):
    response = as_(app, "ana").get("/year")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/u/ana/year/{NOW.year}")


def test_a_year_page_reads_a_fixed_number_of_statements(app, year):
    ana = as_(app, "ana")
    with statements_run(app) as seen:
        assert ana.get(f"/u/ana/year/{YEAR}").status_code == 200
    assert len(seen) <= 12, "\n".join(seen)


def test_the_places_a_runner_ran_from_are_theirs_alone_and_named_after_a_meeting_point(app):
    ana = make_runner(app, "ana", display_name="Ana Lima")
    club_id = make_club(app, ana, "riverside")
    bandstand, far = (51.4790, -0.1570), (48.8566, 2.3522)
    with app.app_context():
        scheduling.schedule_run(
            runner(),
            db.session.get(Club, club_id),
            title="Tuesday social",
            starts_at=datetime(YEAR, 3, 3, 18, 0, tzinfo=UTC),
            meeting_point="The bandstand",
            now=datetime(YEAR, 3, 1, tzinfo=UTC),
            latitude=bandstand[0],
            longitude=bandstand[1],
        )
        for n, (lat, lon) in enumerate([bandstand, bandstand, far]):
            start = datetime(YEAR, 4, 1 + n, 7, 0, tzinfo=UTC)
            points = make_points(60, start=start, step_s=3.0, step_m=10.0, lat=lat + 0.001, lon=lon)
            imports.import_file(runner(), f"run{n}.gpx", gpx_bytes(points), now=NOW)
        db.session.commit()
        page = queries.year_page(runner(), YEAR, runner().id, NOW)
        shared = queries.year_page(runner(), YEAR, None, NOW)

    assert [(p.label, p.runs) for p in page.places] == [
        ("The bandstand", 2),
        ("Around 48.858, 2.352", 1),
    ]
    assert page.places_map is not None and len(page.places_map.markers) == 2
    assert shared.places == []
