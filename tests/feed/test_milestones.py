"""More to cheer: route pictures, personal bests, group runs run together, and club posts."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.accounts import blocks
from community.accounts.models import User
from community.activities import imports
from community.activities import services as runs
from community.activities.models import Run
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db, socketio
from community.feed import posts, queries
from community.feed.models import FeedItem, ItemKind
from community.feed.services import FeedError, NotAllowed, NotFound
from community.group_runs import attendance, scheduling
from community.group_runs.models import GroupRun
from tests.activities.trackfiles import gpx_bytes, make_points
from tests.helpers import add_member, as_, make_club, make_runner, submit, text

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def club_id(app):
    """Riverside: Olivia owns it, Ana runs in it; Dan is outside."""
    people = {name: make_runner(app, name) for name in ("olivia", "ana", "dan")}
    club_id = make_club(app, people["olivia"], "riverside")
    add_member(app, club_id, people["ana"])
    return club_id


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def upload(name: str, *, start: datetime, pace_s_per_km: float, km: float = 5.0, at=(51.5, -0.12)):
    """A GPS run at an even pace: `km` long, 10 m a point."""
    step_s = pace_s_per_km / 100
    points = make_points(
        int(km * 100) + 1, start=start, step_s=step_s, step_m=10.0, lat=at[0], lon=at[1]
    )
    return imports.import_file(user(name), f"{start:%H%M%S}.gpx", gpx_bytes(points), now=NOW)


def items(kind: ItemKind) -> list[FeedItem]:
    return list(
        db.session.scalars(
            select(FeedItem).where(FeedItem.kind == kind.value).order_by(FeedItem.id)
        )
    )


def test_a_run_with_gps_has_a_small_route_picture_and_a_manual_one_none(club_id, ctx):
    upload("ana", start=NOW - timedelta(hours=3), pace_s_per_km=300)
    runs.log_run(
        user("ana"),
        runs.RunDetails(start_time=NOW - timedelta(hours=1), distance_m=3000, duration_s=900),
        now=NOW,
    )
    gps, manual = sorted(items(ItemKind.RUN), key=lambda item: item.id)
    assert gps.route and len(gps.route.split()) <= 81
    assert manual.route is None


def test_a_faster_effort_than_ever_before_is_a_personal_best(club_id, ctx):
    upload("ana", start=NOW - timedelta(days=3), pace_s_per_km=330)
    upload("ana", start=NOW - timedelta(days=2), pace_s_per_km=360)  # slower: no news
    upload("ana", start=NOW - timedelta(days=1), pace_s_per_km=300)
    bests = items(ItemKind.PERSONAL_BEST)
    assert len(bests) == 2  # the first run sets them, the third beats them
    assert bests[-1].title == "400 m in 2:00, 1 km in 5:00, 1 mile in 8:03, 5 km in 25:00"


def test_a_personal_best_follows_its_runs_visibility(club_id, ctx):
    user("ana").default_visibility = "private"
    upload("ana", start=NOW - timedelta(hours=2), pace_s_per_km=300)
    assert items(ItemKind.PERSONAL_BEST)
    assert queries.home(user("olivia").id).items == []


def group_run(club_id: int) -> int:
    run = scheduling.schedule_run(
        user("olivia"),
        db.session.get(Club, club_id),
        title="Tuesday social",
        starts_at=(NOW - timedelta(hours=5)).replace(second=0),
        meeting_point="Bandstand",
        now=NOW - timedelta(days=1),
        latitude=51.4790,
        longitude=-0.1570,
    )
    db.session.flush()
    return run.id


def test_running_a_group_run_is_club_news(club_id, ctx):
    group_run_id = group_run(club_id)
    upload(
        "ana",
        start=(NOW - timedelta(hours=5)).replace(second=0),
        pace_s_per_km=330,
        at=(51.4791, -0.1570),
    )
    (attended,) = items(ItemKind.ATTENDED)
    assert (attended.club_id, attended.group_run_id, attended.title) == (
        club_id,
        group_run_id,
        "Tuesday social",
    )
    assert attended in queries.club(club_id, user("olivia").id).items


def test_a_group_run_unlinked_and_linked_again_is_news_once(club_id, ctx):
    group_run_id = group_run(club_id)
    run = upload(
        "ana",
        start=(NOW - timedelta(hours=5)).replace(second=0),
        pace_s_per_km=330,
        at=(51.4791, -0.1570),
    )
    the_run = db.session.get(GroupRun, group_run_id)
    attendance.unlink(user("ana"), the_run)
    db.session.expire_all()
    assert items(ItemKind.ATTENDED) == []
    attendance.link(user("ana"), the_run, run.run_id)
    assert len(items(ItemKind.ATTENDED)) == 1
    runs.delete_run(user("ana"), db.session.get(Run, run.run_id), now=NOW)
    db.session.flush()
    db.session.expire_all()
    assert items(ItemKind.ATTENDED) == []


def test_the_database_keeps_one_item_a_run_and_attended_items_on_their_attendance(club_id, ctx):
    upload("ana", start=NOW - timedelta(hours=2), pace_s_per_km=330)
    (run_item,) = items(ItemKind.RUN)
    for fields in (
        {"kind": "run", "run_id": run_item.run_id},
        {"kind": "attended", "club_id": club_id, "group_run_id": group_run(club_id)},
    ):
        with db.session.begin_nested(), pytest.raises(IntegrityError):
            db.session.add(FeedItem(actor_id=user("ana").id, **fields))
            db.session.flush()


def test_a_private_clubs_group_runs_are_news_for_its_members(club_id, ctx):
    db.session.get(Club, club_id).visibility = "private"
    group_run(club_id)
    upload(
        "ana",
        start=(NOW - timedelta(hours=5)).replace(second=0),
        pace_s_per_km=330,
        at=(51.4791, -0.1570),
    )
    ana = user("ana").id
    assert "attended" in [i.kind for i in queries.profile(ana, user("olivia").id).items]
    assert "attended" not in [i.kind for i in queries.profile(ana, user("dan").id).items]


# --- club posts -------------------------------------------------------------------------


def test_owners_and_admins_post_announcements_to_the_club_feed(app, club_id):
    olivia = as_(app, "olivia")
    response = submit(
        olivia,
        "/feed/clubs/riverside/posts",
        {"body": "Track night moves to Thursday!", "next": "/clubs/riverside"},
        page="/clubs/riverside",
    )
    assert "Posted to the club feed." in text(olivia.get(response.headers["Location"]))
    page = text(as_(app, "ana").get("/clubs/riverside"))
    assert "Olivia posted in Riverside" in page
    assert "Track night moves to Thursday!" in page


def test_members_cannot_post_announcements(app, club_id):
    response = submit(
        as_(app, "ana"), "/feed/clubs/riverside/posts", {"body": "Hi"}, page="/dashboard"
    )
    assert response.status_code == 403
    with app.app_context():
        assert items(ItemKind.POST) == []


@pytest.mark.parametrize(
    ("body", "message"), [("   ", "Write the announcement first."), ("x" * 2001, "under 2000")]
)
def test_a_blank_or_long_post_is_refused(app, club_id, body, message):
    olivia = as_(app, "olivia")
    response = submit(
        olivia, "/feed/clubs/riverside/posts", {"body": body}, page="/clubs/riverside"
    )
    assert message in text(olivia.get(response.headers["Location"]))
    with app.app_context():
        assert items(ItemKind.POST) == []


def test_a_pinned_post_stays_on_top_of_the_club_page_until_unpinned(app, club_id):
    olivia = as_(app, "olivia")
    submit(
        olivia,
        "/feed/clubs/riverside/posts",
        {"body": "Kit order closes Friday", "pinned": "y"},
        page="/clubs/riverside",
    )
    with app.app_context():
        (post,) = items(ItemKind.POST)
        assert pinned_on_the_club_page(club_id, None) == [post.id]
    assert "data-pinned-posts" in as_(app, "ana").get("/clubs/riverside").get_data(as_text=True)
    submit(olivia, f"/feed/items/{post.id}/unpin", page="/clubs/riverside")
    with app.app_context():
        assert pinned_on_the_club_page(club_id, None) == []


def pinned_on_the_club_page(club_id: int, viewer_id: int | None, **page: int) -> list[int]:
    return [pinned.id for pinned in queries.club_page(club_id, viewer_id, **page).pinned]


def test_a_pinned_post_older_than_the_page_is_on_top_of_it_and_still_on_the_older_page(
    club_id, ctx, monkeypatch
):
    # The pinned posts are read with the page, in the same statement.
    monkeypatch.setattr(queries, "PER_PAGE", 2)
    club = db.session.get(Club, club_id)
    kit = posts.post(user("olivia"), club, "Kit", pinned=True, now=NOW)
    news = [posts.post(user("olivia"), club, f"News {n}", pinned=False, now=NOW) for n in range(3)]
    newest = queries.club_page(club_id, user("ana").id)
    assert [card.id for card in newest.cards] == [news[2].id, news[1].id]
    assert [pinned.id for pinned in newest.pinned] == [kit.id]
    older = queries.club_page(club_id, user("ana").id, before=newest.before)
    assert [card.id for card in older.cards][:2] == [news[0].id, kit.id]
    assert pinned_on_the_club_page(club_id, None, before=news[0].id) == [kit.id]


def test_a_pinned_post_of_a_runner_i_blocked_is_not_pinned_on_my_club_page(club_id, ctx):
    post = posts.post(user("olivia"), db.session.get(Club, club_id), "Kit", pinned=True, now=NOW)
    blocks.block(user("ana"), user("olivia"), now=NOW)
    assert pinned_on_the_club_page(club_id, user("ana").id) == []
    assert pinned_on_the_club_page(club_id, None) == [post.id]


def test_only_the_clubs_admins_pin_or_delete_its_posts(app, club_id):
    with app.app_context():
        post = posts.post(
            user("olivia"), db.session.get(Club, club_id), "Hello", pinned=False, now=utcnow()
        )
        db.session.commit()
        post_id = post.id
    ana = as_(app, "ana")
    for action in ("pin", "delete"):
        assert submit(ana, f"/feed/items/{post_id}/{action}", page="/dashboard").status_code == 403
    submit(as_(app, "olivia"), f"/feed/items/{post_id}/delete", page="/clubs/riverside")
    with app.app_context():
        assert items(ItemKind.POST) == []


def test_a_private_clubs_post_is_no_post_to_those_outside_it_site_admins_too(app, club_id):
    sam = make_runner(app, "sam", is_site_admin=True)
    hideout = make_club(app, make_runner(app, "olga"), "hideout", visibility="private")
    with app.app_context():
        club = db.session.get(Club, hideout)
        post_id = posts.post(user("olga"), club, "Secret", pinned=True, now=utcnow()).id
        db.session.commit()
    for name in ("dan", sam.username):
        client = as_(app, name)
        for action in ("pin", "unpin", "delete"):
            response = submit(client, f"/feed/items/{post_id}/{action}", page="/dashboard")
            assert response.status_code == 404, (name, action)
    with app.app_context():
        assert [(post.id, post.pinned) for post in items(ItemKind.POST)] == [(post_id, True)]


def test_only_posts_are_pinned(club_id, ctx):
    runs.log_run(
        user("ana"),
        runs.RunDetails(start_time=NOW - timedelta(hours=1), distance_m=3000, duration_s=900),
        now=NOW,
    )
    (run_item,) = items(ItemKind.RUN)
    with pytest.raises(NotFound):
        posts.set_pinned(user("olivia"), run_item.id, True)


def test_the_database_keeps_posts_in_a_club_with_a_body_and_pins_on_posts(club_id, ctx):
    olivia = user("olivia")
    for fields in (
        {"kind": "post", "club_id": None, "body": "x"},
        {"kind": "post", "club_id": club_id, "body": ""},
        {"kind": "new_member", "club_id": club_id, "pinned": True},
    ):
        with db.session.begin_nested(), pytest.raises(IntegrityError):
            db.session.add(FeedItem(actor_id=olivia.id, **fields))
            db.session.flush()


def test_a_new_post_reaches_the_club_room(app, club_id):
    socket = socketio.test_client(app, flask_test_client=as_(app, "ana"))
    socket.emit("feed:watch", {"feed": "club", "id": club_id}, callback=True)
    with app.app_context():
        posts.post(
            user("olivia"), db.session.get(Club, club_id), "Hello", pinned=False, now=utcnow()
        )
        db.session.commit()
    assert [e["name"] for e in socket.get_received()] == ["feed:item"]


def test_posting_service_refuses_members_and_blank_text(club_id, ctx):
    club = db.session.get(Club, club_id)
    with pytest.raises(NotAllowed):
        posts.post(user("ana"), club, "Hi", pinned=False, now=utcnow())
    with pytest.raises(FeedError):
        posts.post(user("olivia"), club, " ", pinned=False, now=utcnow())
