"""A run's page shows its GPS route on a map; the coordinates go only where the run may."""

import io
import json
import re
from html import unescape

from sqlalchemy import select

from community.activities.models import Run
from community.extensions import db
from tests.activities.trackfiles import gpx_bytes, make_points
from tests.helpers import as_, html, make_runner, submit

ONE_KM = make_points(101, step_s=3.0, step_m=10.0)  # due north from 51.5, -0.12


def map_data(page: str) -> dict | None:
    found = re.search(r"data-map='([^']*)'", page)
    return json.loads(unescape(found.group(1))) if found else None


def uploaded(client, name: str = "morning.gpx", visibility: str | None = None) -> int:
    page = client.get("/runs/upload").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/runs/upload",
        data={"csrf_token": token, "files": [(io.BytesIO(gpx_bytes(ONE_KM)), name)]},
        content_type="multipart/form-data",
    )
    app = client.application
    with app.app_context():
        run = db.session.scalars(select(Run).order_by(Run.id.desc())).first()
        if visibility:
            run.visibility = visibility
            db.session.commit()
        return run.id


def test_a_run_with_a_gps_track_shows_its_route_from_start_to_finish_on_a_map(app):
    make_runner(app, "ana")
    ana = as_(app, "ana")
    page = html(ana.get(f"/runs/{uploaded(ana)}"))
    data = map_data(page)
    assert data is not None
    assert len(data["route"]) == 101
    assert data["route"][0] == [51.5, -0.12]
    start, finish = data["markers"]
    assert (start["kind"], start["lat"], start["lon"]) == ("start", 51.5, -0.12)
    assert (finish["kind"], [finish["lat"], finish["lon"]]) == ("finish", data["route"][-1])
    assert 'aria-label="Map of the route of Morning Run"' in page
    assert "vendor/leaflet/leaflet.js" in page
    assert "js/map.js" in page
    # Without JavaScript the route is still drawn, as a picture.
    assert "<polyline points=" in page


def test_the_scale_follows_the_viewers_units(app):
    make_runner(app, "ana", units="mi")
    ana = as_(app, "ana")
    assert 'data-map-units="mi"' in html(ana.get(f"/runs/{uploaded(ana)}"))


def test_a_run_logged_by_hand_has_no_map_and_loads_no_leaflet(app):
    make_runner(app, "ana")
    ana = as_(app, "ana")
    submit(
        ana,
        "/runs/new",
        {
            "date": "2026-03-01",
            "time": "08:00",
            "distance": "5",
            "duration": "0:30:00",
            "title": "Treadmill",
            "run_type": "easy",
            "visibility": "public",
        },
        page="/runs/new",
    )
    with app.app_context():
        run_id = db.session.scalar(select(Run.id))
    page = html(ana.get(f"/runs/{run_id}"))
    assert "Treadmill" in page
    assert map_data(page) is None
    assert "leaflet" not in page


def test_a_private_runs_route_reaches_nobody_else(app):
    make_runner(app, "ana")
    make_runner(app, "ben")
    ana = as_(app, "ana")
    run_id = uploaded(ana, visibility="private")
    response = as_(app, "ben").get(f"/runs/{run_id}")
    assert response.status_code == 404
    assert "51.5" not in html(response)
    assert app.test_client().get(f"/runs/{run_id}").status_code == 404
