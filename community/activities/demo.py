"""Demo runs with real tracks, written as GPX and imported like any upload."""

import math
import random
from datetime import datetime, timedelta
from xml.etree import ElementTree

import gpxpy.gpx

from community.accounts.models import User
from community.activities.imports import import_file

EARTH_RADIUS_M = 6_371_000.0
# A park near each demo runner's home, so routes look local.
HOMES = {
    "Europe/Madrid": (40.4153, -3.6845),
    "Europe/London": (51.5073, -0.1657),
    "Europe/Paris": (48.8462, 2.3371),
    "America/New_York": (40.7812, -73.9665),
    "Europe/Oslo": (59.9270, 10.7190),
}


TRACKPOINT_EXTENSION = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"


def loop_points(
    centre: tuple[float, float], km: float, steps: int, wobble: float
) -> list[tuple[float, float, float]]:
    """`steps` + 1 points (lat, lon, elevation) around a wobbly loop of about `km` that
    starts and ends at `centre`."""
    radius = km * 1000 / (2 * math.pi)
    points = []
    for step in range(steps + 1):
        angle = math.tau * step / steps
        r = radius * (1 + 0.15 * math.sin(3 * angle + wobble))
        north, east = r * math.sin(angle), r * math.cos(angle) - radius
        lat = centre[0] + math.degrees(north / EARTH_RADIUS_M)
        lon = centre[1] + math.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(centre[0]))))
        points.append((lat, lon, 30 + 12 * math.sin(2 * angle + wobble)))
    return points


def loop_gpx(
    start: datetime, centre: tuple[float, float], km: float, pace_s: float, rng: random.Random
) -> bytes:
    """A loop around `centre` of about `km`, a point about every 5 s, at about `pace_s` per
    km: faster and slower stretches, a heart rate that drifts up, and a cadence, as a
    watch writes them (Garmin's TrackPointExtension)."""
    steps = int(km * pace_s / 5)
    segment = gpxpy.gpx.GPXTrackSegment()
    wobble = rng.uniform(0, math.tau)
    elapsed = 0.0
    for step, (lat, lon, elevation) in enumerate(loop_points(centre, km, steps, wobble)):
        angle = math.tau * step / steps
        point = gpxpy.gpx.GPXTrackPoint(
            lat, lon, elevation=elevation, time=start + timedelta(seconds=round(elapsed))
        )
        effort = math.sin(5 * angle + wobble)
        sensors = ElementTree.Element(f"{{{TRACKPOINT_EXTENSION}}}TrackPointExtension")
        heart_rate = 128 + 22 * step / steps + 6 * effort + rng.uniform(-2, 2)
        ElementTree.SubElement(sensors, f"{{{TRACKPOINT_EXTENSION}}}hr").text = f"{heart_rate:.0f}"
        cadence = 84 + 2 * effort + rng.uniform(-1, 1)  # strides (one foot) a minute
        ElementTree.SubElement(sensors, f"{{{TRACKPOINT_EXTENSION}}}cad").text = f"{cadence:.0f}"
        point.extensions.append(sensors)
        segment.points.append(point)
        elapsed += 5 * (1 - 0.07 * effort + rng.uniform(-0.04, 0.04))
    track = gpxpy.gpx.GPXTrack()
    track.type = "running"
    track.segments.append(segment)
    gpx = gpxpy.gpx.GPX()
    gpx.nsmap["gpxtpx"] = TRACKPOINT_EXTENSION
    gpx.tracks.append(track)
    return gpx.to_xml().encode()


def loop_route(centre: tuple[float, float], km: float) -> list[tuple[float, float]]:
    """A group run's planned loop from `centre`: a point about every 25 m."""
    return [(lat, lon) for lat, lon, _ in loop_points(centre, km, int(km * 40), 0.0)]


def seed_runs(user: User, *, now: datetime, weeks: int = 6) -> int:
    """About three runs a week for `weeks` weeks; returns how many were imported."""
    rng = random.Random(user.username)  # noqa: S311 (demo data, the same every time)
    centre = HOMES.get(user.timezone, (51.5073, -0.1657))
    imported = 0
    for day in range(weeks * 7, 0, -1):
        if rng.random() > 0.45:
            continue
        local_morning = (
            (now - timedelta(days=day))
            .astimezone(user.zone)
            .replace(
                hour=rng.choice([6, 7, 12, 18]), minute=rng.randrange(60), second=0, microsecond=0
            )
        )
        km = rng.choice([5, 5, 6, 8, 10, 12, 16])
        pace = rng.uniform(290, 380)
        data = loop_gpx(local_morning, centre, km, pace, rng)
        result = import_file(user, f"demo-{day}.gpx", data, now=now)
        imported += result.status == "imported"
    return imported
