"""The feeds: who sees which item, newest first, paged by a cursor that inserts never shift."""

from datetime import timedelta

import pytest

from community.accounts import blocks
from community.activities import services as runs
from community.challenges import services as challenges
from community.clubs import services as clubs
from community.db_types import utcnow
from community.extensions import db
from community.feed import queries
from community.feed.models import FeedItem
from community.follows import services as follows
from tests.challenges.builders import challenge, club, runner


@pytest.fixture
def people(ctx):
    return {name: runner(name) for name in ("ana", "ben", "cleo")}


def run_by(user, *, km=5.0, visibility="public", ago=timedelta(hours=2)):
    now = utcnow()
    return runs.log_run(
        user,
        runs.RunDetails(
            start_time=now - ago,
            distance_m=km * 1000,
            duration_s=km * 300,
            visibility=visibility,
        ),
        now=now,
    )


def kinds(page) -> list[tuple[str, str]]:
    return [(item.actor.username, item.kind) for item in page.items]


def test_a_logged_run_reaches_the_runners_profile_and_their_followers(people):
    ana, ben = people["ana"], people["ben"]
    follows.follow(ben, ana, now=utcnow())
    run_by(ana)
    assert kinds(queries.profile(ana.id, None)) == [("ana", "run")]
    assert kinds(queries.home(ben.id)) == [("ana", "run")]
    assert kinds(queries.home(people["cleo"].id)) == []


def test_an_old_run_logged_today_is_history_not_news(people):
    run_by(people["ana"], ago=timedelta(days=30))
    assert queries.profile(people["ana"].id, None).items == []


def test_a_private_run_is_in_the_runners_feed_alone(people):
    ana, ben = people["ana"], people["ben"]
    follows.follow(ben, ana, now=utcnow())
    run_by(ana, visibility="private")
    assert kinds(queries.home(ana.id)) == [("ana", "run")]
    assert queries.home(ben.id).items == []
    assert queries.profile(ana.id, ben.id).items == []


def test_a_members_run_is_for_people_in_a_club_with_the_runner(people):
    ana, ben, cleo = people["ana"], people["ben"], people["cleo"]
    riverside = club(ana)
    clubs.join(ben, riverside)
    follows.follow(cleo, ana, now=utcnow())
    run_by(ana, visibility="members")
    assert ("ana", "run") in kinds(queries.home(ben.id))
    assert queries.profile(ana.id, cleo.id).items == []
    assert queries.home(cleo.id).items == []


def test_a_run_made_private_later_leaves_every_feed_at_once(people):
    ana, ben = people["ana"], people["ben"]
    follows.follow(ben, ana, now=utcnow())
    run = run_by(ana)
    run.visibility = "private"
    db.session.flush()
    assert queries.home(ben.id).items == []


def test_a_deleted_run_takes_its_item_with_it(people):
    ana = people["ana"]
    run = run_by(ana)
    runs.delete_run(ana, run, now=utcnow())
    db.session.flush()
    assert db.session.query(FeedItem).count() == 0


def test_the_club_feed_has_its_new_members_and_its_members_runs(people):
    ana, ben, cleo = people["ana"], people["ben"], people["cleo"]
    riverside = club(ana)
    clubs.join(ben, riverside)
    run_by(ben)
    run_by(cleo)  # not a member: not in the club's feed
    assert kinds(queries.club(riverside.id, None)) == [("ben", "run"), ("ben", "new_member")]
    # Ana's home feed has the club's news and her club-mate's run.
    assert kinds(queries.home(ana.id)) == [("ben", "run"), ("ben", "new_member")]


@pytest.mark.parametrize("small_club", [queries.SMALL_CLUB, 1], ids=["by index", "newest first"])
def test_a_big_clubs_feed_is_read_another_way_with_the_same_items(people, monkeypatch, small_club):
    # Over SMALL_CLUB members the feed reads newest first instead of each member's items.
    monkeypatch.setattr(queries, "SMALL_CLUB", small_club)
    ana, ben, cleo = people["ana"], people["ben"], people["cleo"]
    riverside = club(ana)
    clubs.join(ben, riverside)
    run_by(ben)
    run_by(ben, visibility="private")
    run_by(cleo)
    assert kinds(queries.club(riverside.id, cleo.id)) == [("ben", "run"), ("ben", "new_member")]


def test_a_club_page_that_lists_every_member_hands_their_ids_to_the_feed(people):
    # The club page has read the members already; the feed reads the same items by them.
    ana, ben, cleo = people["ana"], people["ben"], people["cleo"]
    riverside = club(ana)
    clubs.join(ben, riverside)
    run_by(ben)
    run_by(cleo)
    read = queries.club(riverside.id, cleo.id)
    handed = queries.club(riverside.id, cleo.id, member_ids=[ana.id, ben.id])
    assert kinds(handed) == kinds(read) == [("ben", "run"), ("ben", "new_member")]


def test_a_private_clubs_news_is_for_its_members(people):
    ana, ben, cleo = people["ana"], people["ben"], people["cleo"]
    hidden = club(ana, "hidden", visibility="private")
    asked = clubs.request_to_join(ben, hidden)
    clubs.decide_request(ana, hidden, asked.id, approve=True)
    follows.follow(cleo, ben, now=utcnow())
    assert queries.club(hidden.id, cleo.id).items == []
    assert queries.home(cleo.id).items == []
    assert queries.club(hidden.id, None).items == []
    assert kinds(queries.club(hidden.id, ana.id)) == [("ben", "new_member")]


def entered_in_a_1_km_club_challenge(ana):
    """Ana's club, with a challenge of 1 km she has entered: her next run completes it."""
    riverside = club(ana)
    # Open since yesterday: the run starts 30 minutes ago, which is yesterday (UTC) until
    # 00:30, before a window opened today.
    today = utcnow().date()
    one_km = challenge(
        ana,
        riverside,
        goal=1000.0,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=5),
    )
    challenges.join(ana, one_km, now=utcnow())
    return riverside


def test_a_completed_challenge_is_news_in_its_club(people):
    riverside = entered_in_a_1_km_club_challenge(people["ana"])
    run_by(people["ana"], ago=timedelta(minutes=30))
    assert ("ana", "challenge_completed") in kinds(queries.club(riverside.id, None))


def test_a_completion_undone_by_deleting_its_run_leaves_the_feed(people):
    riverside = entered_in_a_1_km_club_challenge(people["ana"])
    run = run_by(people["ana"], ago=timedelta(minutes=30))
    runs.delete_run(people["ana"], run, now=utcnow())
    assert ("ana", "challenge_completed") not in kinds(queries.club(riverside.id, None))


def test_blocked_runners_never_see_each_others_items(people):
    ana, ben = people["ana"], people["ben"]
    follows.follow(ben, ana, now=utcnow())
    run_by(ana)
    run_by(ben)
    blocks.block(ana, ben, now=utcnow())
    assert ("ben", "run") not in kinds(queries.home(ana.id))
    assert ("ana", "run") not in kinds(queries.home(ben.id))
    assert queries.profile(ana.id, ben.id).items == []


def test_paging_by_cursor_is_stable_when_new_items_arrive(people, monkeypatch):
    monkeypatch.setattr(queries, "PER_PAGE", 3)
    ana = people["ana"]
    for km in range(1, 8):
        run_by(ana, km=float(km))
    first = queries.profile(ana.id, None)
    assert [item.run.distance_m for item in first.items] == [7000, 6000, 5000]
    run_by(ana, km=9.0)  # arrives while the reader is on page one
    second = queries.profile(ana.id, None, first.before)
    assert [item.run.distance_m for item in second.items] == [4000, 3000, 2000]
    last = queries.profile(ana.id, None, second.before)
    assert [item.run.distance_m for item in last.items] == [1000]
    assert last.before is None


def test_a_newcomer_in_no_club_following_nobody_sees_their_own_runs_at_home(people):
    cleo = people["cleo"]
    run_by(cleo)
    run_by(people["ana"])
    assert kinds(queries.home(cleo.id)) == [("cleo", "run")]
    follows.follow(cleo, people["ana"], now=utcnow())
    assert kinds(queries.home(cleo.id)) == [("ana", "run"), ("cleo", "run")]
