"""A challenge's standings over time: running totals per day in the challenge's zone, for
the viewer and the first five of the board, hidden runners left out of others' charts."""

from datetime import UTC, date, datetime, timedelta

import pytest

from community.challenges import history, services
from community.challenges.counting import CountedRun
from tests.challenges.builders import NOW, challenge, log, runner
from tests.helpers import log_in

MILE_KM = 1.609344


@pytest.fixture
def ana(ctx):
    return runner("ana", is_site_admin=True)


def entered(march, *names_and_km: tuple[str, float], hidden: tuple[str, ...] = ()):
    people = {}
    for name, km in names_and_km:
        person = runner(name)
        services.join(person, march, now=NOW)
        if km:
            log(person, datetime(2026, 3, 10, 8, tzinfo=UTC), km=km)
        if name in hidden:
            services.set_hidden(person, march, True)
        people[name] = person
    return people


def labels(chart) -> list[str]:
    return [series.label for series in chart.series]


def test_days_are_the_challenges_own_so_a_run_before_local_midnight_counts_that_day(ana):
    march = challenge(ana, timezone="America/New_York")
    services.join(ana, march, now=NOW)
    log(ana, datetime(2026, 3, 5, 4, 30, tzinfo=UTC), km=5 * MILE_KM)  # 4 March, 23:30 in NY
    log(ana, datetime(2026, 3, 5, 5, 30, tzinfo=UTC), km=1 * MILE_KM)  # 5 March, 00:30 in NY

    chart = history.standings_chart(march, ana.id, "mi", NOW)

    rows = dict(chart.rows())
    assert len(rows) == 31
    assert rows["3 Mar"] == ["0.00 mi"]
    assert rows["4 Mar"] == ["5.00 mi"]
    assert rows["5 Mar"] == ["6.00 mi"]
    assert rows["20 Mar"] == ["6.00 mi"]  # today
    assert rows["21 Mar"] == [""]  # not run yet
    assert labels(chart) == ["Ana (you)"]
    assert chart.y_title == "mi"


def test_a_runner_hidden_from_the_board_is_only_in_their_own_chart(ana):
    march = challenge(ana)
    people = entered(march, ("ben", 20), ("cara", 5), hidden=("ben",))
    services.join(ana, march, now=NOW)
    log(ana, datetime(2026, 3, 11, 8, tzinfo=UTC), km=10)

    assert labels(history.standings_chart(march, ana.id, "km", NOW)) == ["Ana (you)", "Cara"]
    assert labels(history.standings_chart(march, people["ben"].id, "km", NOW)) == [
        "Ben (you)",
        "Ana",
        "Cara",
    ]
    assert labels(history.standings_chart(march, None, "km", NOW)) == ["Ana", "Cara"]


def test_the_chart_shows_the_first_five_and_the_viewer_below_them(ana):
    march = challenge(ana)
    entered(
        march, *[(name, 30 - k) for k, name in enumerate(["bo", "cy", "di", "ed", "fay", "gus"])]
    )
    services.join(ana, march, now=NOW)
    log(ana, datetime(2026, 3, 11, 8, tzinfo=UTC), km=1)

    chart = history.standings_chart(march, ana.id, "km", NOW)

    assert labels(chart) == ["Ana (you)", "Bo", "Cy", "Di", "Ed", "Fay"]
    assert dict(chart.rows())["10 Mar"] == [
        "0.00 km",
        "30.00 km",
        "29.00 km",
        "28.00 km",
        "27.00 km",
        "26.00 km",
    ]


def test_a_goal_draws_where_a_runner_on_course_for_it_would_be(ana):
    march = challenge(ana, goal=31_000.0)
    services.join(ana, march, now=NOW)

    chart = history.standings_chart(march, ana.id, "km", NOW)

    assert labels(chart) == ["Ana (you)", "On pace for the goal"]
    on_pace = chart.series[1].values
    assert on_pace[0] == 1.0 and on_pace[14] == 15.0 and on_pace[-1] == 31.0


def test_safe_mode_caps_each_week_day_by_day(ana):
    march = challenge(ana)
    runs = [
        CountedRun(datetime(2026, 3, 2, 8, tzinfo=UTC), 8_000.0, 2400.0, None),  # Monday
        CountedRun(datetime(2026, 3, 4, 8, tzinfo=UTC), 5_000.0, 1500.0, None),  # Wednesday
        CountedRun(datetime(2026, 3, 9, 8, tzinfo=UTC), 3_000.0, 900.0, None),  # next Monday
    ]
    days = [date(2026, 3, 1) + timedelta(days=k) for k in range(10)]

    totals = history.daily_totals(march, days, runs, {date(2026, 3, 2): 10_000.0})

    # 1 March is a Sunday of the week before (no cap); the week of 2 March counts 10 km
    # of its 13; the next week starts from there.
    assert totals == [0, 8_000, 8_000, 10_000, 10_000, 10_000, 10_000, 10_000, 13_000, 13_000]


def test_a_longest_run_challenge_charts_the_longest_so_far(ana):
    march = challenge(ana, kind="longest_run")
    runs = [
        CountedRun(datetime(2026, 3, 2, 8, tzinfo=UTC), 12_000.0, 3600.0, None),
        CountedRun(datetime(2026, 3, 3, 8, tzinfo=UTC), 5_000.0, 1500.0, None),
        CountedRun(datetime(2026, 3, 4, 8, tzinfo=UTC), 21_100.0, 6300.0, None),
    ]
    days = [date(2026, 3, 1) + timedelta(days=k) for k in range(4)]

    assert history.daily_totals(march, days, runs, {}) == [0, 12_000, 12_000, 21_100]


def test_a_fastest_effort_challenge_has_no_chart(ana):
    assert not history.charted(challenge(ana, kind="fastest_effort", effort_label="5 km"))


def test_an_outsider_gets_a_404_from_a_private_challenges_standings(app, secret):
    outsider, member = app.test_client(), app.test_client()
    log_in(outsider, "ben")
    log_in(member, "mia")

    assert outsider.get(f"/challenges/{secret}/standings").status_code == 404
    assert app.test_client().get(f"/challenges/{secret}/standings").status_code == 404
    answer = member.get(f"/challenges/{secret}/standings")
    assert answer.status_code == 200
    assert answer.json["title"] == "Standings over time"
    assert len(answer.json["rows"]) == len(answer.json["x"])
