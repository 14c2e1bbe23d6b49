"""A club's home location: set by its owner and admins in the club's settings, kept in range
by the form, the service and the database, and shown on the club page's map to those who
may see the club."""

import json
import re
from html import unescape

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from community.clubs import services
from community.clubs.models import Club
from community.extensions import db
from tests.helpers import add_member, as_, html, make_club, make_runner, submit, text

DETAILS = {
    "name": "Secret Striders",
    "description": "",
    "city": "Leeds",
    "timezone": "Europe/London",
    "visibility": "private",
}


@pytest.fixture
def runners(app):
    return {name: make_runner(app, name) for name in ("olivia", "adam", "mia", "ben")}


@pytest.fixture
def secret(app, runners):
    """A private club: olivia owns it, adam is an admin, mia a member, ben is outside."""
    club_id = make_club(
        app, runners["olivia"], slug="secret", **{**DETAILS, "visibility": "private"}
    )
    add_member(app, club_id, runners["adam"], "admin")
    add_member(app, club_id, runners["mia"])
    return club_id


def save_details(client, **home: str):
    return submit(client, "/clubs/secret/manage", {**DETAILS, **home}, page="/clubs/secret/manage")


def home_of(app, club_id: int) -> tuple[float | None, float | None]:
    with app.app_context():
        club = db.session.get(Club, club_id)
        return club.latitude, club.longitude


def map_data(page: str) -> dict | None:
    found = re.search(r"data-map='([^']*)'", page)
    return json.loads(unescape(found.group(1))) if found else None


def test_an_admin_sets_the_home_location_and_members_see_it_on_the_club_map(app, runners, secret):
    response = save_details(as_(app, "adam"), latitude="53.8008", longitude="-1.5491")
    assert response.status_code == 302
    assert home_of(app, secret) == (53.8008, -1.5491)
    page = html(as_(app, "mia").get("/clubs/secret"))
    assert map_data(page) == {
        "route": [],
        "markers": [{"lat": 53.8008, "lon": -1.5491, "kind": "home", "label": "Secret Striders"}],
    }
    assert 'aria-label="Map of Secret Striders&#39;s home area"' in page
    assert 'href="geo:53.8008,-1.5491?q=53.8008,-1.5491(Secret%20Striders)"' in page


def test_the_settings_form_shows_the_home_location_saved(app, runners, secret):
    save_details(as_(app, "olivia"), latitude="53.8008", longitude="-1.5491")
    page = html(as_(app, "olivia").get("/clubs/secret/manage"))
    assert 'value="53.800800"' in page
    assert 'value="-1.549100"' in page


@pytest.mark.parametrize(
    ("home", "field", "message"),
    [
        ({"latitude": "91", "longitude": "0"}, "latitude", "Between -90 and 90."),
        ({"latitude": "0", "longitude": "-180.5"}, "longitude", "Between -180 and 180."),
        ({"latitude": "north", "longitude": "0"}, "latitude", "Not a valid decimal value."),
        ({"latitude": "NaN", "longitude": "0"}, "latitude", "Enter a number."),
        ({"latitude": "53.8", "longitude": ""}, "longitude", "Give both latitude and longitude"),
    ],
)
def test_a_bad_home_location_is_a_field_error_and_nothing_is_saved(
    app, runners, secret, home, field, message
):
    response = save_details(as_(app, "olivia"), **{**home, "city": "Elsewhere"})
    assert response.status_code == 400
    page = html(response)
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert error is not None, f"no error on {field}"
    assert message in unescape(error.group(1))
    assert home_of(app, secret) == (None, None)
    with app.app_context():
        assert db.session.get(Club, secret).city == "Leeds"


def test_emptying_both_fields_removes_the_home_and_the_map(app, runners, secret):
    olivia = as_(app, "olivia")
    save_details(olivia, latitude="53.8008", longitude="-1.5491")
    save_details(olivia, latitude="", longitude="")
    assert home_of(app, secret) == (None, None)
    page = html(olivia.get("/clubs/secret"))
    assert map_data(page) is None
    assert "leaflet" not in page


def test_a_member_cannot_set_the_home_location(app, runners, secret):
    response = save_details(as_(app, "mia"), latitude="53.8008", longitude="-1.5491")
    assert response.status_code == 403
    assert home_of(app, secret) == (None, None)


def test_a_private_clubs_home_reaches_no_outsider(app, runners, secret):
    save_details(as_(app, "olivia"), latitude="53.8008", longitude="-1.5491")
    for client in (as_(app, "ben"), app.test_client()):
        response = client.get("/clubs/secret")
        assert "This club is private" in text(response)
        assert "53.8008" not in html(response)


def test_the_service_refuses_half_a_home(app, runners, secret, ctx):
    club = db.session.get(Club, secret)
    with pytest.raises(services.ClubError, match="both latitude and longitude") as refused:
        services.update_club(runners["olivia"], club, **DETAILS, latitude=53.8)
    assert refused.value.field == "longitude"


@pytest.mark.parametrize(
    "home",
    [
        {"latitude": 90.5, "longitude": 0.0},
        {"latitude": 0.0, "longitude": 181.0},
        {"latitude": 1.0},
    ],
)
def test_the_database_refuses_a_home_out_of_range_or_half_given(app, runners, secret, ctx, home):
    with pytest.raises(IntegrityError):
        db.session.execute(update(Club).where(Club.id == secret).values(**home))
    db.session.rollback()
