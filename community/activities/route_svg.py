"""A track drawn as an SVG polyline: no map tiles, no JavaScript."""

import math
from collections.abc import Sequence

from community.activities.tracks import TrackPoint

WIDTH, HEIGHT, MARGIN = 400.0, 300.0, 10.0
MAX_VERTICES = 600


def track_polyline(points: Sequence[TrackPoint], max_vertices: int = MAX_VERTICES) -> str | None:
    """A track's polyline; points without a position are left out."""
    return route_polyline(
        [(p.lat, p.lon) for p in points if p.lat is not None and p.lon is not None], max_vertices
    )


def route_polyline(
    located: Sequence[tuple[float, float]], max_vertices: int = MAX_VERTICES
) -> str | None:
    """The `points` attribute of an SVG polyline in a 400x300 box, or None without GPS."""
    if len(located) < 2:
        return None
    step = max(1, math.ceil(len(located) / max_vertices))
    sampled = located[::step] + ([located[-1]] if (len(located) - 1) % step else [])
    # Equirectangular projection around the route's middle latitude: exact enough for a run.
    mid_lat = math.radians(sum(lat for lat, _ in sampled) / len(sampled))
    xs = [lon * math.cos(mid_lat) for _, lon in sampled]
    ys = [-lat for lat, _ in sampled]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1e-9
    scale = min((WIDTH - 2 * MARGIN), (HEIGHT - 2 * MARGIN)) / span
    x_offset = (WIDTH - (max(xs) - min(xs)) * scale) / 2
    y_offset = (HEIGHT - (max(ys) - min(ys)) * scale) / 2
    return " ".join(
        f"{(x - min(xs)) * scale + x_offset:.1f},{(y - min(ys)) * scale + y_offset:.1f}"
        for x, y in zip(xs, ys, strict=True)
    )
