"""Demo runs with real tracks, written as GPX and imported like any upload."""

import math
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from xml.etree import ElementTree

import gpxpy.gpx

from community.accounts.models import User
from community.activities.imports import import_file
from community.activities.models import Run, RunType
from community.activities.services import RunDetails, update_run
from community.extensions import db

EARTH_RADIUS_M = 6_371_000.0
# A park near each demo runner's home, so routes look local.
HOMES = {
    "Europe/Madrid": (40.4153, -3.6845),
    "Europe/London": (51.5073, -0.1657),
    "Europe/Paris": (48.8462, 2.3371),
    "America/New_York": (40.7812, -73.9665),
    "Europe/Oslo": (59.9270, 10.7190),
}


SAMPLE_S = 10
TRACKPOINT_EXTENSION = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"


def loop_points(
    centre: tuple[float, float], km: float, steps: int, wobble: float, relief: float = 12.0
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
        points.append((lat, lon, 30 + relief * (1 + math.sin(2 * angle + wobble))))
    return points


def loop_gpx(
    start: datetime,
    centre: tuple[float, float],
    km: float,
    pace_s: float,
    rng: random.Random,
    *,
    hilly: bool = False,
) -> bytes:
    """A loop around `centre` of about `km`, a point about every 10 s, at about `pace_s` per
    km: faster and slower stretches, a heart rate that drifts up, and a cadence, as a
    watch writes them (Garmin's TrackPointExtension)."""
    # Every 10 s, not every second like a watch: the demo loads months of runs quickly.
    steps = int(km * pace_s / SAMPLE_S)
    segment = gpxpy.gpx.GPXTrackSegment()
    wobble = rng.uniform(0, math.tau)
    elapsed = 0.0
    for step, (lat, lon, elevation) in enumerate(
        loop_points(centre, km, steps, wobble, 50.0 if hilly else 12.0)
    ):
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
        elapsed += SAMPLE_S * (1 - 0.07 * effort + rng.uniform(-0.04, 0.04))
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


@dataclass(frozen=True)
class Session:
    """A kind of run a demo runner does on some weekday."""

    weekday: int  # Monday 0
    run_type: RunType
    title: str
    km: tuple[float, float]
    pace_s: tuple[float, float]  # per km
    hour: int
    chance: float = 0.85  # some weeks life gets in the way


# Who each demo runner is (community/cli.py DEMO_RUNNERS), as a week of running.
PLANS: dict[str, list[Session]] = {
    "ana": [  # a marathoner building up
        Session(1, RunType.TEMPO, "Tempo Tuesday", (8, 12), (265, 285), 7),
        Session(3, RunType.INTERVALS, "Track intervals", (8, 10), (280, 300), 19),
        Session(4, RunType.EASY, "Easy miles", (6, 10), (330, 360), 7),
        Session(6, RunType.LONG, "Sunday long run", (18, 30), (320, 345), 9),
    ],
    "ben": [  # parkrun and a couple of easy runs
        Session(1, RunType.EASY, "Riverside social", (5, 6), (340, 380), 18),
        Session(3, RunType.EASY, "Lunch run", (5, 8), (345, 385), 12, 0.6),
        Session(5, RunType.RACE, "Parkrun", (5, 5), (300, 325), 9),
    ],
    "chloe": [  # back from a knee injury: short, slow, longer every week
        Session(0, RunType.RECOVERY, "Knee rehab run", (2, 4), (380, 420), 18),
        Session(3, RunType.EASY, "Easy and steady", (3, 6), (360, 400), 18),
        Session(6, RunType.EASY, "Weekend jog", (4, 8), (350, 390), 10),
    ],
    "dev": [  # trails and hills
        Session(2, RunType.INTERVALS, "Hill repeats", (6, 9), (330, 370), 6),
        Session(5, RunType.LONG, "Trail long run", (14, 24), (370, 420), 8),
        Session(6, RunType.RECOVERY, "Recovery shuffle", (5, 7), (390, 430), 10, 0.5),
    ],
    "emma": [  # couch to 5K
        Session(0, RunType.EASY, "Couch to 5K", (2, 5), (400, 450), 18),
        Session(2, RunType.EASY, "Couch to 5K", (2, 5), (400, 450), 18),
        Session(5, RunType.EASY, "Couch to 5K", (2.5, 5), (395, 445), 10),
    ],
}
# Runners whose distance grows over the weeks (rehab, couch to 5K): the low end of each
# range at first, the high end by now.
PROGRESSING = {"chloe", "emma"}
# Chloé's knee: no running for these weeks back from now (and an easy return after).
SETBACK_WEEKS = {"chloe": range(9, 12)}


@dataclass(frozen=True)
class PlannedRun:
    user: User
    session: Session
    start: datetime
    synced: datetime  # when the watch shared it: the feed item's time
    gpx: bytes


def plan_runs(user: User, *, now: datetime, weeks: int) -> list[PlannedRun]:
    """`weeks` of the runner's plan (PLANS) up to yesterday, as the GPX files a watch would
    have written."""
    rng = random.Random(user.username)  # noqa: S311 (demo data, the same every time)
    centre = HOMES.get(user.timezone, (51.5073, -0.1657))
    plan = PLANS.get(user.username, PLANS["ben"])
    hilly = user.username == "dev"
    planned = []
    today = now.astimezone(user.zone).date()
    for day in range(weeks * 7, 0, -1):
        date = today - timedelta(days=day)
        week_back = day // 7
        if week_back in SETBACK_WEEKS.get(user.username, ()):
            continue
        for session in plan:
            if date.weekday() != session.weekday or rng.random() > session.chance:
                continue
            low, high = session.km
            if user.username in PROGRESSING:
                grown = 1 - week_back / weeks
                km = low + (high - low) * grown + rng.uniform(-0.3, 0.3)
            else:
                km = rng.uniform(low, high)
            km = round(max(km, 1.5), 1)
            pace = rng.uniform(*session.pace_s)
            start = datetime.combine(date, time(session.hour, rng.randrange(60)), tzinfo=user.zone)
            gpx = loop_gpx(start, centre, km, pace, rng, hilly=hilly)
            synced = start + timedelta(seconds=km * pace + rng.randrange(120, 2400))
            planned.append(PlannedRun(user, session, start, min(synced, now), gpx))
    return planned


def seed_runs(users: list[User], *, now: datetime, weeks: int = 16) -> int:
    """Every runner's planned runs imported like any upload, all runners together in the
    order they were synced (so a feed, newest first, mixes them as it would have);
    returns how many were imported."""
    planned = [run for user in users for run in plan_runs(user, now=now, weeks=weeks)]
    imported = 0
    for planned_run in sorted(planned, key=lambda run: run.synced):
        user, session = planned_run.user, planned_run.session
        result = import_file(user, "demo.gpx", planned_run.gpx, now=planned_run.synced)
        run = db.session.get(Run, result.run_id) if result.run_id is not None else None
        if run is None:
            continue
        imported += 1
        details = RunDetails(
            start_time=run.start_time,
            distance_m=run.distance_m,
            duration_s=run.duration_s,
            title=session.title,
            run_type=session.run_type.value,
        )
        update_run(user, run, details, now=planned_run.synced)
    return imported
