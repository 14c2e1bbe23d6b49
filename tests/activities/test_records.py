"""The world records a run is judged by."""

from itertools import pairwise

from community.activities.analysis import BEST_EFFORT_DISTANCES
from community.activities.records import WORLD_RECORDS, beyond_record, efforts_reason


def test_every_best_effort_distance_has_its_world_record() -> None:
    assert list(WORLD_RECORDS) == list(BEST_EFFORT_DISTANCES)
    assert WORLD_RECORDS["400 m"].seconds == 43.03
    assert WORLD_RECORDS["Marathon"].seconds == 2 * 3600 + 35


def test_records_are_slower_per_metre_the_longer_the_distance() -> None:
    # What judging a hand-entered run by the longest record distance it covers rests on.
    speeds = [
        metres / WORLD_RECORDS[label].seconds for label, metres in BEST_EFFORT_DISTANCES.items()
    ]
    assert all(shorter > longer for shorter, longer in pairwise(speeds))


def test_equalling_a_record_is_not_beyond_it() -> None:
    assert not beyond_record("1 km", 131.96)
    assert beyond_record("1 km", 131.95)


def test_a_track_is_judged_by_its_shortest_effort_beyond_a_record() -> None:
    efforts = {"400 m": 50.0, "1 km": 120.0, "1 mile": 200.0}

    assert efforts_reason(efforts) == (
        "Its 1 km in 2:00 is faster than the world record (2:11.96, Noah Ngeny, 1999)."
    )
    assert efforts_reason({"400 m": 50.0, "1 km": 140.0}) is None
