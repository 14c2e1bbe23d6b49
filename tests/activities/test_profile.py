"""A run's profile over distance: samples, smoothed pace, elevation and sensors, in units."""

from dataclasses import replace
from datetime import timedelta

from community.activities import profile
from community.activities.tracks import TrackPoint
from tests.activities.test_uploads import runs, upload
from tests.activities.trackfiles import gpx_bytes, make_points
from tests.helpers import log_in, make_runner, text


def steady(count: int = 401, **changes: object) -> list[TrackPoint]:
    """10 m every 3 s: 5:00 a km, 4 km for 401 points."""
    return [replace(p, **changes) for p in make_points(count, step_s=3.0, step_m=10.0)]


def with_stop(points: list[TrackPoint], after: int, seconds: float) -> list[TrackPoint]:
    """The runner stands still `seconds` after point `after` (a red light), then goes on."""
    wait = timedelta(seconds=seconds)
    standing = replace(points[after], time=points[after].time + wait)
    later = [replace(p, time=p.time + wait) for p in points[after + 1 :]]
    return [*points[: after + 1], standing, *later]


def test_the_sample_step_is_the_smallest_round_one_within_two_hundred_samples():
    assert profile.sample_step(4.0) == 0.02  # 200 samples
    assert profile.sample_step(12.59) == 0.1  # 126
    assert profile.sample_step(42.2) == 0.25  # 169
    assert profile.sample_step(160.0) == 1.0


def test_moving_time_leaves_out_a_stop():
    points = with_stop(steady(5), after=2, seconds=60)

    assert profile.moving_times(points) == [0.0, 3.0, 6.0, 6.0, 9.0, 12.0]


def test_a_steady_run_has_a_steady_pace_through_a_stop_at_a_red_light():
    points = with_stop(steady(), after=200, seconds=60)

    pace = profile.run_profile(points, "km")[0]

    assert pace.title == "Pace"
    assert len(pace.x) == 201  # 0 to 4 km every 20 m
    assert set(pace.series[0].values) == {300}  # 5:00 a km everywhere
    assert pace.rows()[100] == ("2.00 km", ["5:00 /km"])
    assert pace.inverted


def test_pace_is_smoothed_over_two_hundred_metres_of_noise():
    # GPS noise: every other point is 4 m short, the next 4 m long. Point to point the pace
    # swings between 3:34 and 8:20 a km; over 200 m it stays at 5:00.
    points = steady()
    noisy = [
        replace(p, distance=p.distance + (4.0 if k % 2 else 0.0)) for k, p in enumerate(points)
    ]
    noisy[-1] = points[-1]

    paces = profile.run_profile(noisy, "km")[0].series[0].values

    assert all(abs(pace - 300) <= 6 for pace in paces if pace is not None)


def test_the_profile_reads_in_miles_and_feet():
    points = [replace(p, elevation=10.0 + p.distance / 100) for p in steady()]  # 1 m per 100 m

    pace, elevation = profile.run_profile(points, "mi")

    assert pace.x_title == "Distance (mi)"
    assert pace.rows()[0] == ("0.00 mi", ["8:03 /mi"])  # 300 s a km is 482.8 s a mile
    assert elevation.y_title == "ft"
    # Around 2.00 km the window holds 1.9 to 2.1 km: 30 m on average, 98 ft.
    at_two_km = pace.x.index(round(2000 / 1609.344 / 0.01) * 0.01)
    assert abs(elevation.series[0].values[at_two_km] - 30.0 * 3.28084) < 3.5


def test_heart_rate_and_cadence_are_averaged_and_left_empty_where_the_sensor_was_off():
    points = steady()
    points = [
        replace(p, heart_rate=140.0 if k % 2 else 150.0, cadence=170.0 if k < 200 else None)
        for k, p in enumerate(points)
    ]

    charts = {chart.title: chart for chart in profile.run_profile(points, "km")}

    assert list(charts) == ["Pace", "Elevation", "Heart rate", "Cadence"]
    assert all(abs(v - 145) <= 0.5 for v in charts["Heart rate"].series[0].values)
    cadence = charts["Cadence"].series[0].values
    assert cadence[0] == 170.0
    assert cadence[-1] is None  # no cadence over the last 2 km
    assert charts["Cadence"].rows()[0] == ("0.00 km", ["170 spm"])


def test_a_track_without_distance_has_no_profile():
    assert profile.run_profile(steady(distance=0.0), "km") == []


def test_a_run_page_with_a_gpx_shows_its_pace_and_elevation_charts(app):
    make_runner(app, "ana")
    client = app.test_client()
    log_in(client, "ana")

    assert "1 of 1 file imported" in text(upload(client, ("run.gpx", gpx_bytes(steady()))))
    (run,) = runs(app)
    page = client.get(f"/runs/{run.id}").get_data(as_text=True)

    assert 'id="profile-pace-title">Pace<' in page
    assert 'id="profile-elevation-title">Elevation<' in page
    assert "profile-heart-rate" not in page  # the file has no heart rate
    assert "uPlot.iife.min.js" in page
