"""A club's image: its owner and admins upload it (a banner and a square), members and
visitors of a public club see it, a private club shows it to its members only."""

import re

import pytest
from sqlalchemy import func, select

from community.clubs.models import Club
from community.extensions import db
from community.images import processing
from community.images.models import StoredImage
from tests import pictures
from tests.helpers import (
    add_member,
    as_,
    make_club,
    make_runner,
    post_file,
    submit,
    text,
)


@pytest.fixture
def club(app):
    """Riverside, owned by olga; adam admins it, mia is a member, otto is in no club."""
    olga = make_runner(app, "olga")
    club_id = make_club(app, olga, "riverside", name="Riverside Runners")
    add_member(app, club_id, make_runner(app, "adam"), role="admin")
    add_member(app, club_id, make_runner(app, "mia"))
    make_runner(app, "otto")
    return club_id


def upload(client, data: bytes, filename: str = "banner.png", slug: str = "riverside"):
    return post_file(client, f"/clubs/{slug}/image", data, filename, page=f"/clubs/{slug}/manage")


def image_key(app, club_id: int) -> str | None:
    with app.app_context():
        return db.session.get(Club, club_id).image_key


def stored_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(StoredImage.id)))


def image_src(page: str, variant: str) -> str:
    match = re.search(rf'src="(/clubs/riverside/image/{variant}/[0-9a-f]+\.webp)"', page)
    assert match, f"no club image ({variant}) on the page"
    return match.group(1)


def make_private(app, club_id: int) -> None:
    with app.app_context():
        db.session.get(Club, club_id).visibility = "private"
        db.session.commit()


def test_an_admin_uploads_a_banner_and_a_square_shown_on_the_club_page(app, club):
    adam = as_(app, "adam")
    response = upload(adam, pictures.picture(2400, 1600))
    assert response.status_code == 302
    assert "The club's image is saved." in text(adam.get("/clubs/riverside/manage"))

    page = as_(app, "mia").get("/clubs/riverside").get_data(as_text=True)
    banner = as_(app, "mia").get(image_src(page, "banner"))
    assert banner.headers["Content-Type"] == "image/webp"
    assert pictures.opened(banner.data).size == (1200, 400)
    square = app.test_client().get(image_src(page, "sm"))
    assert pictures.opened(square.data).size == (128, 128)
    assert "immutable" in square.headers["Cache-Control"]


def test_the_directory_shows_each_clubs_square(app, club):
    upload(as_(app, "olga"), pictures.picture())
    directory = app.test_client().get("/clubs/").get_data(as_text=True)
    assert image_src(directory, "sm")


def test_a_member_who_is_no_admin_cannot_change_or_remove_the_image(app, club):
    upload(as_(app, "olga"), pictures.picture(colour=pictures.GREEN))
    before = image_key(app, club)
    mia = as_(app, "mia")
    assert upload(mia, pictures.picture(colour=pictures.BLUE)).status_code == 403
    assert submit(mia, "/clubs/riverside/image/remove", page="/dashboard").status_code == 403
    assert image_key(app, club) == before
    assert stored_count(app) == 2


def test_a_private_clubs_image_is_for_its_members_only(app, club):
    upload(as_(app, "olga"), pictures.picture())
    page = as_(app, "mia").get("/clubs/riverside").get_data(as_text=True)
    banner, square = image_src(page, "banner"), image_src(page, "sm")
    make_private(app, club)
    for src in (banner, square):
        assert as_(app, "mia").get(src).status_code == 200
        assert as_(app, "otto").get(src).status_code == 404
        assert app.test_client().get(src).status_code == 404
    # Outsiders who find it by name see its initials, not its image.
    found = as_(app, "otto").get("/clubs/?q=riverside").get_data(as_text=True)
    assert "Riverside Runners" in found and "/clubs/riverside/image/" not in found
    assert "/clubs/riverside/image/" not in as_(app, "otto").get("/clubs/riverside").text


def test_a_new_image_has_a_new_url(app, club):
    olga = as_(app, "olga")
    upload(olga, pictures.picture(colour=pictures.GREEN))
    first = image_src(olga.get("/clubs/riverside").get_data(as_text=True), "banner")
    upload(olga, pictures.picture(colour=pictures.BLUE))
    second = image_src(olga.get("/clubs/riverside").get_data(as_text=True), "banner")
    assert first != second
    assert olga.get(first).headers["Location"] == second


def test_removing_the_image_brings_back_the_clubs_initials(app, club):
    olga = as_(app, "olga")
    upload(olga, pictures.picture())
    src = image_src(olga.get("/clubs/riverside").get_data(as_text=True), "banner")
    response = submit(olga, "/clubs/riverside/image/remove", page="/clubs/riverside/manage")
    assert response.status_code == 302
    assert "The club's image is removed" in text(olga.get("/clubs/riverside/manage"))
    assert (image_key(app, club), stored_count(app)) == (None, 0)
    assert olga.get(src).status_code == 404
    page = olga.get("/clubs/riverside").get_data(as_text=True)
    assert re.search(r'class="avatar club-image avatar-md avatar-c\d" data-initials="RR"', page)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"GIF89a but not really", processing.NOT_A_PICTURE),
        (pictures.animated_gif()[:80], processing.DAMAGED),
        (pictures.SVG, processing.NOT_A_PICTURE),
        (pictures.png_declaring(30_000, 30_000), processing.TOO_MANY_PIXELS),
    ],
    ids=["fake-gif", "truncated-gif", "svg", "bomb"],
)
def test_a_bad_file_is_refused_on_the_manage_page_and_nothing_is_stored(app, club, data, reason):
    response = upload(as_(app, "adam"), data, "club.gif")
    assert response.status_code == 400
    assert reason in text(response)
    assert "Manage Riverside Runners" in text(response)
    assert (image_key(app, club), stored_count(app)) == (None, 0)


def test_deleting_the_club_deletes_its_image(app, club):
    olga = as_(app, "olga")
    upload(olga, pictures.picture())
    submit(
        olga, "/clubs/riverside/delete", {"confirm": "riverside"}, page="/clubs/riverside/manage"
    )
    assert stored_count(app) == 0
