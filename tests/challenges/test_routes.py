"""Challenge pages, actions and rooms over HTTP and Socket.IO: one test per access rule."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.challenges.models import Challenge, ChallengeEntry
from community.extensions import db, socketio
from tests.challenges.conftest import ZONE, act, entries, hide_from_every_board, log_km
from tests.helpers import add_member, as_, html, submit, text


def test_a_private_clubs_challenge_is_not_found_for_non_members(app, runners, secret):
    assert as_(app, "ben").get(f"/challenges/{secret}").status_code == 404


def test_a_private_clubs_challenge_is_not_found_for_visitors(app, runners, secret):
    assert app.test_client().get(f"/challenges/{secret}").status_code == 404


def test_a_private_clubs_board_fragment_is_not_found_for_non_members(app, runners, secret):
    assert as_(app, "ben").get(f"/challenges/{secret}?fragment=board").status_code == 404


def test_members_see_a_private_clubs_challenge_and_board(app, runners, secret):
    act(as_(app, "mia"), f"/challenges/{secret}/join")
    page = text(as_(app, "mia").get(f"/challenges/{secret}"))
    assert "secret km" in page
    assert "Mia" in page


def test_the_directory_lists_a_private_clubs_challenges_to_members_only(app, runners, secret):
    assert "secret km" not in text(as_(app, "ben").get("/challenges/"))
    assert "secret km" in text(as_(app, "mia").get("/challenges/"))


def test_non_members_cannot_join_a_club_challenge(app, runners, open_club):
    response = act(as_(app, "ben"), f"/challenges/{open_club}/join")
    assert response.status_code == 403
    assert entries(app, open_club) == 0


def test_visitors_see_a_public_clubs_challenge_but_must_log_in_to_join(app, runners, open_club):
    assert "Log in to join" in text(app.test_client().get(f"/challenges/{open_club}"))


def test_joining_needs_the_forms_token(app, runners, open_club):
    client = as_(app, "mia")
    assert client.post(f"/challenges/{open_club}/join").status_code == 400
    assert entries(app, open_club) == 0


def test_members_join_and_leave(app, runners, open_club):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{open_club}/join")
    assert entries(app, open_club) == 1
    act(mia, f"/challenges/{open_club}/leave")
    assert entries(app, open_club) == 0


def test_only_club_admins_open_the_new_club_challenge_form(app, runners, secret):
    assert as_(app, "mia").get("/challenges/new?club=secret").status_code == 403
    assert as_(app, "adam").get("/challenges/new?club=secret").status_code == 200


def test_only_site_admins_create_challenges_open_to_everyone(app, runners):
    assert as_(app, "ben").get("/challenges/new").status_code == 403
    assert as_(app, "sue").get("/challenges/new").status_code == 200


def form_data(**changes: str) -> dict[str, str]:
    today = datetime.now(ZONE).date()
    data = {
        "title": "Run 50 km",
        "kind": "distance",
        "goal": "50",
        "effort_label": "5 km",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=20)).isoformat(),
        "timezone": "Europe/London",
        "grace_days": "3",
        "freeze_hours": "0",
    }
    return {**data, **changes}


def test_an_admin_creates_a_club_challenge_through_the_form(app, runners, secret):
    client = as_(app, "adam")
    response = submit(
        client, "/challenges/new?club=secret", form_data(), page="/challenges/new?club=secret"
    )
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Run 50 km" in page
    assert "Reach 50.00 km to complete it" in page
    assert "Days are counted in Europe/London" in page


def test_a_form_with_the_last_day_before_the_first_is_refused_and_changes_nothing(
    app, runners, secret
):
    today = datetime.now(ZONE).date()
    client = as_(app, "adam")
    response = submit(
        client,
        "/challenges/new?club=secret",
        form_data(ends_on=(today - timedelta(days=1)).isoformat()),
        page="/challenges/new?club=secret",
    )
    assert response.status_code == 400
    assert "The last day can't be before the first." in text(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Challenge)) == 1


def test_a_streak_needs_its_runs_a_week(app, runners, secret):
    response = submit(
        as_(app, "adam"),
        "/challenges/new?club=secret",
        form_data(kind="streak", goal="4"),
        page="/challenges/new?club=secret",
    )
    assert response.status_code == 400
    assert "Runs a week: 1 to 14." in text(response)


def test_a_goal_that_is_not_a_number_is_refused(app, runners, secret):
    response = submit(
        as_(app, "adam"),
        "/challenges/new?club=secret",
        form_data(goal="lots"),
        page="/challenges/new?club=secret",
    )
    assert response.status_code == 400
    assert "Enter a number." in text(response)


def test_the_goal_is_read_in_the_creators_units(app, runners, secret):
    with app.app_context():
        db.session.get(User, runners["adam"].id).units = "mi"
        db.session.commit()
    submit(
        as_(app, "adam"), "/challenges/new?club=secret", form_data(goal="26.2"), page="/dashboard"
    )
    with app.app_context():
        made = db.session.scalar(select(Challenge).where(Challenge.title == "Run 50 km"))
        assert made.goal == pytest.approx(42_164.8, abs=0.1)


def test_only_club_admins_switch_the_monthly_challenge(app, runners, secret):
    response = act(
        as_(app, "mia"), "/challenges/clubs/secret/monthly", {"active": "y", "goal": "80"}
    )
    assert response.status_code == 403
    act(as_(app, "adam"), "/challenges/clubs/secret/monthly", {"active": "y", "goal": "80"})
    with app.app_context():
        monthly = db.session.scalar(select(Challenge).where(Challenge.monthly_key.like("club:%")))
        assert monthly is not None
        assert monthly.goal == 80_000


def test_the_sites_monthly_challenge_is_made_once_by_the_first_visit(app, runners):
    client = app.test_client()
    client.get("/challenges/")
    client.get("/challenges/")
    with app.app_context():
        keys = db.session.scalars(select(Challenge.monthly_key)).all()
    assert keys == [f"site:{datetime.now(UTC):%Y-%m}"]


def test_a_hidden_runner_is_off_others_boards_but_sees_their_own_total(app, runners, open_club):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{open_club}/join")
    act(mia, f"/challenges/{open_club}/visibility", {"hidden": "1"})
    log_km(app, "mia", 12)
    assert "Mia" not in text(as_(app, "olivia").get(f"/challenges/{open_club}"))
    own = text(mia.get(f"/challenges/{open_club}"))
    assert "12.00 km" in own
    assert "You are hidden from the public board" in own


def test_the_privacy_setting_hides_a_runner_from_every_running_board(app, runners, open_club):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{open_club}/join")
    hide_from_every_board(mia)
    with app.app_context():
        assert db.session.scalar(select(ChallengeEntry.hidden)) is True


def test_leaving_the_club_leaves_its_running_challenges(app, runners, open_club):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{open_club}/join")
    submit(mia, "/clubs/riverside/leave", page="/clubs/riverside")
    assert entries(app, open_club) == 0


def test_a_completed_challenge_is_a_badge_on_the_profile(app, runners, open_club):
    act(as_(app, "mia"), f"/challenges/{open_club}/join")
    log_km(app, "mia", 100)
    page = text(app.test_client().get("/u/mia"))
    assert "Badges" in page
    assert "riverside km" in page


def test_a_private_clubs_badge_is_not_shown_to_non_members(app, runners, secret):
    act(as_(app, "mia"), f"/challenges/{secret}/join")
    log_km(app, "mia", 100)
    assert "secret km" not in text(as_(app, "ben").get("/u/mia"))
    assert "secret km" in text(as_(app, "adam").get("/u/mia"))


def test_completing_a_challenge_notifies_the_runner(app, runners, open_club):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{open_club}/join")
    log_km(app, "mia", 100)
    assert "You completed riverside km. Well run!" in text(mia.get("/notifications/"))


def test_an_unknown_challenge_is_404(app):
    assert app.test_client().get("/challenges/999").status_code == 404


def watch(app, client, challenge_id):
    socket = socketio.test_client(app, flask_test_client=client)
    return socket, socket.emit("challenge:watch", {"challenge_id": challenge_id}, callback=True)


def test_non_members_cannot_join_a_private_challenges_room(app, runners, secret):
    _, answer = watch(app, as_(app, "ben"), secret)
    assert answer == {"ok": False, "error": "Not allowed."}


def test_a_room_name_that_is_not_a_challenge_is_refused(app, runners):
    _, answer = watch(app, as_(app, "ben"), "1; DROP TABLE")
    assert answer == {"ok": False, "error": "Not allowed."}


def test_watchers_hear_only_the_entrant_that_changed(app, runners, secret):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{secret}/join")
    adam_socket, answer = watch(app, as_(app, "adam"), secret)
    ben_socket, _ = watch(app, as_(app, "ben"), secret)
    assert answer["ok"] is True
    log_km(app, "mia", 7)
    standings = [e for e in adam_socket.get_received() if e["name"] == "challenge:standing"]
    assert len(standings) == 1
    payload = standings[0]["args"][0]
    assert (payload["username"], payload["total"]) == ("mia", 7000.0)
    assert all(e["name"] != "challenge:standing" for e in ben_socket.get_received())


def test_a_hidden_runners_changes_are_not_sent_to_the_board(app, runners, secret):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{secret}/join")
    act(mia, f"/challenges/{secret}/visibility", {"hidden": "1"})
    adam_socket, _ = watch(app, as_(app, "adam"), secret)
    log_km(app, "mia", 7)
    assert all(e["name"] != "challenge:standing" for e in adam_socket.get_received())


def test_a_removed_member_stops_hearing_the_clubs_challenge(app, runners, secret):
    act(as_(app, "mia"), f"/challenges/{secret}/join")
    mia_socket, _ = watch(app, as_(app, "mia"), secret)
    with app.app_context():
        club_id = db.session.get(Challenge, secret).club_id
    act(as_(app, "adam"), f"/clubs/secret/members/{runners['mia'].id}/remove")
    mia_socket.get_received()
    add_member(app, club_id, runners["ben"])
    act(as_(app, "ben"), f"/challenges/{secret}/join")
    log_km(app, "ben", 5)
    assert all(e["name"] != "challenge:standing" for e in mia_socket.get_received())


def test_a_runner_who_joins_without_runs_is_sent_to_open_boards(app, runners, secret):
    adam_socket, _ = watch(app, as_(app, "adam"), secret)
    act(as_(app, "mia"), f"/challenges/{secret}/join")
    sent = [e["args"][0] for e in adam_socket.get_received() if e["name"] == "challenge:standing"]
    assert [(p["username"], p["total"]) for p in sent] == [("mia", 0.0)]


def test_hiding_or_leaving_takes_the_row_off_open_boards(app, runners, secret):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{secret}/join")
    adam_socket, _ = watch(app, as_(app, "adam"), secret)
    act(mia, f"/challenges/{secret}/visibility", {"hidden": "1"})
    act(mia, f"/challenges/{secret}/visibility", {"hidden": "0"})
    act(mia, f"/challenges/{secret}/leave")
    names = [e["name"] for e in adam_socket.get_received()]
    assert names == ["challenge:gone", "challenge:standing", "challenge:gone"]


def sent(socket, name: str = "challenge:standing") -> list[dict]:
    return [e["args"][0] for e in socket.get_received() if e["name"] == name]


def board_version(app, challenge_id: int) -> int:
    with app.app_context():
        return db.session.get(Challenge, challenge_id).board_version


def test_a_standing_tells_open_boards_where_the_row_stood_and_the_boards_version(
    app, runners, secret
):
    adam_socket, answer = watch(app, as_(app, "adam"), secret)
    assert answer == {"ok": True, "version": board_version(app, secret)}
    act(as_(app, "mia"), f"/challenges/{secret}/join")
    (joined,) = sent(adam_socket)
    log_km(app, "mia", 7)

    (ran,) = sent(adam_socket)
    # Joining, Mia was on no board; her run moved her from 0 m, reached when she joined.
    assert (joined["score"], joined["was"], joined["hidden"]) == (0.0, None, False)
    assert ran["was"] == {"score": 0.0, "reached_at": joined["reached_at"]}
    assert ran["score"] == 7000.0
    # Each change moves the board's version; a page read after it shows that version.
    assert answer["version"] < joined["version"] < ran["version"] == board_version(app, secret)
    page = as_(app, "adam").get(f"/challenges/{secret}?fragment=board")
    assert f'data-version="{ran["version"]}"' in html(page)


def test_hiding_showing_and_leaving_tell_open_boards_where_the_row_stood(app, runners, secret):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{secret}/join")
    log_km(app, "mia", 7)
    adam_socket, _ = watch(app, as_(app, "adam"), secret)
    act(mia, f"/challenges/{secret}/visibility", {"hidden": "1"})
    act(mia, f"/challenges/{secret}/visibility", {"hidden": "0"})
    act(mia, f"/challenges/{secret}/leave")

    events = [(e["name"], e["args"][0]) for e in adam_socket.get_received()]
    (_, hid), (_, shown), (_, left) = events
    where = {"score": 7000.0, "reached_at": shown["reached_at"]}
    assert (hid["was"], hid["user_id"]) == (where, runners["mia"].id)
    assert (shown["was"], shown["score"]) == (None, 7000.0)  # hidden, she was on no board
    assert left["was"] == where
    assert hid["version"] < shown["version"] < left["version"]


def test_the_privacy_setting_takes_the_row_off_open_boards(app, runners, secret, open_club):
    mia = as_(app, "mia")
    for board in (secret, open_club):
        act(mia, f"/challenges/{board}/join")
    log_km(app, "mia", 7)
    on_secret, _ = watch(app, as_(app, "adam"), secret)
    on_open, _ = watch(app, as_(app, "olivia"), open_club)

    hide_from_every_board(mia)

    for socket in (on_secret, on_open):
        ((gone, was),) = [(e["name"], e["args"][0]["was"]) for e in socket.get_received()]
        assert (gone, was["score"]) == ("challenge:gone", 7000.0)


def test_a_hidden_runners_own_pages_hear_their_standing_marked_hidden(app, runners, secret):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{secret}/join")
    act(mia, f"/challenges/{secret}/visibility", {"hidden": "1"})
    mia_socket, _ = watch(app, mia, secret)
    log_km(app, "mia", 7)
    # Her own room only: her open board must not draw her row.
    assert [(p["total"], p["hidden"], p["was"]) for p in sent(mia_socket)] == [(7000.0, True, None)]


def test_the_board_read_again_by_an_open_page_brings_the_viewers_own_standing(app, runners, secret):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{secret}/join")
    log_km(app, "mia", 7)
    fragment = mia.get(f"/challenges/{secret}?fragment=board")
    assert 'id="my-standing"' in html(fragment) and 'id="board"' in html(fragment)
    assert "Your rank 1" in text(fragment)


def test_the_club_room_cheers_when_a_member_completes_its_challenge(app, runners, open_club):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{open_club}/join")
    with app.app_context():
        club_id = db.session.get(Challenge, open_club).club_id
    olivia = socketio.test_client(app, flask_test_client=as_(app, "olivia"))
    olivia.emit("club:watch", {"club_id": club_id}, callback=True)
    log_km(app, "mia", 100)
    cheers = [e["args"][0] for e in olivia.get_received() if e["name"] == "challenge:completed"]
    assert [(c["display_name"], c["title"]) for c in cheers] == [("Mia", "riverside km")]


def test_the_dashboard_lists_my_running_challenges_with_progress(app, runners, open_club):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{open_club}/join")
    log_km(app, "mia", 25)
    page = text(mia.get("/dashboard"))
    assert "Your challenges" in page
    assert "riverside km 25.00 km of 100.00 km" in page


def test_a_deleted_account_leaves_every_board(app, runners, open_club):
    mia = as_(app, "mia")
    act(mia, f"/challenges/{open_club}/join")
    log_km(app, "mia", 12)
    submit(
        mia,
        "/settings/delete",
        {"password": "correct horse battery", "confirm": "delete my account"},
        page="/settings",
    )
    assert entries(app, open_club) == 0
    with app.app_context():
        assert db.session.get(Challenge, open_club).entrants == 0
