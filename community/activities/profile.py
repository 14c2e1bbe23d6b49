"""A run's profile: pace, elevation, heart rate and cadence over distance, from its track.

The track is sampled at evenly spaced distances (a round step, at most `MAX_SAMPLES` of
them), each value taken over a window of the track around its sample: GPS pace between two
points a few metres apart is mostly noise, so pace is the moving time over the window
(`PACE_WINDOW_M`, or two steps on long runs) divided by its distance, and the sensors are
averaged over the same window.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import pairwise

from community.activities.tracks import MOVING_SPEED_MPS, TrackPoint
from community.charts import Chart, Series
from community.units import FEET_PER_METRE, unit_length

MAX_SAMPLES = 200
PACE_WINDOW_M = 200.0
# Slower than this over a window is standing about, not running: no pace there.
SLOWEST_PACE_S_PER_KM = 20 * 60.0
# Shorter tracks have no profile worth a chart.
MIN_DISTANCE_M = 200.0
_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0)  # in km or miles
GROUP = "run-profile"


def sample_step(total_units: float) -> float:
    """The smallest round step (in km or miles) that samples the run `MAX_SAMPLES` times
    at most."""
    for step in _STEPS:
        if total_units / step <= MAX_SAMPLES:
            return step
    return _STEPS[-1]


def moving_times(points: Sequence[TrackPoint]) -> list[float]:
    """Cumulative seconds in motion at each point: a gap counts when the distance covered
    in it is at least `MOVING_SPEED_MPS` (as the run's moving time is counted), so a stop
    at a crossing adds nothing to the pace around it."""
    moving, total = [0.0], 0.0
    for a, b in pairwise(points):
        gap = (b.time - a.time).total_seconds()
        if b.distance - a.distance >= MOVING_SPEED_MPS * gap:
            total += gap
        moving.append(total)
    return moving


def interpolate(xs: Sequence[float], ys: Sequence[float], x: float) -> float:
    """The value at `x` on the line through (xs, ys); xs ascending (ties allowed)."""
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    right = bisect_right(xs, x)
    x0, x1, y0, y1 = xs[right - 1], xs[right], ys[right - 1], ys[right]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def window_mean(
    distances: Sequence[float], values: Sequence[float], start: float, end: float
) -> float | None:
    """The mean of the values measured between two distances; None where none was (the
    sensor lost contact: a gap in the line rather than a made-up value)."""
    inside = values[bisect_left(distances, start) : bisect_right(distances, end)]
    return sum(inside) / len(inside) if inside else None


def _window(at: float, width: float, total: float) -> tuple[float, float]:
    """A window of `width` around `at`, slid inside the track at its ends."""
    start = max(0.0, min(at - width / 2, total - width))
    return start, min(total, start + width)


def _sensor(points: Sequence[TrackPoint], field: str) -> tuple[list[float], list[float]]:
    known = [(p.distance, getattr(p, field)) for p in points if getattr(p, field) is not None]
    return [d for d, _ in known], [v for _, v in known]


def run_profile(points: Sequence[TrackPoint], units: str) -> list[Chart]:
    """The run's charts over distance in the viewer's units: pace and elevation, heart rate
    and cadence when the file had them. None (an empty list) for a track without distance."""
    total = points[-1].distance if points else 0.0
    if total < MIN_DISTANCE_M:
        return []
    unit = unit_length(units)
    unit_name = "mi" if units == "mi" else "km"
    step = sample_step(total / unit)
    samples = [k * step * unit for k in range(int(total / (step * unit)) + 1)]
    width = max(PACE_WINDOW_M, 2 * step * unit)
    distances = [p.distance for p in points]
    moving = moving_times(points)
    decimals = 2 if step < 0.1 else 1 if step < 1 else 0

    paces: list[float | None] = []
    for at in samples:
        start, end = _window(at, width, total)
        seconds = interpolate(distances, moving, end) - interpolate(distances, moving, start)
        per_unit = seconds / (end - start) * unit
        paces.append(
            round(per_unit) if 0 < per_unit <= SLOWEST_PACE_S_PER_KM * unit / 1000 else None
        )

    def over_windows(field: str, scale: float = 1.0) -> list[float | None]:
        known_at, values = _sensor(points, field)
        means = [window_mean(known_at, values, *_window(at, width, total)) for at in samples]
        return [None if m is None else round(m * scale, 1) for m in means]

    def chart(key: str, title: str, series: Series, **shape: object) -> Chart:
        return Chart(
            key=f"profile-{key}",
            title=title,
            x_title=f"Distance ({unit_name})",
            x=[round(at / unit, 3) for at in samples],
            x_labels=[f"{at / unit:.{decimals}f} {unit_name}" for at in samples],
            series=[series],
            numeric_x=True,
            group=GROUP,
            **shape,  # type: ignore[arg-type]
        )

    window_words = f"{width:.0f} m" if units != "mi" else f"{width / unit:.2f} mi"
    charts = [
        chart(
            "pace",
            "Pace",
            Series("Pace", paces),
            y_title=f"min/{unit_name}",
            format="pace",
            unit=unit_name,
            inverted=True,
            notes=(f"Smoothed over {window_words} of moving time; stops are left out.",),
        )
    ]
    elevations = over_windows("elevation", FEET_PER_METRE if units == "mi" else 1.0)
    if any(e is not None for e in elevations):
        length = "ft" if units == "mi" else "m"
        charts.append(
            chart(
                "elevation",
                "Elevation",
                Series("Elevation", elevations),
                y_title=length,
                unit=length,
            )
        )
    for field, title, unit_label in (
        ("heart_rate", "Heart rate", "bpm"),
        ("cadence", "Cadence", "spm"),
    ):
        values = over_windows(field)
        if any(v is not None for v in values):
            charts.append(
                chart(
                    field.replace("_", "-"),
                    title,
                    Series(title, values),
                    y_title=unit_label,
                    unit=unit_label,
                )
            )
    return charts
