"""Avatars: a runner's photo, checked by its content, cleaned, cropped and served; their
initials on a colour without one."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from community.accounts import avatars, blocks
from community.accounts.models import User
from community.challenges import services as challenges
from community.challenges import tally
from community.challenges.models import ChallengeEntry
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from community.group_runs import scheduling
from community.group_runs import services as group_runs
from community.group_runs.models import RsvpStatus
from community.images import processing
from community.images.models import StoredImage
from tests import pictures
from tests.challenges.builders import challenge
from tests.helpers import (
    PASSWORD,
    add_member,
    as_,
    at_once,
    make_club,
    make_runner,
    post_file,
    submit,
    text,
    url_rules,
)


def upload(client, data: bytes, filename: str = "me.png"):
    return post_file(client, "/settings/avatar", data, filename, page="/settings")


def key_of(app, username: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.avatar_key).where(User.username == username))


def stored_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(StoredImage.id)))


def avatar_src(page: str, size: str = "lg") -> str:
    match = re.search(rf'src="(/avatars/\d+/{size}/[0-9a-f]+\.webp)"', page)
    assert match, "no avatar picture on the page"
    return match.group(1)


@pytest.fixture
def ana(app):
    return make_runner(app, "ana", display_name="Ana Moreno")


def test_uploaded_photo_is_a_256_pixel_square_webp_on_the_profile(app, ana):
    client = as_(app, "ana")
    response = upload(client, pictures.picture(640, 480))
    assert response.status_code == 302
    assert "Your new photo is saved." in text(client.get("/settings"))

    src = avatar_src(client.get("/u/ana").get_data(as_text=True), "lg")
    served = client.get(src)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in served.headers["Cache-Control"]
    assert "private" in served.headers["Cache-Control"]
    image = pictures.opened(served.data)
    assert (image.format, image.size) == ("WEBP", (256, 256))
    small = pictures.opened(client.get(src.replace("/lg/", "/sm/")).data)
    assert small.size == (64, 64)


def test_the_same_photo_is_not_sent_again_to_a_browser_that_has_it(app, ana):
    client = as_(app, "ana")
    upload(client, pictures.picture())
    src = avatar_src(client.get("/u/ana").get_data(as_text=True))
    etag = client.get(src).headers["ETag"]
    assert client.get(src, headers={"If-None-Match": etag}).status_code == 304


def test_gps_camera_and_comments_are_gone_from_an_uploaded_jpeg(app, ana):
    original = pictures.jpeg_with_gps()
    assert pictures.opened(original).getexif().get_ifd(0x8825)  # the test photo has GPS
    client = as_(app, "ana")
    assert upload(client, original, "holiday.jpg").status_code == 302

    with app.app_context():
        kept = db.session.scalars(select(StoredImage.data)).all()
    assert len(kept) == 2
    for data in kept:
        image = pictures.opened(data)
        assert not image.getexif()
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)
        assert b"Exif" not in data and b"PhoneMaker" not in data and b"home sweet" not in data


def test_a_sideways_phone_photo_is_turned_upright(app, ana):
    client = as_(app, "ana")
    upload(client, pictures.sideways_jpeg(), "sideways.jpg")
    with app.app_context():
        data = db.session.scalar(select(StoredImage.data).where(StoredImage.variant == "lg"))
    image = pictures.opened(data).convert("RGB")
    left, right = image.getpixel((20, 128)), image.getpixel((236, 128))
    assert left[2] > 150 and left[0] < 100  # blue on the left
    assert right[0] > 150 and right[2] < 100  # red on the right


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_photo_with_a_colour_profile_keeps_its_colours_once_the_profile_is_gone(app, ana, fmt):
    # Its pixels say red, its profile says they are blue: what is kept is blue, in sRGB.
    upload(as_(app, "ana"), pictures.red_with_swapped_profile(fmt), f"me.{fmt.lower()}")
    with app.app_context():
        data = db.session.scalar(select(StoredImage.data).where(StoredImage.variant == "lg"))
    image = pictures.opened(data)
    assert "icc_profile" not in image.info
    red, _green, blue = image.convert("RGB").getpixel((128, 128))
    assert blue > 200 and red < 60


def test_a_photo_whose_profile_does_not_parse_is_kept_as_its_pixels_say(app, ana):
    buffer = BytesIO()
    pictures.opened(pictures.picture(fmt="PNG")).save(buffer, "PNG", icc_profile=b"not a profile")
    assert upload(as_(app, "ana"), buffer.getvalue()).status_code == 302
    assert key_of(app, "ana") is not None


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (pictures.picture(fmt="WEBP"), "me.webp"),
        (pictures.picture(fmt="JPEG"), "me.jpeg"),
        (pictures.animated_gif(), "me.gif"),
    ],
)
def test_jpeg_webp_and_gif_are_taken_too(app, ana, data, filename):
    client = as_(app, "ana")
    assert upload(client, data, filename).status_code == 302
    assert key_of(app, "ana") is not None


def test_a_gif_shows_its_first_frame(app, ana):
    client = as_(app, "ana")
    upload(client, pictures.animated_gif(), "wave.gif")
    with app.app_context():
        data = db.session.scalar(select(StoredImage.data).where(StoredImage.variant == "lg"))
    red, _, blue = pictures.opened(data).convert("RGB").getpixel((128, 128))
    assert blue > 150 and red < 100


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"just some words, not a picture\n" * 10, "notes.png", processing.NOT_A_PICTURE),
        (pictures.picture(fmt="PNG")[:-400], "cut.png", processing.DAMAGED),
        (pictures.picture(fmt="JPEG")[:600], "cut.jpg", processing.DAMAGED),
        (pictures.png_declaring(30_000, 30_000), "bomb.png", processing.TOO_MANY_PIXELS),
        (pictures.png_declaring(8_000, 7_000), "big.png", processing.TOO_MANY_PIXELS),
        (pictures.SVG, "drawing.svg", processing.NOT_A_PICTURE),
        (pictures.SVG, "drawing.png", processing.NOT_A_PICTURE),
        (b"", "empty.png", processing.EMPTY),
        (b"\x89PNG" + b"\0" * processing.MAX_BYTES, "huge.png", processing.TOO_MANY_BYTES),
    ],
    ids=[
        "text",
        "truncated-png",
        "truncated-jpeg",
        "bomb",
        "over-50-mp",
        "svg",
        "svg-as-png",
        "empty",
        "over-5-mb",
    ],
)
def test_what_is_no_picture_we_keep_is_refused_on_the_field_and_nothing_is_stored(
    app, ana, data, filename, reason
):
    client = as_(app, "ana")
    response = upload(client, data, filename)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="photo-error">[^<]*' + re.escape(reason.replace("'", "&#39;")), page)
    assert key_of(app, "ana") is None
    assert stored_count(app) == 0


def test_a_request_far_past_the_limit_is_refused_before_it_is_read(app, ana):
    client = as_(app, "ana")
    response = upload(client, b"\0" * (8 * 1024 * 1024), "huge.png")
    assert response.status_code == 413
    assert "send at most 5 MB" in text(response)
    assert key_of(app, "ana") is None


def test_a_new_photo_has_a_new_url_and_the_old_one_leads_to_it(app, ana):
    client = as_(app, "ana")
    upload(client, pictures.picture(colour=pictures.GREEN))
    first = avatar_src(client.get("/u/ana").get_data(as_text=True))
    upload(client, pictures.picture(colour=pictures.BLUE))
    second = avatar_src(client.get("/u/ana").get_data(as_text=True))
    assert first != second
    moved = client.get(first)
    assert (moved.status_code, moved.headers["Location"]) == (302, second)
    assert "immutable" not in moved.headers.get("Cache-Control", "")
    assert stored_count(app) == 2  # the new one's two sizes only


def test_removing_the_photo_brings_back_the_initials(app, ana):
    client = as_(app, "ana")
    upload(client, pictures.picture())
    src = avatar_src(client.get("/u/ana").get_data(as_text=True))
    response = submit(client, "/settings/avatar/remove", page="/settings")
    assert response.status_code == 302
    assert "Your photo is removed" in text(client.get("/settings"))
    assert key_of(app, "ana") is None
    assert stored_count(app) == 0
    assert client.get(src).status_code == 404
    profile = client.get("/u/ana").get_data(as_text=True)
    assert "/avatars/" not in profile
    assert re.search(
        r'class="avatar avatar-lg avatar-c\d" data-initials="AM"[^>]*></span>', profile
    )


def test_initials_are_the_first_letters_of_the_first_and_last_names():
    assert avatars.initials("Ana Moreno") == "AM"
    assert avatars.initials("chloé van der Berg") == "CB"
    assert avatars.initials("Dev") == "D"
    assert avatars.initials("  ") == "?"


def test_no_route_writes_an_avatar_by_a_runners_id(app):
    writes = [rule for method, rule in url_rules(app) if method == "POST" and "avatar" in rule]
    assert writes == ["/settings/avatar", "/settings/avatar/remove"]


def test_another_runners_upload_changes_only_their_own_avatar(app, ana):
    make_runner(app, "ben")
    upload(as_(app, "ana"), pictures.picture(colour=pictures.GREEN))
    before = key_of(app, "ana")
    ben = as_(app, "ben")
    upload(ben, pictures.picture(colour=pictures.BLUE))
    submit(ben, "/settings/avatar/remove", page="/settings")
    assert key_of(app, "ana") == before
    assert key_of(app, "ben") is None


def test_a_runner_who_blocked_you_shows_you_no_photo_as_they_show_you_no_profile(app, ana):
    blake = make_runner(app, "blake")
    client = as_(app, "ana")
    upload(client, pictures.picture())
    src = avatar_src(client.get("/u/ana").get_data(as_text=True))
    with app.app_context():
        blocks.block(db.session.get(User, ana.id), db.session.get(User, blake.id), now=utcnow())
        db.session.commit()
    assert as_(app, "blake").get(src).status_code == 404
    assert app.test_client().get(src).status_code == 200  # a visitor sees the profile too


def test_deleting_the_account_deletes_the_photo(app, ana):
    client = as_(app, "ana")
    upload(client, pictures.picture())
    submit(
        client,
        "/settings/delete",
        {"password": PASSWORD, "confirm": "delete my account"},
        page="/settings",
    )
    assert stored_count(app) == 0


def test_two_uploads_at_once_leave_one_photo_whole(app, ana):
    data = pictures.picture()

    def set_it() -> None:
        avatars.set_avatar(db.session.get(User, ana.id), BytesIO(data))

    _, errors = at_once(app, set_it, 2)
    assert errors == []
    with app.app_context():
        variants = db.session.scalars(select(StoredImage.variant).order_by("variant")).all()
    assert variants == ["lg", "sm"]
    assert key_of(app, "ana") is not None


def test_faces_show_in_the_header_the_club_roster_the_going_list_and_the_waitlist(app, ana):
    ben = make_runner(app, "ben", display_name="Ben Okafor")
    club_id = make_club(app, ben, "riverside")
    add_member(app, club_id, ana)
    client = as_(app, "ana")
    upload(client, pictures.picture())
    with app.app_context():
        run = scheduling.schedule_run(
            db.session.get(User, ben.id),
            db.session.get(Club, club_id),
            title="Tuesday tempo",
            starts_at=utcnow() + timedelta(days=2),
            meeting_point="Bandstand",
            now=utcnow(),
            capacity=1,
        )
        group_runs.rsvp(db.session.get(User, ben.id), run, RsvpStatus.GOING, now=utcnow())
        group_runs.rsvp(db.session.get(User, ana.id), run, RsvpStatus.GOING, now=utcnow())
        db.session.commit()
        run_id = run.id
    as_ben = as_(app, "ben")
    header = client.get("/dashboard").get_data(as_text=True)
    assert re.search(
        r'<summary><span class="avatar[^>]*data-initials="AM"[^>]*><img src="/av', header
    )
    roster = as_ben.get("/clubs/riverside").get_data(as_text=True)
    assert avatar_src(roster, "sm")
    assert re.search(r'avatar-c\d" data-initials="BO" aria-hidden="true"></span>', roster)
    going = as_ben.get(f"/group-runs/{run_id}").get_data(as_text=True)
    going_list, waitlist = going.split('class="waitlist"')
    assert 'data-initials="BO" aria-hidden="true"></span><span>Ben Okafor' in going_list
    assert avatar_src(waitlist, "sm")  # ana waits for ben's one place


def test_board_rows_and_their_live_events_carry_the_runners_face(app, ana):
    client = as_(app, "ana")
    upload(client, pictures.picture())
    with app.app_context():
        user = db.session.get(User, ana.id)
        user.is_site_admin = True
        today = utcnow().date()
        contest = challenge(
            user, None, starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=20)
        )
        challenges.join(user, contest, now=utcnow())
        db.session.commit()
        contest_id = contest.id
        entry = db.session.scalar(select(ChallengeEntry))
        payload = tally.standing_payload(entry, contest, was=None)
        assert (payload["initials"], payload["avatar_key"]) == ("AM", user.avatar_key)
    board = client.get(f"/challenges/{contest_id}").get_data(as_text=True)
    assert avatar_src(board, "sm")
