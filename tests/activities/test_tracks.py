"""Run files into tracks: GPX, TCX, FIT, gzip and zip, every refusal, and the storage codec."""

import contextlib
import io
import re
import struct
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from community.activities.analysis import best_effort
from community.activities.archives import (
    MAX_ARCHIVE_BYTES,
    MAX_MEMBERS,
    ArchiveError,
    iter_archive,
)
from community.activities.imports import track_series
from community.activities.tracks import (
    MAX_FILE_BYTES,
    MAX_RUNNING_SPEED_MPS,
    ParsedTrack,
    TrackError,
    TrackPoint,
    decode_points,
    encode_points,
    parse_track,
)
from tests.activities.trackfiles import (
    NOW,
    T0,
    billion_laughs_gpx,
    clock_stepped_back,
    external_entity_gpx,
    external_entity_tcx,
    fit_bytes,
    gpx_bytes,
    gzip_bomb,
    gzipped,
    make_points,
    tcx_bytes,
    teleported,
    with_distances,
    zip_bomb,
    zip_bytes,
    zip_with_forged_member,
)

QUICK = settings(max_examples=60, deadline=None)
BUILDERS = {"gpx": gpx_bytes, "tcx": tcx_bytes, "fit": fit_bytes}
TWO_GB = 2**31


def parse(filename: str, data: bytes) -> ParsedTrack:
    return parse_track(filename, data, now=NOW)


def refusal(filename: str, data: bytes) -> str:
    with pytest.raises(TrackError) as caught:
        parse(filename, data)
    return str(caught.value)


def measured(action: Callable[[], object]) -> tuple[object, int]:
    """What `action()` returns, and the most bytes Python held allocated while it ran."""
    tracemalloc.start()
    try:
        return action(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def climbs(elevations: list[float | None]) -> float:
    known = [e for e in elevations if e is not None]
    return sum(max(0.0, b - a) for a, b in pairwise(known))


# Reading tracks.


def test_gpx_run_gives_distance_times_and_sport() -> None:
    points = make_points(11, step_s=5, step_m=15)

    track = parse("morning.gpx", gpx_bytes(points, sport="running"))

    assert track.source_format == "gpx"
    assert track.sport == "running"
    assert track.start_time == T0
    assert track.elapsed_s == 50
    assert track.moving_s == 50
    assert track.distance_m == pytest.approx(150, abs=0.01)
    assert [p.distance for p in track.points] == pytest.approx([15 * k for k in range(11)])
    assert track.points[0].time.tzinfo is UTC


def test_strava_gpx_type_number_nine_means_running() -> None:
    assert parse("a.gpx", gpx_bytes(make_points(3), sport="9")).sport == "running"


def test_tcx_uses_the_files_own_distance_stream() -> None:
    points = [replace(p, distance=p.distance * 1.1) for p in make_points(6)]

    track = parse("lap.tcx", tcx_bytes(points, sport="Running"))

    assert track.source_format == "tcx"
    assert track.sport == "running"
    assert track.distance_m == pytest.approx(5 * 15 * 1.1)


def test_tcx_treadmill_run_without_positions_keeps_its_distance() -> None:
    track = parse("treadmill.tcx", tcx_bytes(make_points(5, positions=False)))

    assert track.distance_m == 60
    assert all(p.lat is None and p.lon is None for p in track.points)


def test_fit_activity_gives_positions_distance_elevation_and_sport() -> None:
    points = make_points(6, elevations=[10.0, 12.0, 15.0, 14.0, 18.0, 18.0])

    track = parse("watch.fit", fit_bytes(points, sport="running"))

    assert track.source_format == "fit"
    assert track.sport == "running"
    assert track.distance_m == pytest.approx(75)
    assert track.elevation_gain_m == pytest.approx(8)
    assert track.points[1].lat == pytest.approx(points[1].lat, abs=1e-6)
    assert track.points[1].lon == pytest.approx(points[1].lon, abs=1e-6)


def test_fit_indoor_run_without_positions_is_read() -> None:
    track = parse("indoor.fit", fit_bytes(make_points(4, positions=False, step_m=20)))

    assert track.distance_m == pytest.approx(60)
    assert track.points[2].lat is None


@pytest.mark.parametrize("kind", ["gpx", "tcx", "fit"])
def test_gzipped_files_are_read(kind: str) -> None:
    data = gzipped(BUILDERS[kind](make_points(5)))

    track = parse(f"activity.{kind}.gz", data)

    assert track.source_format == kind
    assert len(track.points) == 5


def test_format_comes_from_the_content_not_the_extension() -> None:
    assert parse("mislabelled.fit", gpx_bytes(make_points(3))).source_format == "gpx"


def test_points_repeating_a_time_are_dropped() -> None:
    points = make_points(4)
    doubled = [points[0], points[1], replace(points[1], lat=points[2].lat), *points[2:]]

    track = parse("double.gpx", gpx_bytes(doubled))

    assert [p.time for p in track.points] == [p.time for p in points]
    assert track.points[1].lat == points[1].lat


def test_points_without_a_time_are_skipped() -> None:
    data = re.sub(rb"<time>[^<]*</time>", b"", gpx_bytes(make_points(5)), count=2)

    track = parse("gaps.gpx", data)

    assert [p.time for p in track.points] == [p.time for p in make_points(5)[2:]]


def test_a_pause_counts_as_stopped() -> None:
    run = make_points(5, step_s=5, step_m=15)
    after_pause = make_points(5, start=run[-1].time + timedelta(minutes=3), lat=run[-1].lat)
    points = with_distances(run + after_pause)

    track = parse("pause.gpx", gpx_bytes(points))

    assert track.elapsed_s == 20 + 180 + 20
    assert track.moving_s == 40


def test_standing_still_counts_as_stopped() -> None:
    points = make_points(6, step_s=10, step_m=3)  # 0.3 m/s: waiting at a crossing

    assert parse("still.gpx", gpx_bytes(points)).moving_s == 0


def test_a_file_with_times_only_counts_gaps_up_to_30_seconds_as_moving() -> None:
    points = make_points(3, positions=False) + make_points(
        2, start=T0 + timedelta(minutes=5), positions=False
    )

    track = parse("times.tcx", tcx_bytes(points, distances=False))

    assert track.distance_m == 0
    assert track.moving_s == 15


def test_elevation_noise_under_two_metres_adds_no_climb() -> None:
    noisy = [20.0, 21.5, 20.2, 21.8, 20.1, 21.9, 20.0]

    track = parse("flat.gpx", gpx_bytes(make_points(7, elevations=noisy)))

    assert track.elevation_gain_m == 0


def test_climbs_of_two_metres_or_more_add_up() -> None:
    hill = [10.0, 11.0, 12.5, 12.0, 15.0, 9.0, 9.5, 13.0, None]

    track = parse("hill.gpx", gpx_bytes(make_points(9, elevations=hill)))

    assert track.elevation_gain_m == pytest.approx(2.5 + 2.5 + 4.0)


def test_a_long_gpx_of_11000_points_is_read() -> None:
    points = make_points(11_000, step_s=1, step_m=3)

    track = parse("marathon.gpx", gpx_bytes(points))

    assert len(track.points) == 11_000
    assert track.distance_m == pytest.approx(32_997, rel=1e-6)


# Impossible points: left out, so that they make no record.


def run_at_4_m_s(count: int) -> list[TrackPoint]:
    """A point a second, 4 m apart: 4:10 /km, a steady 400 m in 100 s anywhere."""
    return make_points(count, step_s=1, step_m=4)


def best_400_m(track: ParsedTrack) -> float | None:
    return best_effort(*track_series(track), 400.0)


def test_a_gpx_whose_clock_jumps_back_keeps_the_run_without_the_replayed_seconds() -> None:
    # The file from the report: five minutes in, the watch's clock jumped back 90 s. The
    # points with times already used are left out, and the 364 m run meanwhile, which
    # now looks like a move made in one second, counts for nothing.
    points = clock_stepped_back(run_at_4_m_s(601), after=300, seconds=90)

    track = parse("clock.gpx", gpx_bytes(points))

    assert best_400_m(track) == pytest.approx(100)
    assert track.notes == (
        "Left out 89 points whose time went back.",
        "Left out 1 jump faster than anyone can run (over 12.5 m/s).",
    )
    assert track.elapsed_s == 600 - 90
    assert track.distance_m == pytest.approx(4 * (600 - 91))


def test_a_point_thrown_off_the_route_is_left_out() -> None:
    # Thrown 145 m off and back within two seconds: once a 0:29 "personal best" 400 m.
    points = teleported(run_at_4_m_s(301), 150, east_m=145)

    track = parse("jump.gpx", gpx_bytes(points))

    assert best_400_m(track) == pytest.approx(100)
    assert track.notes == ("Left out 1 jump faster than anyone can run (over 12.5 m/s).",)
    assert [p.time for p in track.points] == [p.time for p in points if p != points[150]]
    assert track.distance_m == pytest.approx(1200)


def test_a_gps_coming_back_elsewhere_goes_on_from_there_without_the_jump() -> None:
    run = run_at_4_m_s(301)
    points = run[:150] + [teleported(run, k, east_m=300)[k] for k in range(150, 301)]

    track = parse("elsewhere.gpx", gpx_bytes(points))

    assert best_400_m(track) == pytest.approx(100)
    assert len(track.points) == 301
    assert track.distance_m == pytest.approx(1200 - 4)


@pytest.mark.parametrize("kind", ["tcx", "fit"])
def test_a_distance_stream_leaping_ahead_counts_none_of_the_leap(kind: str) -> None:
    run = run_at_4_m_s(301)
    leaped = run[:150] + [replace(p, distance=p.distance + 500) for p in run[150:]]
    spike = [replace(p, distance=p.distance + 500) if k == 75 else p for k, p in enumerate(leaped)]

    track = parse(f"footpod.{kind}", BUILDERS[kind](spike))

    assert best_400_m(track) == pytest.approx(100)
    assert track.notes == ("Left out 2 jumps faster than anyone can run (over 12.5 m/s).",)
    assert track.distance_m == pytest.approx(1200 - 4)


# Refusals: one test per reason.


def test_empty_file_is_refused() -> None:
    assert refusal("run.gpx", b"") == "The file is empty."


def test_file_over_the_size_limit_is_refused() -> None:
    assert "larger than 25 MB" in refusal("huge.gpx", bytes(MAX_FILE_BYTES + 1))


def test_gzip_bomb_is_refused_without_unpacking_it_all() -> None:
    bomb = gzip_bomb(TWO_GB)

    message, peak = measured(lambda: refusal("bomb.gpx.gz", bomb))

    assert message == "Unpacked, the file is larger than 25 MB."
    assert peak < 3 * MAX_FILE_BYTES


def test_damaged_gzip_is_refused() -> None:
    data = gzipped(gpx_bytes(make_points(50)))

    assert "damaged" in refusal("run.gpx.gz", data[: len(data) // 2])


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        ("runs.csv", b"date,distance\n2024-05-01,5000\n"),
        ("other.xml", b"<?xml version='1.0'?><kml><Document/></kml>"),
    ],
)
def test_file_that_is_not_gpx_tcx_or_fit_is_refused(filename: str, data: bytes) -> None:
    assert refusal(filename, data) == "This is not a GPX, TCX or FIT file."


@pytest.mark.parametrize(
    ("filename", "data", "label"),
    [
        ("cut.gpx", gpx_bytes(make_points(5))[:-40], "GPX"),
        ("bad.tcx", tcx_bytes(make_points(3)).replace(b"51.5<", b"north<"), "TCX"),
        ("crc.fit", fit_bytes(make_points(3))[:-1] + b"\x00", "FIT"),
        ("cut.fit", fit_bytes(make_points(3))[:60], "FIT"),
        ("garbage.gpx", b"\x00\x01 not xml at all", "GPX"),
    ],
)
def test_damaged_file_is_refused(filename: str, data: bytes, label: str) -> None:
    assert refusal(filename, data) == f"This {label} file is damaged and cannot be read."


def test_gpx_with_a_billion_laughs_entity_is_refused() -> None:
    assert "XML entities" in refusal("laughs.gpx", billion_laughs_gpx())


def test_gpx_whose_entity_value_looks_like_the_root_is_refused() -> None:
    decoy = billion_laughs_gpx().replace(b'"lol">', b'"lol<gpx>">', 1)

    assert "XML entities" in refusal("decoy.gpx", decoy)


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("xxe.gpx", external_entity_gpx("/etc/passwd")),
        ("xxe.tcx", external_entity_tcx("/etc/passwd")),
        ("laughs.tcx", billion_laughs_gpx().replace(b"<gpx", b"<TrainingCenterDatabase")),
    ],
)
def test_xml_with_external_or_expanding_entities_is_refused(filename: str, data: bytes) -> None:
    assert "XML entities" in refusal(filename, data)


def test_gpx_without_times_is_refused() -> None:
    data = gpx_bytes(make_points(5), timed=False)

    assert refusal("route.gpx", data) == "The file has no track points with a time."


def test_track_with_a_single_timed_point_is_refused() -> None:
    first = make_points(1)[0]

    assert "only one point" in refusal("one.tcx", tcx_bytes([first]))
    assert "only one point" in refusal("same-time.tcx", tcx_bytes([first, first]))


def test_gpx_with_more_than_a_fifth_of_its_times_going_back_is_refused() -> None:
    points = make_points(5)
    shuffled = [points[0], points[2], points[1], points[3]]

    assert refusal("shuffled.gpx", gpx_bytes(shuffled)) == (
        "1 of the file's 4 points go back in time or jump faster than anyone can run "
        "(over 12.5 m/s), too many to leave out. Check the clock and GPS of the device "
        "that recorded it."
    )


def test_track_with_times_in_the_future_is_refused() -> None:
    tomorrow = make_points(3, start=NOW + timedelta(hours=23))
    next_week = make_points(3, start=NOW + timedelta(days=7))

    parse("clock-ahead.gpx", gpx_bytes(tomorrow))
    assert "in the future" in refusal("future.gpx", gpx_bytes(next_week))


def test_track_over_1000_km_is_refused() -> None:
    points = make_points(3, step_s=3600 * 24, step_m=600_000)

    assert "over 1,000 km" in refusal("flight.gpx", gpx_bytes(points))


def test_track_lasting_over_7_days_is_refused() -> None:
    points = make_points(3, step_s=3600 * 24 * 4)

    assert "more than 7 days" in refusal("forgot-to-stop.gpx", gpx_bytes(points))


def test_position_off_the_globe_is_refused() -> None:
    data = gpx_bytes(make_points(3)).replace(b'lon="-0.12"', b'lon="200.0"', 1)

    assert "outside the valid latitudes" in refusal("off.gpx", data)


# Properties of the parsers.


@st.composite
def runs(
    draw: st.DrawFn, *, positions: bool = True, max_speed_mps: float | None = 12.0
) -> list[TrackPoint]:
    """Random runs anywhere on Earth: steps of 1 ms to 10 min, up to about 1 km each and
    no faster than `max_speed_mps` (None: any speed, jumps included)."""
    count = draw(st.integers(2, 40))
    gaps = draw(st.lists(st.integers(1, 600_000), min_size=count - 1, max_size=count - 1))
    share = st.floats(-1, 1, allow_nan=False)
    lat = draw(st.floats(-85, 85)) if positions else None
    lon = draw(st.floats(-179, 179)) if positions else None
    start = draw(
        st.datetimes(
            T0.replace(year=2015, tzinfo=None), T0.replace(tzinfo=None), timezones=st.just(UTC)
        )
    )
    start = start.replace(microsecond=start.microsecond // 1000 * 1000)
    points, time = [], start
    for k in range(count):
        elevation = draw(st.none() | st.floats(-100, 5000).map(lambda e: round(e, 1)))
        points.append(TrackPoint(time, lat, lon, elevation, 0.0))
        if k < count - 1:
            time += timedelta(milliseconds=gaps[k])
            if lat is not None and lon is not None:
                # A degree is at most 111.7 km; a step in both is at most 1.5 times that.
                reach_deg = 0.01
                if max_speed_mps is not None:
                    reach_deg = min(reach_deg, max_speed_mps * gaps[k] / 1000 / 111_700 / 1.5)
                lat, lon = lat + reach_deg * draw(share), lon + reach_deg * draw(share)
    return with_distances(points) if positions else points


@QUICK
@given(points=runs(), kind=st.sampled_from(["gpx", "tcx"]))
def test_random_runs_round_trip_through_gpx_and_tcx(points: list[TrackPoint], kind: str) -> None:
    track = parse(f"random.{kind}", BUILDERS[kind](points))

    assert [p.time for p in track.points] == [p.time for p in points]
    assert track.elapsed_s == (points[-1].time - points[0].time).total_seconds()
    assert track.distance_m == pytest.approx(points[-1].distance, rel=1e-6, abs=1e-3)
    # gpxpy writes tiny numbers with 10 decimals (GPX forbids exponents).
    assert [p.lat for p in track.points] == pytest.approx([p.lat for p in points], abs=1e-10)
    assert [p.lon for p in track.points] == pytest.approx([p.lon for p in points], abs=1e-10)
    assert [p.elevation for p in track.points] == [p.elevation for p in points]
    assert 0 <= track.moving_s <= track.elapsed_s
    assert 0 <= track.elevation_gain_m <= climbs([p.elevation for p in points]) + 1e-6


@QUICK
@given(points=runs(max_speed_mps=None), kind=st.sampled_from(["gpx", "tcx"]))
def test_a_track_read_never_moves_faster_than_anyone_can_run(
    points: list[TrackPoint], kind: str
) -> None:
    try:
        track = parse(f"random.{kind}", BUILDERS[kind](points))
    except TrackError:
        return
    for a, b in pairwise(track.points):
        seconds = (b.time - a.time).total_seconds()
        assert b.distance - a.distance <= MAX_RUNNING_SPEED_MPS * seconds + 1e-6


@QUICK
@given(
    data=st.binary(max_size=3000),
    prefix=st.sampled_from(
        [
            b"",
            b"\x1f\x8b\x08\x00",
            b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT",
            b"<gpx>",
            b"<TrainingCenterDatabase>",
        ]
    ),
    filename=st.sampled_from(["a.gpx", "a.tcx", "a.fit", "a.gpx.gz", "a.bin"]),
)
def test_random_bytes_raise_nothing_but_track_error(
    data: bytes, prefix: bytes, filename: str
) -> None:
    with contextlib.suppress(TrackError):
        parse(filename, prefix + data)


@QUICK
@given(
    kind=st.sampled_from(["gpx", "tcx", "fit"]),
    changes=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    cut=st.integers(0, 10_000),
)
def test_damaged_real_files_raise_nothing_but_track_error(
    kind: str, changes: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(BUILDERS[kind](make_points(8)))
    for position, value in changes:
        data[position % len(data)] = value
    with contextlib.suppress(TrackError):
        parse(f"damaged.{kind}", bytes(data[: max(1, len(data) - cut % 50)]))


# Archives.


def test_strava_export_yields_its_run_files_and_skips_the_rest() -> None:
    points = make_points(5)
    archive = zip_bytes(
        {
            "activities/": b"",
            "activities/1.gpx": gpx_bytes(points),
            "activities/2.tcx.gz": gzipped(tcx_bytes(points)),
            "activities/3.fit.gz": gzipped(fit_bytes(points)),
            "activities/4.FIT": fit_bytes(points),
            "activities.csv": b"Activity ID,Activity Date\n",
            "media/photo.jpg": b"\xff\xd8\xff",
            "__MACOSX/activities/._1.gpx": b"\x00\x05\x16\x07",
        }
    )

    members = dict(iter_archive("export.zip", archive))

    assert list(members) == [
        "activities/1.gpx",
        "activities/2.tcx.gz",
        "activities/3.fit.gz",
        "activities/4.FIT",
    ]
    for name, content in members.items():
        assert isinstance(content, bytes)
        assert len(parse(name, content).points) == 5


def test_zip_bomb_member_is_refused_without_unpacking_it() -> None:
    bomb = zip_bomb(TWO_GB)

    members, peak = measured(lambda: list(iter_archive("bomb.zip", bomb)))

    [(name, error)] = members  # type: ignore[misc]
    assert name == "activities/bomb.gpx"
    assert isinstance(error, TrackError)
    assert "larger than 25 MB" in str(error)
    assert peak < 2 * len(bomb) + 2**20


def test_member_compressed_over_100_to_1_is_refused() -> None:
    archive = zip_bytes({"activities/zeros.gpx": bytes(20 * 2**20)})

    [(_, error)] = list(iter_archive("export.zip", archive))

    assert "compressed suspiciously well" in str(error)


def test_member_claiming_a_smaller_size_than_it_has_is_refused() -> None:
    content = gpx_bytes(make_points(20))
    archive = zip_with_forged_member("activities/1.gpx", content, file_size=100)

    [(_, error)] = list(iter_archive("export.zip", archive))

    assert "damaged" in str(error)


def test_encrypted_member_is_refused() -> None:
    archive = zip_with_forged_member("activities/1.gpx", b"secret", encrypted=True)

    [(_, error)] = list(iter_archive("export.zip", archive))

    assert "encrypted" in str(error)


def test_damaged_member_is_refused_and_the_others_still_read() -> None:
    good = gpx_bytes(make_points(5))
    archive = bytearray(zip_bytes({"activities/1.gpx": good, "activities/2.gpx": good}))
    with zipfile.ZipFile(io.BytesIO(bytes(archive))) as zipped:
        first = zipped.getinfo("activities/1.gpx")
    data_start = first.header_offset + 30 + len(first.filename)
    archive[data_start : data_start + 20] = bytes(20)

    (_, first_content), (_, second_content) = iter_archive("export.zip", bytes(archive))

    assert isinstance(first_content, TrackError)
    assert "damaged" in str(first_content)
    assert second_content == good


def test_gzip_bomb_inside_an_archive_is_refused_by_parse_track() -> None:
    archive = zip_with_forged_member("activities/1.gpx.gz", gzip_bomb(TWO_GB))

    [(name, content)] = list(iter_archive("export.zip", archive))

    assert isinstance(content, bytes)
    assert "larger than 25 MB" in refusal(name, content)


def test_archive_over_200_mb_is_refused() -> None:
    with pytest.raises(ArchiveError, match="larger than 200 MB"):
        next(iter_archive("huge.zip", bytes(MAX_ARCHIVE_BYTES + 1)))


def test_archive_with_more_than_2000_members_is_refused() -> None:
    archive = zip_bytes({f"activities/{k}.gpx": b"" for k in range(MAX_MEMBERS + 1)})

    with pytest.raises(ArchiveError, match="more than 2,000 files"):
        next(iter_archive("many.zip", archive))


def test_archive_over_1_gb_uncompressed_is_refused_before_reading() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for k in range(50):
            archive.writestr(f"activities/{k}.gpx", b"<gpx/>")
            archive.getinfo(f"activities/{k}.gpx").file_size = 24 * 2**20

    with pytest.raises(ArchiveError, match="exceed 1 GB"):
        next(iter_archive("big.zip", buffer.getvalue()))


def test_file_that_is_not_a_zip_is_refused() -> None:
    with pytest.raises(ArchiveError, match="not a zip archive"):
        next(iter_archive("run.gpx", gpx_bytes(make_points(3))))


@QUICK
@given(data=st.binary(max_size=2000), prefix=st.sampled_from([b"", b"PK\x03\x04", b"PK\x05\x06"]))
def test_random_bytes_as_an_archive_raise_nothing_but_track_error(
    data: bytes, prefix: bytes
) -> None:
    with contextlib.suppress(TrackError):
        list(iter_archive("random.zip", prefix + data))


@QUICK
@given(changes=st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 255)), max_size=6))
def test_damaged_archives_raise_nothing_but_track_error(changes: list[tuple[int, int]]) -> None:
    data = bytearray(zip_bytes({"a/1.gpx": gpx_bytes(make_points(4)), "a/2.fit": b"x" * 300}))
    for position, value in changes:
        data[position % len(data)] = value
    with contextlib.suppress(TrackError):
        list(iter_archive("damaged.zip", bytes(data)))


# Storage.


def test_encoded_points_come_back_within_their_precision() -> None:
    points = [
        TrackPoint(T0 + timedelta(microseconds=1_234_567), 51.1234567, -0.9876543, 12.34, 0.04),
        TrackPoint(T0 + timedelta(seconds=3), None, None, None, 8.26),
    ]

    decoded = decode_points(encode_points(points))

    assert decoded == [
        TrackPoint(T0 + timedelta(milliseconds=1_235), 51.1234567, -0.9876543, 12.3, 0.0),
        TrackPoint(T0 + timedelta(seconds=3), None, None, None, 8.3),
    ]


def test_encoded_track_is_compact() -> None:
    points = make_points(11_000, step_s=1, step_m=3)

    assert len(encode_points(points)) < 4 * len(points)


def test_blob_that_is_not_a_track_is_refused() -> None:
    for blob in (b"", b"\x09abc", b"\x01not zlib", encode_points(make_points(3))[:-3]):
        with pytest.raises(ValueError):
            decode_points(blob)


@QUICK
@given(
    points=runs(positions=True) | runs(positions=False),
    missing=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_points_round_trip_through_storage(points: list[TrackPoint], missing: list[bool]) -> None:
    points = [
        replace(p, lat=None, lon=None) if gone else p
        for p, gone in zip(points, missing, strict=False)
    ]

    decoded = decode_points(encode_points(points))

    assert len(decoded) == len(points)
    for before, after in zip(points, decoded, strict=True):
        assert abs((after.time - before.time).total_seconds()) <= 0.0005
        for field in ("lat", "lon", "elevation"):
            value, restored = getattr(before, field), getattr(after, field)
            assert (value is None) == (restored is None)
        if before.lat is not None:
            assert after.lat == pytest.approx(before.lat, abs=1e-7)
            assert after.lon == pytest.approx(before.lon, abs=1e-7)
        if before.elevation is not None:
            assert after.elevation == pytest.approx(before.elevation, abs=0.05 + 1e-9)
        assert after.distance == pytest.approx(before.distance, abs=0.05 + 1e-9)


# Heart rate and cadence.

GARMIN_GPX = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Garmin Connect" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">
  <trk><type>running</type><trkseg>
    <trkpt lat="51.5" lon="-0.12"><ele>20.0</ele><time>2024-05-01T07:00:00Z</time>
      <extensions><ns3:TrackPointExtension><ns3:hr>131</ns3:hr><ns3:cad>84</ns3:cad>
      </ns3:TrackPointExtension></extensions></trkpt>
    <trkpt lat="51.5001" lon="-0.12"><ele>20.4</ele><time>2024-05-01T07:00:05Z</time>
      <extensions><ns3:TrackPointExtension><ns3:hr>0</ns3:hr><ns3:cad>86</ns3:cad>
      </ns3:TrackPointExtension></extensions></trkpt>
    <trkpt lat="51.5002" lon="-0.12"><ele>20.8</ele><time>2024-05-01T07:00:10Z</time></trkpt>
  </trkseg></trk>
</gpx>"""


def test_heart_rate_and_cadence_come_from_a_garmin_gpx_in_steps_per_minute() -> None:
    track = parse("garmin.gpx", GARMIN_GPX)

    # cad counts strides (one foot): 84 strides are 168 steps a minute. A heart rate of 0 is
    # a strap that lost contact, kept as unknown; the last point has no sensors at all.
    assert [(p.heart_rate, p.cadence) for p in track.points] == [
        (131.0, 168.0),
        (None, 172.0),
        (None, None),
    ]


@pytest.mark.parametrize("kind", ["fit", "tcx", "gpx"])
def test_heart_rate_and_cadence_come_from_each_format(kind: str) -> None:
    points = [
        replace(point, heart_rate=150.0 + k, cadence=170.0 + 2 * k)
        for k, point in enumerate(make_points(4))
    ]

    track = parse(f"run.{kind}", BUILDERS[kind](points))

    assert [(p.heart_rate, p.cadence) for p in track.points] == [
        (150.0, 170.0),
        (151.0, 172.0),
        (152.0, 174.0),
        (153.0, 176.0),
    ]


def test_a_fit_cadence_adds_its_fractional_half_stride() -> None:
    points = [replace(point, cadence=171.0) for point in make_points(3)]  # 85.5 strides

    track = parse("run.fit", fit_bytes(points))

    assert {p.cadence for p in track.points} == {171.0}


def test_a_track_without_sensors_has_no_heart_rate_or_cadence() -> None:
    track = parse("run.fit", fit_bytes(make_points(3)))

    assert {(p.heart_rate, p.cadence) for p in track.points} == {(None, None)}


def test_heart_rate_and_cadence_round_trip_through_storage() -> None:
    points = [
        TrackPoint(T0, 51.5, -0.12, 20.0, 0.0, 142.0, 168.0),
        TrackPoint(T0 + timedelta(seconds=5), 51.5001, -0.12, 20.5, 14.0, None, 170.0),
        TrackPoint(T0 + timedelta(seconds=10), 51.5002, -0.12, 21.0, 28.0, 150.0, None),
    ]

    assert decode_points(encode_points(points)) == points


def _version_1_blob(points: list[TrackPoint]) -> bytes:
    """A blob as tracks were stored before heart rate and cadence: five columns."""
    columns = (
        [round((p.time - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1000) for p in points],
        [round(p.lat * 1e7) if p.lat is not None else -(2**31) for p in points],
        [round(p.lon * 1e7) if p.lon is not None else -(2**31) for p in points],
        [round(p.elevation * 10) if p.elevation is not None else -(2**31) for p in points],
        [round(p.distance * 10) for p in points],
    )
    deltas = [b - a for column in columns for a, b in pairwise([0, *column])]
    return b"\x01" + zlib.compress(struct.pack(f"<I{len(deltas)}q", len(points), *deltas))


def test_a_track_stored_before_heart_rate_was_kept_still_reads() -> None:
    points = [
        TrackPoint(T0, 51.5, -0.12, 20.0, 0.0),
        TrackPoint(T0 + timedelta(seconds=5), 51.5001, -0.12, None, 14.0),
        TrackPoint(T0 + timedelta(seconds=10), None, None, 21.0, 28.0),
    ]

    decoded = decode_points(_version_1_blob(points))

    assert decoded == points
    assert {(p.heart_rate, p.cadence) for p in decoded} == {(None, None)}
