"""Parse a 3-hour GPX (about 11,000 points) and compute its splits and best efforts.

    .venv/bin/python bench/parse_gpx.py

The file is written by gpxpy from a synthetic run at 1 Hz with a varying pace; the timing
covers `parse_track` (XML, checks, distances, moving time, elevation gain), then
`best_efforts` and per-km `splits` on the parsed points, as an upload does.
"""

import argparse
import math
import random
import statistics
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

import gpxpy.gpx

from community.activities import analysis
from community.activities.tracks import parse_track

EARTH_RADIUS_M = 6_371_000.0


def three_hour_gpx(seconds: int = 3 * 3600) -> bytes:
    rng = random.Random(11_000)
    start = datetime(2026, 4, 12, 7, 0, tzinfo=UTC)
    segment = gpxpy.gpx.GPXTrackSegment()
    lat, lon, heading = 51.5, -0.12, 0.0
    for second in range(seconds + 1):
        speed = 2.9 + 0.4 * math.sin(second / 600) + rng.uniform(-0.2, 0.2)
        heading += rng.uniform(-0.05, 0.05)
        lat += math.degrees(speed * math.cos(heading) / EARTH_RADIUS_M)
        lon += math.degrees(
            speed * math.sin(heading) / (EARTH_RADIUS_M * math.cos(math.radians(lat)))
        )
        elevation = 40 + 25 * math.sin(second / 900) + rng.uniform(-0.5, 0.5)
        segment.points.append(
            gpxpy.gpx.GPXTrackPoint(
                lat, lon, elevation=elevation, time=start + timedelta(seconds=second)
            )
        )
    track = gpxpy.gpx.GPXTrack()
    track.segments.append(segment)
    gpx = gpxpy.gpx.GPX()
    gpx.tracks.append(track)
    return gpx.to_xml().encode()


def upload_work(data: bytes) -> tuple[int, int, int]:
    track = parse_track("run.gpx", data)
    start = track.points[0].time
    distances = [p.distance for p in track.points]
    times = [(p.time - start).total_seconds() for p in track.points]
    efforts = analysis.best_efforts(distances, times)
    km_splits = analysis.splits(distances, times, 1000.0, [p.elevation for p in track.points])
    return len(track.points), len(efforts), len(km_splits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    data = three_hour_gpx()
    points, efforts, splits = upload_work(data)  # warm-up
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        upload_work(data)
        timings.append((time.perf_counter() - started) * 1000)
    tracemalloc.start()
    upload_work(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"GPX {len(data) / 1e6:.1f} MB, {points} points, {efforts} best efforts, {splits} splits")
    print(
        f"  p50 {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms, "
        f"peak memory {peak / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
