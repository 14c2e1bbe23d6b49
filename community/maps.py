"""What a page's map shows, for static/js/map.js, and where its map tiles may come from.

A view builds a `MapView` (a route, markers, places to open in a map app) and hands it to
templates/_map.html, which writes it into a `data-map` attribute; map.js draws it with
Leaflet. Tiles are optional (`MAP_TILE_URL`): without them the map still draws the route,
its markers and a scale on a plain background.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
# A route's line on the page: enough to follow every turn of a run at street level, while
# a marathon's 1 s track (15,000 points) stays a few tens of kilobytes.
MAX_VERTICES = 2000
# Six decimals of a degree are about 0.1 m: finer than any GPS.
_DECIMALS = 6


@dataclass(frozen=True, slots=True)
class Marker:
    """A point on the map; `kind` picks its look (start, finish, meeting, home)."""

    lat: float
    lon: float
    kind: str
    label: str


@dataclass(frozen=True, slots=True)
class Place:
    """A point the runner may want to go to, with links that open it in a map app."""

    label: str
    lat: float
    lon: float

    @property
    def geo_uri(self) -> str:
        """RFC 5870 `geo:` with a query and a label: Android and most phone map apps
        open it with a pin named `label`."""
        where = f"{_coordinate(self.lat)},{_coordinate(self.lon)}"
        return f"geo:{where}?q={where}({quote(self.label, safe='')})"

    @property
    def osm_url(self) -> str:
        """The place on openstreetmap.org, for a desktop without a map app."""
        lat, lon = _coordinate(self.lat), _coordinate(self.lon)
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


@dataclass(frozen=True)
class MapView:
    """One map: `label` is its accessible name; `route` a line of (lat, lon)."""

    label: str
    route: Sequence[tuple[float, float]] = ()
    markers: Sequence[Marker] = ()
    places: Sequence[Place] = field(default=())

    @property
    def data(self) -> dict[str, Any]:
        """What map.js reads from the `data-map` attribute."""
        return {
            "route": [[lat, lon] for lat, lon in self.route],
            "markers": [
                {"lat": m.lat, "lon": m.lon, "kind": m.kind, "label": m.label} for m in self.markers
            ],
        }


def located(points: Sequence[Any]) -> list[tuple[float, float]]:
    """The positions of a track's points (activities.tracks.TrackPoint), rounded to six
    decimals; points without a position (indoor, a lost fix) are left out."""
    return [
        (round(p.lat, _DECIMALS), round(p.lon, _DECIMALS))
        for p in points
        if p.lat is not None and p.lon is not None
    ]


def thinned(
    line: Sequence[tuple[float, float]], max_vertices: int = MAX_VERTICES
) -> list[tuple[float, float]]:
    """At most `max_vertices` of `line`, evenly spaced, always with its first and last."""
    if len(line) <= max_vertices:
        return list(line)
    step = math.ceil((len(line) - 1) / (max_vertices - 1))
    kept = list(line[::step])
    if (len(line) - 1) % step:
        kept.append(line[-1])
    return kept


def route_map(label: str, line: Sequence[tuple[float, float]]) -> MapView | None:
    """A route with start and finish markers, or None for fewer than two positions."""
    if len(line) < 2:
        return None
    line = thinned(line)
    return MapView(
        label=label,
        route=line,
        markers=(
            Marker(line[0][0], line[0][1], "start", "Start"),
            Marker(line[-1][0], line[-1][1], "finish", "Finish"),
        ),
    )


def place_map(
    label: str,
    place: Place | None,
    *,
    kind: str,
    route: Sequence[tuple[float, float]] = (),
) -> MapView | None:
    """A place's marker (a meeting point, a club's home) over a planned route if any; the
    route alone (with start and finish) without a place; None with neither."""
    if place is None:
        return route_map(label, route)
    return MapView(
        label=label,
        route=thinned(route) if len(route) >= 2 else (),
        markers=(Marker(place.lat, place.lon, kind, place.label),),
        places=(place,),
    )


def tile_source(url: str) -> str | None:
    """The Content-Security-Policy source that lets the page load `url`'s tiles: its
    origin, with `{s}` subdomains (a.tile…, b.tile…) as a wildcard; None for a path on
    this site ('self' covers it). Raises ValueError for anything else."""
    if url.startswith("/") and not url.startswith("//"):
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(
            "MAP_TILE_URL must be an http(s) URL or a path on this site, "
            "like https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
    host = ".".join("*" if "{" in label else label for label in parts.netloc.split("."))
    return f"{parts.scheme}://{host}"


def _coordinate(value: float) -> str:
    return f"{value:.{_DECIMALS}f}".rstrip("0").rstrip(".")
