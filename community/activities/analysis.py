"""Best efforts and splits of a run, from its cumulative distances and times.

A track is two sequences of equal length: `distances`, cumulative metres, and `times`, seconds
since the start, both non-decreasing. Between two samples the runner moves at constant speed,
so time is a piecewise-linear function of distance; samples that share a distance mean the
runner stood still. Everything here is linear in the number of samples.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

BEST_EFFORT_DISTANCES: dict[str, float] = {
    "400 m": 400.0,
    "1 km": 1000.0,
    "1 mile": 1609.344,
    "5 km": 5000.0,
    "10 km": 10000.0,
    "Half marathon": 21097.5,
    "Marathon": 42195.0,
}
KILOMETRE_M = 1000.0
MILE_M = 1609.344
# Cumulative distances carry float error: a track this close to a target still covers it.
DISTANCE_TOLERANCE_M = 1e-6
# A last partial split of 10 m or less (1% of a shorter unit) is GPS drift, not running.
_MIN_PARTIAL_SPLIT_M = 10.0
_MIN_PARTIAL_SPLIT_SHARE = 0.01


@dataclass(frozen=True)
class Split:
    """One unit of a run, numbered from 1; the last split may cover less than a unit."""

    index: int
    distance_m: float
    duration_s: float
    elevation_change_m: float | None


def best_effort(
    distances: Sequence[float], times: Sequence[float], target_m: float
) -> float | None:
    """Fastest time (s) to cover `target_m` anywhere within the track, or None if shorter.

    Exact under the constant-speed model: the time of a window of `target_m` is piecewise
    linear in where it starts, so its minimum lies where the window starts or ends at a
    sample. A window starts at the last moment the runner is at its start and ends at the
    first moment they reach its end, so standing still at either end does not count.
    """
    _check_target(target_m)
    d, t = _track(distances, times)
    return _best_effort(d, t, target_m)


def best_efforts(
    distances: Sequence[float],
    times: Sequence[float],
    targets: Mapping[str, float] = BEST_EFFORT_DISTANCES,
) -> dict[str, float]:
    """Best effort per named target, in the targets' order; only those the track covers."""
    for target_m in targets.values():
        _check_target(target_m)
    d, t = _track(distances, times)
    found = {name: _best_effort(d, t, target_m) for name, target_m in targets.items()}
    return {name: seconds for name, seconds in found.items() if seconds is not None}


def splits(
    distances: Sequence[float],
    times: Sequence[float],
    unit_m: float,
    elevations: Sequence[float | None] | None = None,
) -> list[Split]:
    """Per-unit splits (KILOMETRE_M or MILE_M), interpolated where a unit ends between samples.

    Each full split covers `unit_m`; the remainder becomes a last partial split when it is
    longer than 1% of the unit or 10 m, whichever is shorter. A split ends the first moment
    the runner reaches its boundary, so a stop on a boundary counts in the next split.
    `elevation_change_m` is the net change (end minus start), interpolated over the samples
    that have an elevation; None without elevations or outside the part that has them.
    """
    _check_target(unit_m)
    d, t = _track(distances, times)
    if elevations is not None and len(elevations) != len(d):
        raise ValueError("elevations and distances differ in length")
    if len(d) < 2:
        return []
    total = d[-1] - d[0]
    full = int((total + DISTANCE_TOLERANCE_M) // unit_m)
    marks = [d[0] + k * unit_m for k in range(full + 1)]
    ends = [t[0]]
    j = 0
    for mark in marks[1:]:
        while j < len(d) - 1 and d[j] < mark - DISTANCE_TOLERANCE_M:
            j += 1
        ends.append(_interpolate(mark, d[j - 1], d[j], t[j - 1], t[j]))
    lengths = [unit_m] * full
    remainder = total - full * unit_m
    if remainder > min(_MIN_PARTIAL_SPLIT_M, _MIN_PARTIAL_SPLIT_SHARE * unit_m):
        marks.append(d[-1])
        ends.append(t[-1])
        lengths.append(remainder)
    heights = (
        _elevations_at(marks, d, elevations) if elevations is not None else [None] * len(marks)
    )
    result = []
    for k, length in enumerate(lengths):
        low, high = heights[k], heights[k + 1]
        change = high - low if low is not None and high is not None else None
        result.append(Split(k + 1, length, ends[k + 1] - ends[k], change))
    return result


def _best_effort(d: list[float], t: list[float], target_m: float) -> float | None:
    n = len(d)
    reach = target_m - DISTANCE_TOLERANCE_M
    if n < 2 or d[-1] - d[0] < reach:
        return None
    best = math.inf
    # Windows that start at a sample: end where target_m is first reached.
    j = 0
    for i in range(n):
        while j < n and d[j] - d[i] < reach:
            j += 1
        if j == n:
            break
        # The window ends no earlier than sample j - 1: skip the interpolation if that is
        # already too slow (most windows are), which makes this several times faster.
        if t[j - 1] - t[i] < best:
            end = _interpolate(d[i] + target_m, d[j - 1], d[j], t[j - 1], t[j])
            best = min(best, end - t[i])
    # Windows that end at a sample: start where the runner last was target_m behind it.
    i = -1
    for j in range(n):
        while d[j] - d[i + 1] >= reach:
            i += 1
        if i >= 0 and t[j] - t[i + 1] < best:
            start = _interpolate(d[j] - target_m, d[i], d[i + 1], t[i], t[i + 1])
            best = min(best, t[j] - start)
    return best


def _elevations_at(
    marks: list[float], d: list[float], elevations: Sequence[float | None]
) -> list[float | None]:
    known = [(d[k], e) for k, e in enumerate(elevations) if e is not None]
    heights: list[float | None] = []
    k = 0
    for mark in marks:
        while k < len(known) and known[k][0] < mark - DISTANCE_TOLERANCE_M:
            k += 1
        if k == len(known):
            heights.append(None)
        elif k == 0:
            heights.append(known[0][1] if known[0][0] <= mark + DISTANCE_TOLERANCE_M else None)
        else:
            (x0, y0), (x1, y1) = known[k - 1], known[k]
            heights.append(_interpolate(mark, x0, x1, y0, y1))
    return heights


def _interpolate(x: float, x0: float, x1: float, y0: float, y1: float) -> float:
    if x1 <= x0:
        return y0
    share = min(max((x - x0) / (x1 - x0), 0.0), 1.0)
    return y0 + share * (y1 - y0)


def _check_target(length_m: float) -> None:
    if not length_m > DISTANCE_TOLERANCE_M:
        raise ValueError(f"a target or unit must be longer than {DISTANCE_TOLERANCE_M} m")


def _track(distances: Sequence[float], times: Sequence[float]) -> tuple[list[float], list[float]]:
    """The track as lists of floats (fast to index), after checking that it runs forward."""
    if len(distances) != len(times):
        raise ValueError("distances and times differ in length")
    d = [float(x) for x in distances]
    t = [float(x) for x in times]
    if d and d[0] < 0:
        raise ValueError("distances start below zero")
    if any(b < a for a, b in pairwise(d)) or any(b < a for a, b in pairwise(t)):
        raise ValueError("distances and times must be non-decreasing")
    return d, t
