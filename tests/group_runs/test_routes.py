"""Group-run pages over HTTP: scheduling form, RSVP buttons, access per rule, live room."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db, socketio
from community.group_runs import scheduling
from community.group_runs.models import GroupRun, Rsvp
from tests.helpers import add_member, as_, make_club, make_runner, submit, text


@pytest.fixture
def people(app):
    return {name: make_runner(app, name) for name in ("olivia", "ana", "ben", "stranger")}


@pytest.fixture
def club_id(app, people):
    club_id = make_club(
        app, people["olivia"], slug="riverside", visibility="private", timezone="Europe/London"
    )
    add_member(app, club_id, people["ana"])
    add_member(app, club_id, people["ben"])
    return club_id


def a_run(app, people, club_id, **kwargs) -> int:
    with app.app_context():
        run = scheduling.schedule_run(
            people["olivia"],
            db.session.get(Club, club_id),
            title="Tuesday tempo",
            starts_at=utcnow() + timedelta(days=2),
            meeting_point="Bandstand",
            now=utcnow(),
            **kwargs,
        )
        db.session.commit()
        return run.id


def first_group(app, run_id) -> int:
    with app.app_context():
        return db.session.get(GroupRun, run_id).pace_groups[0].id


def rsvp(client, run_id, status="going", group=None):
    data = {"status": status}
    if group is not None:
        data["pace_group"] = str(group)
    return submit(client, f"/group-runs/{run_id}/rsvp", data, page="/dashboard")


def test_an_admin_schedules_a_run_in_the_clubs_time_zone(app, people, club_id):
    olivia = as_(app, "olivia")
    day = (datetime.now(UTC) + timedelta(days=10)).date()
    response = submit(
        olivia,
        "/clubs/riverside/group-runs/new",
        {
            "title": "Summer social",
            "date": day.isoformat(),
            "time": "18:30",
            "meeting_point": "Bandstand",
            "description": "",
            "capacity": "12",
            "pace_groups-0-name": "5:00/km",
            "pace_groups-0-capacity": "8",
            "pace_groups-0-leader": "ana",
            "pace_groups-0-no_drop": "y",
            "pace_groups-1-name": "6:00/km",
        },
        page="/clubs/riverside/group-runs/new",
    )
    assert response.status_code == 302
    with app.app_context():
        run = db.session.scalar(select(GroupRun))
        local = run.starts_at.astimezone(db.session.get(Club, club_id).zone)
        assert (local.date(), local.hour, local.minute) == (day, 18, 30)
        assert [(g.name, g.capacity, g.no_drop) for g in run.pace_groups] == [
            ("5:00/km", 8, True),
            ("6:00/km", None, False),
        ]
        assert run.pace_groups[0].leader_id == people["ana"].id
    assert "Summer social" in text(olivia.get("/clubs/riverside"))


def test_members_cannot_schedule_runs(app, people, club_id):
    assert as_(app, "ana").get("/clubs/riverside/group-runs/new").status_code == 403


def test_a_leader_must_be_a_club_member(app, people, club_id):
    day = (datetime.now(UTC) + timedelta(days=10)).date()
    response = submit(
        as_(app, "olivia"),
        "/clubs/riverside/group-runs/new",
        {
            "title": "x",
            "date": day.isoformat(),
            "time": "18:30",
            "meeting_point": "here",
            "pace_groups-0-name": "Fast",
            "pace_groups-0-leader": "stranger",
        },
        page="/clubs/riverside/group-runs/new",
    )
    assert response.status_code == 400
    assert "stranger is not a member of this club." in text(response)


def test_a_run_in_the_past_is_a_field_error(app, people, club_id):
    response = submit(
        as_(app, "olivia"),
        "/clubs/riverside/group-runs/new",
        {"title": "x", "date": "2020-01-01", "time": "18:30", "meeting_point": "here"},
        page="/clubs/riverside/group-runs/new",
    )
    assert response.status_code == 400
    assert "Schedule the run in the future." in text(response)


def test_rsvp_buttons_take_a_place_then_the_waitlist(app, people, club_id):
    run_id = a_run(app, people, club_id, capacity=1)
    ana, ben = as_(app, "ana"), as_(app, "ben")
    rsvp(ana, run_id)
    rsvp(ben, run_id)
    assert "You're going" in text(ana.get(f"/group-runs/{run_id}"))
    page = text(ben.get(f"/group-runs/{run_id}"))
    assert "You're on the waitlist" in page
    assert "1 going of 1 · 1 waiting" in page


def test_non_members_of_a_private_club_never_see_its_runs(app, people, club_id):
    run_id = a_run(app, people, club_id)
    assert as_(app, "stranger").get(f"/group-runs/{run_id}").status_code == 404
    assert app.test_client().get(f"/group-runs/{run_id}").status_code == 404
    assert rsvp(as_(app, "stranger"), run_id).status_code == 404


def test_only_admins_change_capacity(app, people, club_id):
    run_id = a_run(app, people, club_id, capacity=1)
    group_id = first_group(app, run_id)
    response = submit(
        as_(app, "ana"),
        f"/group-runs/{run_id}/groups/{group_id}/capacity",
        {"capacity": "5"},
        page="/dashboard",
    )
    assert response.status_code == 403


def test_an_unknown_status_changes_nothing(app, people, club_id):
    run_id = a_run(app, people, club_id)
    response = rsvp(as_(app, "ana"), run_id, status="definitely")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Rsvp)) is None


def test_upcoming_runs_across_my_clubs(app, people, club_id):
    a_run(app, people, club_id)
    assert "Tuesday tempo" in text(as_(app, "ana").get("/group-runs/"))
    assert "Tuesday tempo" not in text(as_(app, "stranger").get("/group-runs/"))


def watch(app, client, run_id):
    socket = socketio.test_client(app, flask_test_client=client)
    return socket, socket.emit("run:watch", {"run_id": run_id}, callback=True)


def test_only_members_join_a_private_runs_room(app, people, club_id):
    run_id = a_run(app, people, club_id)
    assert watch(app, as_(app, "stranger"), run_id)[1] == {"ok": False, "error": "Not allowed."}
    assert watch(app, as_(app, "ana"), run_id)[1] == {"ok": True}


def test_watchers_hear_of_rsvps_and_the_promoted_runner_is_told(app, people, club_id):
    run_id = a_run(app, people, club_id, capacity=1)
    ana, ben = as_(app, "ana"), as_(app, "ben")
    rsvp(ana, run_id)
    rsvp(ben, run_id)
    ben_socket, _ = watch(app, ben, run_id)
    rsvp(ana, run_id, status="not_going")
    names = [event["name"] for event in ben_socket.get_received()]
    assert "run:roster_changed" in names
    assert "rsvp:promoted" in names


def test_a_weekly_series_is_scheduled_from_the_form(app, people, club_id):
    olivia = as_(app, "olivia")
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    response = submit(
        olivia,
        "/clubs/riverside/group-runs/new",
        {
            "title": "Tuesday social",
            "date": day.isoformat(),
            "time": "18:30",
            "meeting_point": "Bandstand",
            "repeat": "1",
        },
        page="/clubs/riverside/group-runs/new",
    )
    assert response.status_code == 302
    with app.app_context():
        runs = db.session.scalars(select(GroupRun).order_by(GroupRun.starts_at)).all()
        assert len(runs) >= 8
        assert {run.series_id for run in runs} == {runs[0].series_id}
        assert response.headers["Location"] == f"/group-runs/{runs[0].id}"


def test_an_admin_moves_a_run_and_its_calendar_sequence_grows(app, people, club_id):
    run_id = a_run(app, people, club_id)
    olivia = as_(app, "olivia")
    edit_page = olivia.get(f"/group-runs/{run_id}/edit")
    assert edit_page.status_code == 200
    day = (datetime.now(UTC) + timedelta(days=5)).date()
    response = submit(
        olivia,
        f"/group-runs/{run_id}/edit",
        {
            "title": "Moved tempo",
            "date": day.isoformat(),
            "time": "07:00",
            "meeting_point": "Track",
            "apply_to": "this",
        },
        page=f"/group-runs/{run_id}/edit",
    )
    assert response.status_code == 302
    with app.app_context():
        run = db.session.get(GroupRun, run_id)
        assert (run.title, run.meeting_point, run.sequence) == ("Moved tempo", "Track", 1)


def test_members_cannot_edit_a_run(app, people, club_id):
    run_id = a_run(app, people, club_id)
    assert as_(app, "ana").get(f"/group-runs/{run_id}/edit").status_code == 403


def test_a_live_refresh_of_the_roster_leaves_the_runners_message_for_the_page(app, people, club_id):
    run_id = a_run(app, people, club_id)
    ana = as_(app, "ana")
    rsvp(ana, run_id)
    fragment = ana.get(f"/group-runs/{run_id}?fragment=roster")
    assert "You're going" in text(fragment) and "See you there!" not in text(fragment)
    assert "You're going. See you there!" in text(ana.get(f"/group-runs/{run_id}"))


def test_members_schedule_runs_when_the_club_allows_it(app, people, club_id):
    with app.app_context():
        db.session.get(Club, club_id).members_schedule_runs = True
        db.session.commit()
    ana = as_(app, "ana")
    day = (datetime.now(UTC) + timedelta(days=4)).date()
    response = submit(
        ana,
        "/clubs/riverside/group-runs/new",
        {"title": "Ana's hills", "date": day.isoformat(), "time": "08:00", "meeting_point": "Hill"},
        page="/clubs/riverside/group-runs/new",
    )
    assert response.status_code == 302
    assert "Ana's hills" in text(ana.get("/clubs/riverside"))


def schedule_with_route(app, route_file):
    olivia = as_(app, "olivia")
    day = (datetime.now(UTC) + timedelta(days=6)).date()
    token_page = olivia.get("/clubs/riverside/group-runs/new").get_data(as_text=True)
    token = token_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = {
        "csrf_token": token,
        "title": "Route run",
        "date": day.isoformat(),
        "time": "09:00",
        "meeting_point": "Gate",
        "route_file": (io.BytesIO(route_file), "route.gpx"),
    }
    return olivia, olivia.post(
        "/clubs/riverside/group-runs/new", data=data, content_type="multipart/form-data"
    )


def test_a_planned_route_from_a_gpx_without_times_is_drawn(app, people, club_id):
    route = (
        b'<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        b'<rte><rtept lat="51.48" lon="-0.16"/><rtept lat="51.49" lon="-0.15"/>'
        b'<rtept lat="51.50" lon="-0.16"/></rte></gpx>'
    )
    olivia, response = schedule_with_route(app, route)
    assert response.status_code == 302
    assert "<polyline points=" in olivia.get(response.headers["Location"]).get_data(as_text=True)


def test_a_route_that_is_not_gpx_is_refused_with_the_reason(app, people, club_id):
    _, response = schedule_with_route(app, b"not a route at all")
    assert response.status_code == 400
    assert "This GPX file is damaged and cannot be read." in text(response)
    with app.app_context():
        assert db.session.scalar(select(GroupRun)) is None


def a_run_at(app, people, club_id, starts_at: datetime) -> int:
    with app.app_context():
        run = scheduling.schedule_run(
            people["olivia"],
            db.session.get(Club, club_id),
            title="Saturday long run",
            starts_at=starts_at,
            meeting_point="Bandstand",
            now=utcnow(),
        )
        db.session.commit()
        return run.id


def nine_in_london() -> datetime:
    """09:00 in London three days on: 10:00 in Paris, winter or summer (both change clocks
    at the same moment)."""
    day = utcnow().date() + timedelta(days=3)
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo("Europe/London"))


def test_a_runner_in_another_zone_sees_their_time_and_the_clubs_both_named(app, people, club_id):
    with app.app_context():
        db.session.get(User, people["ana"].id).timezone = "Europe/Paris"
        db.session.commit()
    run_id = a_run_at(app, people, club_id, nine_in_london())
    ana = as_(app, "ana")
    for path in ("/group-runs/", f"/group-runs/{run_id}"):
        page = text(ana.get(path))
        assert "09:00 (Europe/London), 10:00 your time (Europe/Paris)" in page, path


def test_a_runner_in_the_clubs_zone_sees_its_time_unlabelled(app, people, club_id):
    with app.app_context():
        db.session.get(User, people["ben"].id).timezone = "Europe/London"
        db.session.commit()
    run_id = a_run_at(app, people, club_id, nine_in_london())
    ben = as_(app, "ben")
    for path in ("/group-runs/", f"/group-runs/{run_id}"):
        page = text(ben.get(path))
        assert "09:00" in page, path
        assert "your time" not in page and "Europe/Paris" not in page, path


def test_the_upcoming_page_has_a_plain_title_and_one_calendar_section(app, people, club_id):
    page = as_(app, "ana").get("/group-runs/").get_data(as_text=True)
    assert "<title>Group runs · Runhive</title>" in page
    assert page.count('id="calendar-heading"') == 1


@pytest.mark.parametrize("places", [str(2**70), str(2**31), "10001", "-1", "²", "1e3", "abc"])
def test_a_capacity_no_run_has_is_refused_and_changes_nothing(app, people, club_id, places):
    run_id = a_run(app, people, club_id, capacity=3)
    group_id = first_group(app, run_id)
    response = submit(
        as_(app, "olivia"),
        f"/group-runs/{run_id}/groups/{group_id}/capacity",
        {"capacity": places},
        page="/dashboard",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Places: a whole number from 0 to 10,000, or empty for no limit." in text(response)
    with app.app_context():
        assert db.session.get(GroupRun, run_id).pace_groups[0].capacity == 3


def test_an_admin_sets_and_clears_a_capacity(app, people, club_id):
    run_id = a_run(app, people, club_id, capacity=3)
    group_id = first_group(app, run_id)
    olivia = as_(app, "olivia")
    url = f"/group-runs/{run_id}/groups/{group_id}/capacity"
    submit(olivia, url, {"capacity": "10000"}, page="/dashboard")
    with app.app_context():
        assert db.session.get(GroupRun, run_id).pace_groups[0].capacity == 10000
    submit(olivia, url, {"capacity": ""}, page="/dashboard")
    with app.app_context():
        assert db.session.get(GroupRun, run_id).pace_groups[0].capacity is None
