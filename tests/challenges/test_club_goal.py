"""A club goal, run together: one progress for the board and every entrant's card, no
ranks, and a celebration (a notification to each entrant, a club feed item) the first time
the club's total reaches the goal."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.accounts.models import User
from community.challenges import services
from community.challenges.models import Challenge, ChallengeEntry
from community.clubs import services as clubs
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from community.feed.models import FeedItem, ItemKind
from community.notifications.models import Notification
from tests.challenges.builders import NOW, challenge, club, edit, log, runner
from tests.challenges.conftest import act, log_km, this_month_spec
from tests.feed.builders import named
from tests.helpers import add_member, as_, html, make_club, make_runner, submit, text

MARCH_3 = NOW.replace(day=3, hour=7)


@pytest.fixture
def together(ctx):
    """Riverside's 10 km club goal, entered by Ana (the owner), Ben and Cat; Dan is a member
    who did not enter."""
    ana, ben, cat, dan = (runner(name) for name in ("ana", "ben", "cat", "dan"))
    riverside = club(ana)
    riverside.name = "Riverside Runners"
    for person in (ben, cat, dan):
        clubs.join(person, riverside)
    goal = challenge(ana, riverside, kind="club_goal", goal=10_000.0, title="March together")
    for person in (ana, ben, cat):
        services.join(person, goal, now=NOW)
    db.session.flush()
    return goal, {"ana": ana, "ben": ben, "cat": cat, "dan": dan}


def club_goal_items(challenge_id: int) -> list[FeedItem]:
    return list(
        db.session.scalars(
            select(FeedItem).where(
                FeedItem.kind == ItemKind.CLUB_GOAL.value, FeedItem.challenge_id == challenge_id
            )
        )
    )


def notified(kind: str = "club_goal") -> dict[str, list[str]]:
    rows = db.session.execute(
        select(User.username, Notification.text)
        .join(Notification, Notification.user_id == User.id)
        .where(Notification.kind == kind)
        .order_by(User.username)
    )
    found: dict[str, list[str]] = {}
    for username, words in rows:
        found.setdefault(username, []).append(words)
    return found


def test_reaching_the_goal_tells_every_entrant_and_puts_one_item_in_the_club_feed(together):
    goal, people = together
    log(people["ben"], MARCH_3, km=6)
    assert notified() == {}
    log(people["cat"], MARCH_3 + timedelta(hours=2), km=5)

    assert notified() == {
        name: [
            "Riverside Runners reached 10.00 km together in March together. Well run, all of you!"
        ]
        for name in ("ana", "ben", "cat")
    }
    (item,) = club_goal_items(goal.id)
    assert (item.actor_id, item.club_id, item.title) == (
        people["cat"].id,
        goal.club_id,
        "March together",
    )


def test_each_entrant_reads_the_goal_in_their_own_units(together):
    _, people = together
    people["ben"].units = "mi"
    log(people["ana"], MARCH_3, km=10)
    assert notified()["ben"] == [
        "Riverside Runners reached 6.21 mi together in March together. Well run, all of you!"
    ]


def test_falling_back_under_the_goal_and_reaching_it_again_celebrates_once(together):
    goal, people = together
    run = log(people["ana"], MARCH_3, km=10)
    edit(people["ana"], run, distance_m=4_000.0)
    assert db.session.get(Challenge, goal.id).goal_reached_at is None
    edit(people["ana"], run, distance_m=12_000.0)

    assert db.session.get(Challenge, goal.id).goal_reached_at is not None
    assert len(club_goal_items(goal.id)) == 1
    assert {name: len(texts) for name, texts in notified().items()} == {
        "ana": 1,
        "ben": 1,
        "cat": 1,
    }


def test_the_database_keeps_one_club_goal_item_per_challenge(together):
    goal, people = together
    log(people["ana"], MARCH_3, km=10)
    db.session.add(
        FeedItem(
            kind=ItemKind.CLUB_GOAL.value,
            actor_id=people["ben"].id,
            club_id=goal.club_id,
            challenge_id=goal.id,
            title="again",
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()


# Over HTTP, on today's clock: the page a runner sees.


@pytest.fixture
def riverside_goal(app):
    """Olivia's club goal of 10 km in Riverside (public); Mia entered it too."""
    olivia, mia = make_runner(app, "olivia"), make_runner(app, "mia")
    club_id = make_club(app, olivia, slug="riverside", name="Riverside Runners")
    add_member(app, club_id, mia)
    with app.app_context():
        goal = services.create_challenge(
            db.session.get(User, olivia.id),
            db.session.get(Club, club_id),
            this_month_spec(title="Together 10 km", kind="club_goal", goal=10_000.0),
            now=utcnow(),
        )
        db.session.commit()
        goal_id = goal.id
    for name in ("olivia", "mia"):
        act(as_(app, name), f"/challenges/{goal_id}/join")
    return goal_id


def test_the_card_says_goal_reached_as_the_board_does_and_shows_no_rank(app, riverside_goal):
    log_km(app, "olivia", 12)
    log_km(app, "mia", 1)  # her own kilometre is far behind any pace of her own

    page = text(as_(app, "mia").get(f"/challenges/{riverside_goal}"))

    assert page.count("Goal reached") == 2  # her card and the board
    assert "Behind pace" not in page and "On track" not in page
    assert "Your rank" not in page and "Around you" not in page
    assert "Your part 1.00 km" in page
    assert "Together, the club has run 13.00 km of 10.00 km" in page


def test_the_card_measures_the_clubs_pace_not_the_runners_own(app, riverside_goal):
    log_km(app, "olivia", 9)  # 90 % three days into a two-week goal: well on track

    page = text(as_(app, "mia").get(f"/challenges/{riverside_goal}"))

    assert "On track" in page and "gets the club there" in page
    assert "Goal reached" not in page


def test_the_dashboard_shows_the_clubs_total_for_a_club_goal(app, riverside_goal):
    log_km(app, "olivia", 12)
    page = text(as_(app, "mia").get("/dashboard"))
    assert "Together 10 km 12.00 km of 10.00 km together · goal reached" in page
    assert "ranked" not in page  # a club goal ranks nobody


def test_the_club_feed_shows_the_club_reaching_its_goal(app, riverside_goal):
    log_km(app, "olivia", 6)
    log_km(app, "mia", 5)
    page = text(app.test_client().get("/clubs/riverside"))
    assert "Riverside Runners reached 10.00 km together in Together 10 km" in page
    assert "Mia ran it over the line" in page


def test_the_goal_bar_is_as_long_as_the_share_of_the_goal_run(app, riverside_goal):
    log_km(app, "olivia", 2.5)
    body = html(as_(app, "mia").get(f"/challenges/{riverside_goal}"))
    assert body.count('width="25.0"') == 2  # her card and the board: one progress
    assert " style=" not in body


def test_a_club_goal_offers_no_hiding_from_a_board_it_does_not_have(app, riverside_goal):
    mia = as_(app, "mia")
    assert "public board" not in text(mia.get(f"/challenges/{riverside_goal}"))
    response = submit(
        mia, f"/challenges/{riverside_goal}/visibility", {"hidden": "1"}, page="/dashboard"
    )
    assert "nobody is ranked" in text(mia.get(response.headers["Location"]))
    with app.app_context():
        entry = db.session.scalar(
            select(ChallengeEntry).where(
                ChallengeEntry.challenge_id == riverside_goal,
                ChallengeEntry.user_id == named("mia").id,
            )
        )
        assert entry.hidden is False
