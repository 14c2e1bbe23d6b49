"""Which runs count toward a challenge, and how each kind turns them into a standing."""

from datetime import UTC, date, datetime, timedelta

import pytest

from community.activities import imports
from community.activities import services as runs
from community.challenges import services, tally
from community.challenges.models import ChallengeEntry
from community.extensions import db
from tests.activities.trackfiles import gpx_bytes, make_points
from tests.challenges.builders import NOW, challenge, edit, log, runner

MARCH_3 = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)


@pytest.fixture
def ana(ctx):
    return runner("ana", is_site_admin=True)


def entry(challenge_id: int, user_id: int) -> ChallengeEntry:
    found = services.entry_of(challenge_id, user_id)
    assert found is not None
    db.session.refresh(found)
    return found


def km(value: float | None) -> float | None:
    return None if value is None else round(value / 1000, 3)


def test_a_run_inside_the_window_adds_to_the_total(ana):
    march = challenge(ana)
    services.join(ana, march, now=NOW)
    log(ana, MARCH_3, km=10)
    log(ana, MARCH_3 + timedelta(days=1), km=5.5)
    assert km(entry(march.id, ana.id).total) == 15.5


def test_runs_logged_before_joining_count_from_the_start(ana):
    march = challenge(ana)
    log(ana, MARCH_3, km=8)
    log(ana, datetime(2026, 2, 28, 7, 0, tzinfo=UTC), km=20)  # before the start
    services.join(ana, march, now=NOW)
    assert km(entry(march.id, ana.id).total) == 8


def test_the_runs_start_is_judged_in_the_challenges_time_zone(ana):
    march = challenge(ana, timezone="Europe/Madrid")
    services.join(ana, march, now=NOW)
    # 31 March 23:30 in Madrid (CEST, +2) is inside; 1 April 00:30 there is not.
    log(ana, datetime(2026, 3, 31, 21, 30, tzinfo=UTC), km=3, now=NOW + timedelta(days=12))
    log(ana, datetime(2026, 3, 31, 22, 30, tzinfo=UTC), km=7, now=NOW + timedelta(days=12))
    # 1 March 00:30 in Madrid (CET, +1) is 28 February in UTC, and counts.
    log(ana, datetime(2026, 2, 28, 23, 30, tzinfo=UTC), km=2)
    assert km(entry(march.id, ana.id).total) == 5


def test_a_window_across_the_end_of_summer_time_covers_whole_local_days(ana):
    october = challenge(
        ana,
        timezone="Europe/London",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 31),
    )
    # 1 October starts at 00:00 BST (23:00 UTC the day before); 31 October ends at
    # midnight GMT, after the clocks went back on the 25th.
    assert october.starts_at == datetime(2026, 9, 30, 23, 0, tzinfo=UTC)
    assert october.ends_at == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    services.join(ana, october, now=october.starts_at)
    log(ana, datetime(2026, 9, 30, 23, 30, tzinfo=UTC), km=4)  # 00:30 on 1 October
    log(ana, datetime(2026, 10, 31, 23, 30, tzinfo=UTC), km=6)  # 23:30 on 31 October
    log(ana, datetime(2026, 11, 1, 0, 30, tzinfo=UTC), km=9)  # November
    assert km(entry(october.id, ana.id).total) == 10


def test_editing_a_runs_date_moves_it_between_months(ana):
    march = challenge(ana, title="March")
    april = challenge(ana, title="April", starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 30))
    services.join(ana, march, now=NOW)
    services.join(ana, april, now=NOW)
    # On 2 April March is still open for late changes (3 days' grace).
    second_of_april = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
    run = log(ana, datetime(2026, 4, 1, 7, 0, tzinfo=UTC), km=12, now=second_of_april)
    assert km(entry(april.id, ana.id).total) == 12
    edit(ana, run, start_time=datetime(2026, 3, 30, 7, 0, tzinfo=UTC), now=second_of_april)
    assert km(entry(march.id, ana.id).total) == 12
    assert km(entry(april.id, ana.id).total) == 0


def test_editing_the_distance_updates_the_total(ana):
    march = challenge(ana)
    services.join(ana, march, now=NOW)
    run = log(ana, MARCH_3, km=12)
    edit(ana, run, distance_m=15_000.0)
    assert km(entry(march.id, ana.id).total) == 15


def test_deleting_a_run_takes_it_off_the_total(ana):
    march = challenge(ana)
    services.join(ana, march, now=NOW)
    kept = log(ana, MARCH_3, km=5)
    gone = log(ana, MARCH_3 + timedelta(days=2), km=10)
    runs.delete_run(ana, gone, now=NOW)
    found = entry(march.id, ana.id)
    assert km(found.total) == 5
    assert found.reached_at == kept.start_time


def test_late_uploads_count_inside_the_grace_period_only(ana):
    march = challenge(ana, grace_days=3)
    services.join(ana, march, now=NOW)
    log(ana, MARCH_3, km=5, now=datetime(2026, 4, 3, 12, 0, tzinfo=UTC))  # 3 days after
    log(ana, MARCH_3 + timedelta(days=1), km=7, now=datetime(2026, 4, 5, 0, 0, tzinfo=UTC))
    assert km(entry(march.id, ana.id).total) == 5
    assert km(tally.standings_from_scratch(march)[ana.id].total) == 5


def test_leaving_and_rejoining_counts_the_same_runs_again(ana):
    march = challenge(ana)
    services.join(ana, march, now=NOW)
    log(ana, MARCH_3, km=9)
    services.leave(ana, march, now=NOW)
    assert services.entry_of(march.id, ana.id) is None
    log(ana, MARCH_3 + timedelta(days=1), km=1)
    services.join(ana, march, now=NOW)
    assert km(entry(march.id, ana.id).total) == 10


def test_joining_twice_keeps_one_entry(ana):
    march = challenge(ana)
    first = services.join(ana, march, now=NOW)
    second = services.join(ana, march, now=NOW)
    assert first.id == second.id


def test_most_time_elevation_and_runs_count_their_own_measure(ana):
    time = challenge(ana, kind="time")
    climb = challenge(ana, kind="elevation")
    count = challenge(ana, kind="runs")
    for c in (time, climb, count):
        services.join(ana, c, now=NOW)
    log(ana, MARCH_3, km=10, minutes=50, elevation=120)
    log(ana, MARCH_3 + timedelta(days=1), km=5, minutes=25)
    assert entry(time.id, ana.id).total == 75 * 60
    assert entry(climb.id, ana.id).total == 120
    assert entry(count.id, ana.id).total == 2


def test_longest_run_falls_back_when_the_longest_is_deleted(ana):
    longest = challenge(ana, kind="longest_run")
    services.join(ana, longest, now=NOW)
    log(ana, MARCH_3, km=14)
    big = log(ana, MARCH_3 + timedelta(days=4), km=21.1)
    assert km(entry(longest.id, ana.id).total) == 21.1
    runs.delete_run(ana, big, now=NOW)
    assert km(entry(longest.id, ana.id).total) == 14


def test_fastest_effort_reads_the_best_efforts_of_uploaded_runs(ana):
    fastest = challenge(ana, kind="fastest_effort", effort_label="1 km", goal=300.0)
    services.join(ana, fastest, now=NOW)
    assert entry(fastest.id, ana.id).total is None  # no effort yet
    # 120 points 15 m and 4 s apart: 1 km in 266.7 s.
    points = make_points(120, start=MARCH_3, step_s=4.0, step_m=15.0)
    result = imports.import_file(ana, "fast.gpx", gpx_bytes(points), now=NOW)
    assert result.status == "imported"
    found = entry(fastest.id, ana.id)
    assert found.total == pytest.approx(266.7, abs=0.5)
    assert found.score == pytest.approx(-found.total, abs=0.001)
    assert found.completed_at is not None  # under the 5:00 target


def test_fastest_effort_ignores_an_effort_beyond_the_world_record(ana):
    fastest = challenge(ana, kind="fastest_effort", effort_label="1 km")
    services.join(ana, fastest, now=NOW)
    honest = make_points(120, start=MARCH_3, step_s=4.0, step_m=15.0)  # 1 km in 266.7 s
    # The next day, 1 km in 90.9 s (11 m/s): a ride, not the 2:11.96 of the world record.
    ride = make_points(120, start=MARCH_3 + timedelta(days=1), step_s=1.0, step_m=11.0)
    imports.import_file(ana, "run.gpx", gpx_bytes(honest), now=NOW)

    result = imports.import_file(ana, "ride.gpx", gpx_bytes(ride), now=NOW)

    assert entry(fastest.id, ana.id).total == pytest.approx(266.7, abs=0.5)
    assert tally.standings_from_scratch(fastest)[ana.id].total == pytest.approx(266.7, abs=0.5)
    assert result.status == "imported" and "Flagged as suspect." in result.message


def test_streak_counts_consecutive_weeks_with_enough_runs(ana):
    streak = challenge(ana, kind="streak", runs_per_week=2, goal=3.0)
    services.join(ana, streak, now=NOW)
    # Weeks from Monday: 2 March, 9 March, 16 March.
    for day in (3, 5, 10, 11, 16, 17):
        log(ana, datetime(2026, 3, day, 7, 0, tzinfo=UTC))
    found = entry(streak.id, ana.id)
    assert found.total == 3
    assert found.completed_at is not None
    assert found.reached_at == datetime(2026, 3, 17, 7, 0, tzinfo=UTC)


def test_a_week_short_of_runs_breaks_the_streak(ana):
    streak = challenge(ana, kind="streak", runs_per_week=2, goal=3.0)
    services.join(ana, streak, now=NOW)
    for day in (3, 5, 10, 16, 17):  # one run in the week of 9 March
        log(ana, datetime(2026, 3, day, 7, 0, tzinfo=UTC))
    assert entry(streak.id, ana.id).total == 1


def test_safe_mode_caps_a_week_at_the_previous_four_weeks_average_plus_ten_percent(ana):
    safe = challenge(ana, safe_mode=True)
    services.join(ana, safe, now=NOW)
    # 20 km in each of the four weeks before March: the cap is 22 km a week.
    for week in range(1, 5):
        log(ana, datetime(2026, 3, 2, 7, 0, tzinfo=UTC) - timedelta(weeks=week), km=20)
    log(ana, datetime(2026, 3, 3, 7, 0, tzinfo=UTC), km=30)  # week of 2 March
    # 1 March 2026 is a Sunday: the window's first week began on 23 February.
    week = {w.starts_on: w for w in services_weeks(safe, ana.id)}[date(2026, 3, 2)]
    assert week.cap_m == pytest.approx(22_000)
    assert (week.ran_m, week.counted_m) == (30_000, pytest.approx(22_000))
    assert km(entry(safe.id, ana.id).total) == 22


def test_safe_mode_gives_a_runner_without_history_a_sensible_week(ana):
    safe = challenge(ana, safe_mode=True)
    services.join(ana, safe, now=NOW)
    log(ana, MARCH_3, km=25)
    assert km(entry(safe.id, ana.id).total) == 10


def services_weeks(safe, user_id):
    from community.challenges.counting import counted_runs, safe_weeks

    return safe_weeks(safe, user_id, counted_runs(safe, user_id))


def test_completing_the_goal_is_recorded_and_undone_if_the_run_goes(ana):
    hundred = challenge(ana, goal=20_000.0)
    services.join(ana, hundred, now=NOW)
    log(ana, MARCH_3, km=15)
    assert entry(hundred.id, ana.id).completed_at is None
    last = log(ana, MARCH_3 + timedelta(days=1), km=6, now=NOW)
    assert entry(hundred.id, ana.id).completed_at == NOW
    runs.delete_run(ana, last, now=NOW)
    assert entry(hundred.id, ana.id).completed_at is None


def test_a_club_goal_adds_up_every_entrants_distance(ana):
    from tests.challenges.builders import club

    ben = runner("ben")
    riverside = club(ana)
    from community.clubs.services import join as join_club

    join_club(ben, riverside)
    together = challenge(ana, riverside, kind="club_goal", goal=30_000.0)
    services.join(ana, together, now=NOW)
    services.join(ben, together, now=NOW)
    log(ana, MARCH_3, km=12)
    assert together.goal_reached_at is None
    log(ben, MARCH_3, km=18, now=NOW)
    db.session.refresh(together)
    assert tally.club_total(together.id) == 30_000
    assert together.goal_reached_at == NOW


def test_runs_of_other_runners_do_not_count(ana):
    ben = runner("ben")
    march = challenge(ana)
    services.join(ana, march, now=NOW)
    log(ben, MARCH_3, km=42)
    assert entry(march.id, ana.id).total == 0


def test_a_run_changed_after_the_challenge_closed_leaves_the_final_standings(ana):
    march = challenge(ana, grace_days=0)
    services.join(ana, march, now=NOW)
    run = log(ana, MARCH_3, km=10)
    edit(ana, run, distance_m=30_000.0, now=datetime(2026, 4, 10, tzinfo=UTC))
    assert km(entry(march.id, ana.id).total) == 10
