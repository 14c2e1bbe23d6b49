"""Maps: a track's line, its markers, links to a runner's map app, and where tiles may come
from (the setting, and the Content-Security-Policy that lets them in only when on)."""

from datetime import UTC, datetime, timedelta

import pytest

from community import config as settings
from community import maps
from community.activities.tracks import TrackPoint

T0 = datetime(2026, 3, 1, 8, tzinfo=UTC)


def point(lat: float | None, lon: float | None, second: int = 0) -> TrackPoint:
    return TrackPoint(T0 + timedelta(seconds=second), lat, lon, None, float(second))


def test_a_track_becomes_its_positions_to_six_decimals_without_points_that_have_none():
    points = [point(51.50000012, -0.12000051), point(None, None, 1), point(51.5001, -0.1201, 2)]
    assert maps.located(points) == [(51.5, -0.120001), (51.5001, -0.1201)]


def test_a_long_track_is_thinned_keeping_its_start_and_finish():
    line = [(51.5 + k / 100_000, -0.12) for k in range(10_001)]
    kept = maps.thinned(line, max_vertices=2000)
    assert len(kept) <= 2000
    assert kept[0] == line[0]
    assert kept[-1] == line[-1]
    assert maps.thinned(line[:50], max_vertices=2000) == line[:50]


def test_a_route_map_marks_the_start_and_the_finish():
    view = maps.route_map("Map of the route of Sunday long run", [(51.5, -0.12), (51.6, -0.13)])
    assert view is not None
    assert view.data == {
        "route": [[51.5, -0.12], [51.6, -0.13]],
        "markers": [
            {"lat": 51.5, "lon": -0.12, "kind": "start", "label": "Start"},
            {"lat": 51.6, "lon": -0.13, "kind": "finish", "label": "Finish"},
        ],
    }
    assert view.places == ()


def test_a_track_with_fewer_than_two_positions_has_no_map():
    assert maps.route_map("Map", []) is None
    assert maps.route_map("Map", [(51.5, -0.12)]) is None


def test_a_meeting_point_map_shows_its_marker_over_the_planned_route():
    bandstand = maps.Place("The bandstand", 51.4794, -0.1573)
    view = maps.place_map(
        "Map", bandstand, kind="meeting", route=[(51.4794, -0.1573), (51.48, -0.16)]
    )
    assert view is not None
    assert view.data["markers"] == [
        {"lat": 51.4794, "lon": -0.1573, "kind": "meeting", "label": "The bandstand"}
    ]
    assert view.data["route"] == [[51.4794, -0.1573], [51.48, -0.16]]
    assert view.places == (bandstand,)


def test_without_a_meeting_point_the_planned_route_is_shown_alone_and_without_either_no_map():
    view = maps.place_map("Map", None, kind="meeting", route=[(51.5, -0.12), (51.6, -0.13)])
    assert view is not None
    assert [m["kind"] for m in view.data["markers"]] == ["start", "finish"]
    assert maps.place_map("Map", None, kind="meeting") is None


def test_a_place_opens_in_a_phone_map_app_with_its_name_and_on_openstreetmap():
    place = maps.Place("The bandstand (north gate), Battersea Park", 51.4794, -0.1573)
    assert place.geo_uri == (
        "geo:51.4794,-0.1573?q=51.4794,-0.1573"
        "(The%20bandstand%20%28north%20gate%29%2C%20Battersea%20Park)"
    )
    assert place.osm_url == (
        "https://www.openstreetmap.org/?mlat=51.4794&mlon=-0.1573#map=17/51.4794/-0.1573"
    )


def test_coordinates_in_links_are_plain_decimals():
    assert maps.Place("Null Island", 0.0, 10.0).geo_uri.startswith("geo:0,10?q=0,10(")


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.com/{z}/{x}/{y}.png", "https://*.tile.example.com"),
        ("http://tiles.internal:8080/{z}/{x}/{y}.png", "http://tiles.internal:8080"),
        ("/tiles/{z}/{x}/{y}.png", None),
    ],
)
def test_the_tile_servers_origin_is_what_the_policy_lets_in(url, source):
    assert maps.tile_source(url) == source


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "//tile.example.com/{z}/{x}/{y}.png", "tiles/{z}.png"]
)
def test_a_tile_url_a_browser_could_not_be_allowed_to_load_is_refused(url):
    with pytest.raises(ValueError, match="MAP_TILE_URL"):
        maps.tile_source(url)


def test_tiles_default_to_openstreetmap_with_its_attribution(tmp_path):
    config = settings.from_environment({"SECRET_KEY": "x"}, tmp_path)
    assert config["MAP_TILE_URL"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert config["MAP_TILE_ATTRIBUTION"] == (
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    )


def test_an_empty_tile_url_turns_tiles_off(tmp_path):
    config = settings.from_environment({"SECRET_KEY": "x", "MAP_TILE_URL": ""}, tmp_path)
    assert config["MAP_TILE_URL"] == ""


def test_a_bad_tile_url_stops_the_app_at_start(tmp_path):
    with pytest.raises(ValueError, match="MAP_TILE_URL"):
        settings.from_environment({"SECRET_KEY": "x", "MAP_TILE_URL": "ftp://tiles"}, tmp_path)


def test_the_test_settings_have_no_tiles(tmp_path):
    assert settings.testing("sqlite://", tmp_path)["MAP_TILE_URL"] == ""


def image_sources(csp: str) -> list[str]:
    [directive] = [d.strip() for d in csp.split(";") if d.strip().startswith("img-src ")]
    return directive.split()[1:]


def test_without_tiles_images_come_only_from_the_site(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert image_sources(csp) == ["'self'", "data:"]


def test_with_tiles_on_the_tile_server_may_send_images_and_nothing_else_changes(app, client):
    app.config["MAP_TILE_URL"] = "https://{s}.tile.example.com/{z}/{x}/{y}.png"
    csp = client.get("/login").headers["Content-Security-Policy"]
    assert image_sources(csp) == ["'self'", "data:", "https://*.tile.example.com"]
    assert "default-src 'self'" in csp
    assert "script-src" not in csp
