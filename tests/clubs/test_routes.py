"""Club pages and actions over HTTP: one test per access rule."""

import pytest

from community.clubs import services
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db, socketio
from tests.helpers import add_member, as_, make_club, make_runner, submit, text


@pytest.fixture
def runners(app):
    return {name: make_runner(app, name) for name in ("olivia", "adam", "mia", "ben")}


@pytest.fixture
def secret(app, runners):
    """A private club: olivia owns it, adam is an admin, mia a member, ben is outside."""
    club_id = make_club(
        app,
        runners["olivia"],
        slug="secret",
        name="Secret Striders",
        visibility="private",
        city="Leeds",
    )
    add_member(app, club_id, runners["adam"], "admin")
    add_member(app, club_id, runners["mia"])
    return club_id


def act(client, path):
    return submit(client, path, page="/dashboard")


def test_creating_a_club_through_the_form(app, runners):
    client = as_(app, "ben")
    response = submit(
        client,
        "/clubs/new",
        {
            "name": "Hill Hares",
            "slug": "hill-hares",
            "description": "Hills on Sundays",
            "city": "Sheffield",
            "timezone": "Europe/London",
            "visibility": "public",
        },
        page="/clubs/new",
    )
    assert response.headers["Location"] == "/clubs/hill-hares"
    page = text(client.get("/clubs/hill-hares"))
    assert "Hill Hares" in page
    assert "You are the owner" in page


def test_invalid_or_taken_slug_is_a_field_error(app, runners, secret):
    client = as_(app, "ben")
    form = {"name": "X", "city": "", "timezone": "UTC", "visibility": "public", "description": ""}
    bad = submit(client, "/clubs/new", {**form, "slug": "-bad-"}, page="/clubs/new")
    taken = submit(client, "/clubs/new", {**form, "slug": "Secret"}, page="/clubs/new")
    assert bad.status_code == taken.status_code == 400
    assert "Use 3 to 40 letters" in text(bad)
    assert "Another club already has this address." in text(taken)


def test_non_members_never_see_a_private_clubs_members(app, runners, secret):
    for client in (app.test_client(), as_(app, "ben")):
        page = text(client.get("/clubs/secret"))
        assert "This club is private" in page
        assert "Mia" not in page and "Adam" not in page


def test_members_see_the_private_clubs_members(app, runners, secret):
    page = text(as_(app, "mia").get("/clubs/secret"))
    assert "Adam" in page and "Olivia" in page


def test_anyone_sees_a_public_clubs_page_and_members(app, runners):
    make_club(app, runners["olivia"], slug="riverside", name="Riverside Runners")
    page = text(app.test_client().get("/clubs/riverside"))
    assert "Riverside Runners" in page
    assert "Olivia" in page


def test_private_clubs_are_found_by_name_only(app, runners, secret):
    make_club(app, runners["adam"], slug="leeds-lopers", name="Leeds Lopers", city="Leeds")
    client = app.test_client()
    listing = text(client.get("/clubs/"))
    by_city = text(client.get("/clubs/?q=leeds"))
    by_name = text(client.get("/clubs/?q=striders"))
    assert "Secret Striders" not in listing and "Leeds Lopers" in listing
    assert "Secret Striders" not in by_city and "Leeds Lopers" in by_city
    assert "Secret Striders" in by_name
    assert "Leeds" not in by_name.split("Secret Striders")[1].split("Page")[0]


def test_directory_shows_member_counts_and_pages(app, runners):
    for n in range(25):
        make_club(app, runners["olivia"], slug=f"club-{n:02d}", name=f"Club {n:02d}")
    client = app.test_client()
    first, second = text(client.get("/clubs/")), text(client.get("/clubs/?page=2"))
    assert "Page 1 of 2" in first and "1 member" in first
    assert "Club 24" in second


def test_a_member_cannot_open_the_manage_page_or_act_as_admin(app, runners, secret):
    mia = as_(app, "mia")
    assert mia.get("/clubs/secret/manage").status_code == 403
    assert act(mia, f"/clubs/secret/members/{runners['adam'].id}/remove").status_code == 403
    assert act(mia, "/clubs/secret/invites").status_code == 403
    assert act(mia, f"/clubs/secret/members/{runners['mia'].id}/promote").status_code == 403


def test_non_members_cannot_use_admin_actions(app, runners, secret):
    ben = as_(app, "ben")
    assert ben.get("/clubs/secret/manage").status_code == 403
    assert act(ben, f"/clubs/secret/members/{runners['mia'].id}/remove").status_code == 403


def test_an_admin_cannot_remove_the_owner(app, runners, secret):
    response = act(as_(app, "adam"), f"/clubs/secret/members/{runners['olivia'].id}/remove")
    assert response.status_code == 403


def test_only_the_owner_can_delete_the_club(app, runners, secret):
    adam = as_(app, "adam")
    assert (
        submit(adam, "/clubs/secret/delete", {"confirm": "secret"}, page="/dashboard").status_code
        == 403
    )
    olivia = as_(app, "olivia")
    wrong = submit(olivia, "/clubs/secret/delete", {"confirm": "nope"}, page="/dashboard")
    assert wrong.status_code == 400
    assert 'Type "secret" to confirm.' in text(wrong)
    done = submit(olivia, "/clubs/secret/delete", {"confirm": "secret"}, page="/dashboard")
    assert done.headers["Location"] == "/clubs/"
    assert olivia.get("/clubs/secret").status_code == 404


def test_a_removed_member_loses_access_at_once(app, runners, secret):
    mia = as_(app, "mia")
    assert "Adam" in text(mia.get("/clubs/secret"))
    act(as_(app, "adam"), f"/clubs/secret/members/{runners['mia'].id}/remove")
    assert "This club is private" in text(mia.get("/clubs/secret"))


def test_request_to_join_shows_its_state_and_admins_approve_it(app, runners, secret):
    ben = as_(app, "ben")
    submit(ben, "/clubs/secret/request", {"message": "Tuesday regular"}, page="/clubs/secret")
    assert "waiting for the club's admins" in text(ben.get("/clubs/secret"))
    adam = as_(app, "adam")
    manage = text(adam.get("/clubs/secret/manage"))
    assert "Tuesday regular" in manage
    with app.app_context():
        request_id = services.pending_request(secret, runners["ben"].id).id
    act(adam, f"/clubs/secret/requests/{request_id}/approve")
    assert "Mia" in text(ben.get("/clubs/secret"))


def test_invite_page_is_read_only_and_joining_needs_a_post(app, runners, secret):
    with app.app_context():
        club = db.session.get(Club, secret)
        token = services.create_invite(runners["olivia"], club).token
        db.session.commit()
    ben = as_(app, "ben")
    assert "You're invited to Secret Striders" in text(ben.get(f"/clubs/invite/{token}"))
    assert "This club is private" in text(ben.get("/clubs/secret"))
    joined = submit(ben, f"/clubs/invite/{token}", page="/dashboard")
    assert joined.headers["Location"] == "/clubs/secret"
    assert "Mia" in text(ben.get("/clubs/secret"))


def test_revoked_invite_link_is_refused(app, runners, secret):
    with app.app_context():
        club = db.session.get(Club, secret)
        invite = services.create_invite(runners["olivia"], club)
        services.revoke_invite(runners["olivia"], club, invite.id)
        db.session.commit()
        token = invite.token
    ben = as_(app, "ben")
    assert "expired or been revoked" in text(ben.get(f"/clubs/invite/{token}"))
    refused = submit(ben, f"/clubs/invite/{token}", page="/dashboard", follow_redirects=True)
    assert "expired or been revoked" in text(refused)
    assert "This club is private" in text(ben.get("/clubs/secret"))


def test_invite_form_refuses_bad_numbers(app, runners, secret):
    adam = as_(app, "adam")
    response = submit(
        adam, "/clubs/secret/invites", {"expires_in_days": "0", "max_uses": "-1"}, page="/dashboard"
    )
    assert response.status_code == 400
    assert "Between 1 and 365 days." in text(response)


def test_unknown_club_is_404(app):
    assert app.test_client().get("/clubs/nowhere").status_code == 404


def watch(app, client, club_id):
    socket = socketio.test_client(app, flask_test_client=client)
    return socket, socket.emit("club:watch", {"club_id": club_id}, callback=True)


def test_non_members_cannot_join_a_private_clubs_room(app, runners, secret):
    _, answer = watch(app, as_(app, "ben"), secret)
    assert answer == {"ok": False, "error": "Not allowed."}


def test_members_join_the_room_and_hear_of_new_members(app, runners, secret):
    mia_socket, answer = watch(app, as_(app, "mia"), secret)
    ben_socket, _ = watch(app, as_(app, "ben"), secret)
    assert answer == {"ok": True}
    with app.app_context():
        club = db.session.get(Club, secret)
        services.join_by_invite(
            runners["ben"], services.create_invite(runners["olivia"], club).token, now=utcnow()
        )
        db.session.commit()
    names = [event["name"] for event in mia_socket.get_received()]
    assert "club:members_changed" in names
    assert all(e["name"] != "club:members_changed" for e in ben_socket.get_received())


def test_a_removed_member_leaves_the_room_at_once(app, runners, secret):
    mia_socket, _ = watch(app, as_(app, "mia"), secret)
    act(as_(app, "adam"), f"/clubs/secret/members/{runners['mia'].id}/remove")
    assert [e["name"] for e in mia_socket.get_received()] == ["club:access_ended"]

    with app.app_context():
        club = db.session.get(Club, secret)
        services.join_by_invite(
            runners["ben"], services.create_invite(runners["olivia"], club).token, now=utcnow()
        )
        db.session.commit()
    assert mia_socket.get_received() == []


def test_a_declined_runner_sees_it_and_can_ask_again(app, runners, secret):
    ben = as_(app, "ben")
    submit(ben, "/clubs/secret/request", page="/clubs/secret")
    with app.app_context():
        request_id = services.pending_request(secret, runners["ben"].id).id
    act(as_(app, "adam"), f"/clubs/secret/requests/{request_id}/decline")
    page = text(ben.get("/clubs/secret"))
    assert "Your last request was declined" in page
    assert "Ask to join" in page


def test_the_club_page_opens_with_its_members_page_by_page_owner_then_admins_then_by_joining(
    app, runners, secret
):
    from community.clubs import queries

    for name in ("cleo", "dan"):
        add_member(app, secret, make_runner(app, name))
    with app.app_context():
        pages = [
            queries.club_head("secret", runners["mia"].id, page, per_page=2) for page in (1, 2, 3)
        ]
    listed = [[m.user.username for m in head.members.items] for head in pages]
    assert listed == [["olivia", "adam"], ["mia", "cleo"], ["dan"]]
    first = pages[0]
    assert (first.members.total, first.members.pages, first.membership.role) == (5, 3, "member")
    # Only a page that lists every member hands their ids on (to the club's feed).
    assert first.members.everyone is None
    with app.app_context():
        whole = queries.club_head("secret", None)
    assert whole.membership is None and not whole.visible
    assert len(set(whole.members.everyone)) == 5
