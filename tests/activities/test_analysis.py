"""Best efforts and splits: hand-made tracks, brute force, and properties of any track."""

import math
from itertools import accumulate

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from community.activities.analysis import (
    BEST_EFFORT_DISTANCES,
    KILOMETRE_M,
    MILE_M,
    Split,
    best_effort,
    best_efforts,
    splits,
)

Track = tuple[list[float], list[float]]
FIVE_K = 5000.0
QUICK = settings(max_examples=100, deadline=None)


def constant_pace_track(
    length_m: float, seconds_per_km: float, step_m: float = 100.0, start_m: float = 0.0
) -> Track:
    count = round(length_m / step_m)
    distances = [start_m + k * step_m for k in range(count + 1)]
    return distances, [(d - start_m) * seconds_per_km / 1000 for d in distances]


def track_from(start: float, steps: list[float], gaps: list[float]) -> Track:
    return list(accumulate(steps, initial=start)), list(accumulate(gaps, initial=0.0))


@st.composite
def tracks(draw: st.DrawFn, *, on_grid: bool, max_points: int = 25) -> Track:
    """Random tracks with stops (zero steps) and jumps (zero gaps).

    On a quarter-metre grid every sum is exact, so the brute force and the algorithm agree
    on which windows fit; off the grid the floats are arbitrary.
    """
    segments = draw(st.integers(0, max_points - 1))
    if on_grid:
        start = draw(st.integers(0, 4000)) / 4
        step = st.integers(0, 3200).map(lambda q: q / 4)
        gap = st.integers(0, 1600).map(lambda q: q / 4)
    else:
        start = draw(st.floats(0, 1e4))
        step = st.floats(0, 800)
        gap = st.floats(0, 400)
    steps = draw(st.lists(step, min_size=segments, max_size=segments))
    gaps = draw(st.lists(gap, min_size=segments, max_size=segments))
    return track_from(start, steps, gaps)


def earliest_time_at(track: Track, x: float) -> float:
    distances, times = track
    k = next(k for k, d in enumerate(distances) if d >= x)
    if k == 0 or distances[k] == x:
        return times[k]
    d0, d1, t0, t1 = distances[k - 1], distances[k], times[k - 1], times[k]
    return t0 + (t1 - t0) * (x - d0) / (d1 - d0)


def latest_time_at(track: Track, x: float) -> float:
    distances, times = track
    k = max(k for k, d in enumerate(distances) if d <= x)
    if k == len(distances) - 1 or distances[k] == x:
        return times[k]
    d0, d1, t0, t1 = distances[k], distances[k + 1], times[k], times[k + 1]
    return t0 + (t1 - t0) * (x - d0) / (d1 - d0)


def window_time(track: Track, start_m: float, length_m: float) -> float:
    return earliest_time_at(track, start_m + length_m) - latest_time_at(track, start_m)


def windows_at_samples(track: Track, length_m: float) -> list[float]:
    """Every window that starts or ends at a sample, each found by a full scan: O(n²)."""
    distances = track[0]
    found = []
    for d in distances:
        if d + length_m <= distances[-1]:
            found.append(window_time(track, d, length_m))
        if d - length_m >= distances[0]:
            found.append(window_time(track, d - length_m, length_m))
    return found


def no_slower_than(best: float, window: float) -> bool:
    return best <= window + 1e-6 * max(1.0, abs(window))


# Best effort: hand-made tracks.


def test_constant_pace_best_effort_is_distance_times_pace() -> None:
    distances, times = constant_pace_track(6000, seconds_per_km=250)
    assert best_effort(distances, times, 1000) == pytest.approx(250)
    assert best_effort(distances, times, FIVE_K) == pytest.approx(1250)


def test_fast_kilometre_in_the_middle_is_found() -> None:
    track = [0, 1000, 2000, 3000], [0, 300, 540, 840]
    assert best_effort(*track, 1000) == pytest.approx(240)
    assert best_effort(*track, 1500) == pytest.approx(390)


def test_best_window_can_start_between_samples() -> None:
    # A fast 100 m from 1000 m: the best 1 km ends there and starts 100 m into a sample gap.
    assert best_effort([0, 1000, 1100, 2000], [0, 500, 510, 1010], 1000) == pytest.approx(460)


def test_best_window_can_end_between_samples() -> None:
    assert best_effort([0, 900, 1000, 2000], [0, 500, 510, 1010], 1000) == pytest.approx(460)


def test_standing_still_before_a_window_does_not_count() -> None:
    track = [0, 500, 500, 1000, 1500], [0, 100, 400, 500, 600]
    assert best_effort(*track, 1000) == pytest.approx(200)
    assert best_effort(*track, 500) == pytest.approx(100)


def test_track_starting_past_zero_is_measured_from_its_start() -> None:
    distances, times = constant_pace_track(5000, seconds_per_km=300, start_m=1234.5)
    assert best_effort(distances, times, FIVE_K) == pytest.approx(1500)


def test_track_short_of_the_target_by_float_error_still_covers_it() -> None:
    assert best_effort([0, 1000 - 1e-7], [0, 300], 1000) == pytest.approx(300)
    decimal_steps = list(accumulate([0.1] * 10_000, initial=0.0))
    assert best_effort(decimal_steps, [k * 0.03 for k in range(10_001)], 1000) == (
        pytest.approx(300)
    )


def test_track_short_of_the_target_by_more_than_float_error_has_no_best_effort() -> None:
    assert best_effort([0, 1000 - 1e-5], [0, 300], 1000) is None


@pytest.mark.parametrize(
    "track", [([], []), ([0], [0]), ([50, 50, 50], [0, 10, 20]), ([0, 399], [0, 120])]
)
def test_empty_single_point_still_or_short_tracks_have_no_best_effort(track: Track) -> None:
    assert best_effort(*track, 1000) is None
    assert best_efforts(*track) == {}


def test_best_efforts_lists_only_the_distances_the_track_covers_in_order() -> None:
    distances, times = constant_pace_track(6000, seconds_per_km=300, step_m=50)
    efforts = best_efforts(distances, times)
    assert list(efforts) == ["400 m", "1 km", "1 mile", "5 km"]
    for name, seconds in efforts.items():
        assert seconds == pytest.approx(BEST_EFFORT_DISTANCES[name] * 0.3)


def test_best_efforts_takes_custom_targets() -> None:
    distances, times = constant_pace_track(3000, seconds_per_km=300)
    assert best_efforts(distances, times, {"2 km": 2000, "5 km": 5000}) == {
        "2 km": pytest.approx(600)
    }


@pytest.mark.parametrize(
    ("distances", "times", "target"),
    [
        ([0, 1], [0], 1),
        ([0, 2, 1], [0, 1, 2], 1),
        ([0, 1], [5, 4], 1),
        ([-1, 1], [0, 1], 1),
        ([0, 1], [0, 1], 0),
    ],
)
def test_bad_tracks_and_targets_are_refused(
    distances: list[float], times: list[float], target: float
) -> None:
    with pytest.raises(ValueError):
        best_effort(distances, times, target)


# Best effort: properties.


@QUICK
@given(track=tracks(on_grid=False, max_points=40), share=st.floats(0, 1))
def test_best_5k_is_never_slower_than_any_5k_window(track: Track, share: float) -> None:
    best = best_effort(*track, FIVE_K)
    windows = windows_at_samples(track, FIVE_K)
    if best is None:
        assert not windows
        return
    assert all(no_slower_than(best, window) for window in windows)
    distances = track[0]
    start = distances[0] + share * (distances[-1] - distances[0] - FIVE_K)
    assume(start + FIVE_K <= distances[-1])
    assert no_slower_than(best, window_time(track, start, FIVE_K))


@QUICK
@given(
    points=st.lists(st.floats(0, 1), max_size=30),
    seconds_per_km=st.floats(150, 900),
    start=st.floats(0, 1e4),
)
def test_best_5k_of_an_even_paced_5k_track_is_its_total_time(
    points: list[float], seconds_per_km: float, start: float
) -> None:
    distances = [start, *sorted(start + p * FIVE_K for p in points), start + FIVE_K]
    times = [(d - start) * seconds_per_km / 1000 for d in distances]
    assert best_effort(distances, times, FIVE_K) == pytest.approx(times[-1], rel=1e-9)


@QUICK
@given(
    weights=st.lists(st.floats(0, 1), min_size=1, max_size=30),
    gaps=st.lists(st.floats(0, 600), min_size=30, max_size=30),
)
def test_best_5k_of_a_5k_track_is_at_most_its_total_time(
    weights: list[float], gaps: list[float]
) -> None:
    assume(sum(weights) > 0)
    scale = FIVE_K / sum(weights)
    track = track_from(0.0, [w * scale for w in weights], gaps[: len(weights)])
    best = best_effort(*track, FIVE_K)
    assert best is not None
    assert best <= track[1][-1] + 1e-9


@settings(max_examples=200, deadline=None)
@given(
    track=tracks(on_grid=True),
    target=st.one_of(
        st.sampled_from([400.0, 1000.0, MILE_M, FIVE_K]),
        st.integers(1, 16_000).map(lambda q: q / 4),
    ),
)
def test_best_effort_agrees_with_brute_force(track: Track, target: float) -> None:
    expected = min(windows_at_samples(track, target), default=None)
    found = best_effort(*track, target)
    if expected is None:
        assert found is None
    else:
        assert found == pytest.approx(expected, rel=1e-6, abs=1e-9)


# Splits.


def test_splits_interpolate_where_a_kilometre_ends_between_samples() -> None:
    track = [0, 800, 1300, 2500], [0, 400, 600, 1200]
    assert splits(*track, KILOMETRE_M, elevations=[10, 20, 30, 10]) == [
        Split(1, 1000, pytest.approx(480), pytest.approx(14)),
        Split(2, 1000, pytest.approx(470), pytest.approx(30 - 700 / 1200 * 20 - 24)),
        Split(3, pytest.approx(500), pytest.approx(250), pytest.approx(10 - 30 + 700 / 60)),
    ]


def test_mile_splits_of_a_10k_differ_from_kilometre_splits() -> None:
    distances, times = constant_pace_track(10_000, seconds_per_km=300)
    by_km = splits(distances, times, KILOMETRE_M)
    by_mile = splits(distances, times, MILE_M)
    assert [s.duration_s for s in by_km] == pytest.approx([300] * 10)
    assert [s.distance_m for s in by_mile] == pytest.approx([MILE_M] * 6 + [343.936])
    assert [s.duration_s for s in by_mile] == pytest.approx([482.8032] * 6 + [103.1808])


def test_a_stop_on_a_boundary_counts_in_the_next_split() -> None:
    track = [0, 1000, 1000, 2000], [0, 300, 360, 660]
    assert [s.duration_s for s in splits(*track, KILOMETRE_M)] == [300, 360]


def test_a_tail_of_a_few_metres_is_not_a_split() -> None:
    track = [0, 1000, 1008], [0, 300, 302]
    assert [s.distance_m for s in splits(*track, KILOMETRE_M)] == [1000]
    track = [0, 1000, 1012], [0, 300, 303]
    assert [s.distance_m for s in splits(*track, KILOMETRE_M)] == [1000, pytest.approx(12)]


def test_a_tail_over_10_m_is_a_split_even_when_under_1_percent_of_a_mile() -> None:
    track = [0, MILE_M, MILE_M + 12], [0, 480, 484]
    assert [s.distance_m for s in splits(*track, MILE_M)] == [MILE_M, pytest.approx(12)]


def test_track_of_exact_kilometres_has_no_partial_split() -> None:
    decimal_steps = list(accumulate([0.1] * 30_000, initial=0.0))
    result = splits(decimal_steps, [k * 0.03 for k in range(30_001)], KILOMETRE_M)
    assert [s.duration_s for s in result] == pytest.approx([300] * 3)


def test_elevation_change_is_none_where_the_track_has_no_elevation() -> None:
    track = [0, 500, 1000, 1500, 2100], [0, 150, 300, 450, 630]
    result = splits(*track, KILOMETRE_M, elevations=[None, 10, 12, 20, 21])
    changes = [None, pytest.approx(20 + 500 / 600 - 12), pytest.approx(1 / 6)]
    assert [s.elevation_change_m for s in result] == changes
    assert [s.elevation_change_m for s in splits(*track, KILOMETRE_M)] == [None] * 3


@pytest.mark.parametrize("track", [([], []), ([0], [0]), ([0, 5], [0, 2])])
def test_empty_or_tiny_tracks_have_no_splits(track: Track) -> None:
    assert splits(*track, KILOMETRE_M) == []


def test_elevations_must_match_the_track() -> None:
    with pytest.raises(ValueError):
        splits([0, 1000], [0, 300], KILOMETRE_M, elevations=[1.0])


@QUICK
@given(track=tracks(on_grid=False, max_points=40), unit=st.sampled_from([KILOMETRE_M, MILE_M]))
def test_splits_add_up_to_the_whole_track(track: Track, unit: float) -> None:
    distances, times = track
    total = distances[-1] - distances[0] if distances else 0.0
    assume(10.001 < math.fmod(total, unit) < unit - 0.001)
    result = splits(distances, times, unit)
    assert [s.index for s in result] == list(range(1, len(result) + 1))
    assert all(s.distance_m == unit for s in result[:-1])
    assert sum(s.distance_m for s in result) == pytest.approx(total)
    assert sum(s.duration_s for s in result) == pytest.approx(times[-1] - times[0], abs=1e-6)


@QUICK
@given(
    points=st.lists(st.floats(0, 1), max_size=60),
    length=st.floats(1000, 30_000),
    seconds_per_km=st.floats(150, 900),
    unit=st.sampled_from([KILOMETRE_M, MILE_M]),
)
def test_constant_pace_gives_equal_splits(
    points: list[float], length: float, seconds_per_km: float, unit: float
) -> None:
    distances = [0.0, *sorted(p * length for p in points), length]
    times = [d * seconds_per_km / 1000 for d in distances]
    full = [s for s in splits(distances, times, unit) if s.distance_m == unit]
    assert len(full) == int((length + 1e-6) // unit)
    assert [s.duration_s for s in full] == pytest.approx([unit * seconds_per_km / 1000] * len(full))
