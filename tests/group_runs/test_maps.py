"""A group run's page: the meeting point on a map, as text, and in the runner's map app."""

import json
import re
from datetime import timedelta
from html import unescape

import pytest

from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from community.group_runs import scheduling
from tests.helpers import add_member, as_, html, make_club, make_runner, text

BANDSTAND = "The bandstand (north gate), Battersea Park"
LOOP = [(51.4794, -0.1573), (51.4810, -0.1600), (51.4794, -0.1573)]


@pytest.fixture
def people(app):
    return {name: make_runner(app, name) for name in ("olivia", "ana", "stranger")}


@pytest.fixture
def club_id(app, people):
    club_id = make_club(app, people["olivia"], slug="riverside", visibility="private")
    add_member(app, club_id, people["ana"])
    return club_id


def a_run(app, people, club_id, **place) -> int:
    with app.app_context():
        run = scheduling.schedule_run(
            people["olivia"],
            db.session.get(Club, club_id),
            title="Tuesday tempo",
            starts_at=utcnow() + timedelta(days=2),
            meeting_point=BANDSTAND,
            now=utcnow(),
            **place,
        )
        db.session.commit()
        return run.id


def map_data(page: str) -> dict | None:
    found = re.search(r"data-map='([^']*)'", page)
    return json.loads(unescape(found.group(1))) if found else None


def test_the_meeting_point_is_marked_on_the_map_over_the_planned_route(app, people, club_id):
    run_id = a_run(app, people, club_id, latitude=51.4794, longitude=-0.1573, route=LOOP)
    page = html(as_(app, "ana").get(f"/group-runs/{run_id}"))
    data = map_data(page)
    assert data is not None
    assert data["markers"] == [
        {"lat": 51.4794, "lon": -0.1573, "kind": "meeting", "label": BANDSTAND}
    ]
    assert data["route"] == [list(point) for point in LOOP]
    assert 'aria-label="Map of the meeting point and planned route of Tuesday tempo"' in page


def test_the_meeting_point_opens_in_the_runners_map_app_or_on_openstreetmap(app, people, club_id):
    run_id = a_run(app, people, club_id, latitude=51.4794, longitude=-0.1573)
    response = as_(app, "ana").get(f"/group-runs/{run_id}")
    page = html(response)
    assert (
        'href="geo:51.4794,-0.1573?q=51.4794,-0.1573'
        '(The%20bandstand%20%28north%20gate%29%2C%20Battersea%20Park)"'
    ) in page
    assert "https://www.openstreetmap.org/?mlat=51.4794&amp;mlon=-0.1573" in page
    words = text(response)
    assert "Meeting point and route" not in words
    assert f"{BANDSTAND} Open in your map app · View on OpenStreetMap" in words


def test_a_run_without_coordinates_still_says_where_to_meet_but_has_no_map(app, people, club_id):
    run_id = a_run(app, people, club_id)
    response = as_(app, "ana").get(f"/group-runs/{run_id}")
    assert map_data(html(response)) is None
    assert "leaflet" not in html(response)
    assert f"Meeting point {BANDSTAND}" in text(response)


def test_a_planned_route_without_a_meeting_point_is_drawn_from_start_to_finish(
    app, people, club_id
):
    run_id = a_run(app, people, club_id, route=LOOP)
    data = map_data(html(as_(app, "ana").get(f"/group-runs/{run_id}")))
    assert data is not None
    assert [marker["kind"] for marker in data["markers"]] == ["start", "finish"]


def test_a_private_clubs_meeting_point_reaches_no_outsider(app, people, club_id):
    run_id = a_run(app, people, club_id, latitude=51.4794, longitude=-0.1573)
    for client in (as_(app, "stranger"), app.test_client()):
        response = client.get(f"/group-runs/{run_id}")
        assert response.status_code == 404
        assert "51.4794" not in html(response)
