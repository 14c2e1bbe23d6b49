"""Logging a run by hand: exact units and time zones, and bad input refused."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.activities import services
from community.activities.events import run_changed
from community.activities.models import Run
from community.extensions import db
from tests.helpers import html, log_in, make_runner, submit, text

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def details(**overrides) -> services.RunDetails:
    values = {
        "start_time": NOW - timedelta(hours=3),
        "distance_m": 10_000.0,
        "duration_s": 3000.0,
        "title": "Tempo Tuesday",
    }
    return services.RunDetails(**{**values, **overrides})


def runner(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


@pytest.fixture
def ana(app, ctx):
    make_runner(app, "ana")
    make_runner(app, "ben")
    return runner("ana")


def run_count() -> int:
    return db.session.scalar(select(func.count(Run.id)))


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"distance_m": 0.0}, "distance"),
        ({"distance_m": -5.0}, "distance"),
        ({"distance_m": 900_000.0}, "distance"),
        ({"duration_s": 0.0}, "duration"),
        ({"duration_s": -60.0}, "duration"),
        ({"start_time": NOW + timedelta(days=1)}, "date"),
        ({"effort": 11}, "effort"),
        ({"elevation_gain_m": -3.0}, "elevation_gain"),
    ],
)
def test_impossible_values_are_refused_with_the_field_to_fix(ana, overrides, field):
    with pytest.raises(services.RunError) as refused:
        services.log_run(ana, details(**overrides), now=NOW)
    assert refused.value.field == field
    assert run_count() == 0


def test_a_pace_beyond_the_world_record_needs_confirmation(ana):
    too_fast = details(distance_m=10_000.0, duration_s=20 * 60)  # 2:00 /km
    with pytest.raises(services.NeedsConfirmation):
        services.log_run(ana, too_fast, now=NOW)
    run = services.log_run(ana, too_fast, now=NOW, confirmed_fast=True)
    assert run.id is not None


@pytest.mark.parametrize(
    "distance_m,duration_s,beyond",
    [
        (400.0, 40.0, True),  # the 400 m record is 43.03
        (7_000.0, 16 * 60.0, True),  # 5 km at this pace: 11:26, the record 12:35.36
        (1_000.0, 150.0, False),  # 2:30 /km: a world-class kilometre, but no record (2:11.96)
        (42_195.0, 2 * 3600.0 + 60, False),  # 2:01:00, the record 2:00:35
    ],
)
def test_a_pace_is_judged_by_the_record_of_the_longest_distance_it_covers(
    ana, distance_m, duration_s, beyond
):
    entered = details(distance_m=distance_m, duration_s=duration_s)
    if beyond:
        with pytest.raises(services.NeedsConfirmation):
            services.check_details(entered, now=NOW)
    else:
        services.check_details(entered, now=NOW)


def test_a_confirmed_run_beyond_the_world_record_is_kept_flagged_with_the_reason(ana):
    run = services.log_run(
        ana, details(distance_m=5_000.0, duration_s=11 * 60), now=NOW, confirmed_fast=True
    )
    assert run.suspect_reason == (
        "At its pace, 5 km takes 11:00, faster than the world record "
        "(12:35.36, Joshua Cheptegei, 2020)."
    )

    services.update_run(ana, run, details(distance_m=5_000.0, duration_s=21 * 60), now=NOW)

    assert run.suspect_reason is None


def test_untitled_runs_are_named_by_the_local_time_of_day(ana):
    ana.timezone = "America/New_York"
    evening_in_new_york = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)  # 19:30 local
    run = services.log_run(ana, details(title="", start_time=evening_in_new_york), now=NOW)
    assert run.title == "Evening Run"


def test_logging_editing_and_deleting_each_announce_one_change(ana):
    heard = []

    def listener(sender, change):
        heard.append((change.kind, change.before, change.after))

    run_changed.connect(listener)
    try:
        run = services.log_run(ana, details(), now=NOW)
        services.update_run(ana, run, details(distance_m=12_000.0), now=NOW)
        services.delete_run(ana, run)
    finally:
        run_changed.disconnect(listener)
    assert [kind for kind, *_ in heard] == ["created", "updated", "deleted"]
    assert heard[0][1] is None and heard[0][2].distance_m == 10_000.0
    assert heard[1][1].distance_m == 10_000.0 and heard[1][2].distance_m == 12_000.0
    assert heard[2][1].distance_m == 12_000.0 and heard[2][2] is None


def test_nobody_else_edits_or_deletes_a_run(ana):
    ben = runner("ben")
    run = services.log_run(ana, details(), now=NOW)
    with pytest.raises(services.NotYourRun):
        services.update_run(ben, run, details(distance_m=1.0), now=NOW)
    with pytest.raises(services.NotYourRun):
        services.delete_run(ben, run)


def test_the_database_refuses_a_zero_distance_even_past_the_service(ana):
    db.session.add(Run(user_id=ana.id, title="x", start_time=NOW, distance_m=0.0, duration_s=60.0))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def form(**overrides):
    return {
        "date": "2026-03-09",
        "time": "07:15",
        "distance": "6.2",
        "duration": "0:52:10",
        "elevation_gain": "",
        "title": "",
        "notes": "Felt strong",
        "effort": "6",
        "run_type": "easy",
        "visibility": "public",
        **overrides,
    }


@pytest.fixture
def miles_runner(app):
    make_runner(app, "ben", units="mi", timezone="America/New_York")
    client = app.test_client()
    log_in(client, "ben")
    return client


def test_form_takes_miles_and_local_time_and_stores_metres_and_utc(app, miles_runner):
    response = submit(miles_runner, "/runs/new", form(elevation_gain="330"), page="/runs/new")
    assert response.status_code == 302
    with app.app_context():
        run = db.session.scalar(select(Run))
        assert run.distance_m == pytest.approx(6.2 * 1609.344)
        assert run.start_time == datetime(2026, 3, 9, 11, 15, tzinfo=UTC)  # 07:15 EDT
        assert run.elevation_gain_m == pytest.approx(330 / 3.28084)
        assert run.title == "Morning Run"
    page = text(miles_runner.get(response.headers["Location"]))
    assert "6.20 mi" in page and "8:25 /mi" in page and "330 ft" in page


def test_bad_form_input_is_a_field_error_and_saves_nothing(app, miles_runner):
    response = submit(
        miles_runner, "/runs/new", form(distance="-1", duration="soon"), page="/runs/new"
    )
    assert response.status_code == 400
    page = text(response)
    assert "Enter a distance from 0.01 to 1,000." in page
    assert "Enter the time as h:mm:ss" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Run.id))) == 0


def test_the_form_asks_to_confirm_a_world_record_pace(app, miles_runner):
    too_fast = form(distance="20", duration="1:00:00")  # 3:00 /mi
    first = submit(miles_runner, "/runs/new", too_fast, page="/runs/new")
    assert first.status_code == 400
    assert "Yes, this pace is right" in text(first)
    confirmed = submit(
        miles_runner, "/runs/new", {**too_fast, "confirm_fast": "y"}, page="/runs/new"
    )
    assert confirmed.status_code == 302
    assert (
        "Flagged as suspect. At its pace, a half marathon takes 39:20, faster than the world "
        "record (57:30, Yomif Kejelcha, 2024). It sets no personal best and counts in no "
        "fastest-effort challenge."
    ) in text(miles_runner.get(confirmed.headers["Location"]))


def test_editing_a_run_through_the_form(app, miles_runner):
    submit(miles_runner, "/runs/new", form(), page="/runs/new")
    with app.app_context():
        run_id = db.session.scalar(select(Run.id))
    edit_page = html(miles_runner.get(f"/runs/{run_id}/edit"))
    assert 'value="6.20"' in edit_page and 'value="52:10"' in edit_page
    submit(miles_runner, f"/runs/{run_id}/edit", form(distance="7", title="Loop"), page="/runs/new")
    with app.app_context():
        run = db.session.get(Run, run_id)
        assert (run.title, round(run.distance_m)) == ("Loop", round(7 * 1609.344))
