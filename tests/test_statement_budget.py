"""Each main page reads the database a fixed number of times, whatever the size of its feed.

A runner logs in; then one GET of the page is counted, statement by statement, with a
SQLAlchemy `before_cursor_execute` listener (transaction control aside: SQLite's BEGIN is a
statement, PostgreSQL's is not). A page whose count grows with its items, a query per card
or per comment, fails here, and so does one that creeps past its budget.
"""

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from community.challenges import services as challenges
from community.clubs import queries as club_queries
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from community.feed import posts, services
from community.feed import queries as feed_queries
from community.goals import services as goals
from community.goals.services import GoalSpec
from tests.challenges.conftest import this_month_spec
from tests.feed.builders import named, run_item
from tests.helpers import add_member, as_, make_club, make_runner, statements_run

# Statements of one GET. Every page: the session's runner, with the bell's unread count (1).
# A feed: its items (each with whether the viewer runs its club; a club's with its pinned
# posts), and their kudos with the first faces and their comments (2); on a club feed's page
# also a small club's member ids (1: the club page has them from its list of members); the
# home feed whether the runner follows or belongs to anyone (1: not on the dashboard, which
# knows their clubs).
# - club page: the club with the viewer's membership, the member count and the members
#   shown (1), the next group runs and the regulars (2), and the challenge feature's slot:
#   this week's board's top five and the club's challenges with its monthly setting (2).
# - profile: the runner, the blocks either way, the follow counts and the viewer's follow
#   (4), the challenge badges (1) and the trophy case (1; for its own runner, with the
#   distance run to the next total, 2).
# - dashboard: the runner's runs with the first-step flags, their clubs and their next group
#   runs (3: community/home/queries.py), and their challenges with their club goals'
#   totals, then their ranks (2), and their goals, then the goals' runs with the recent
#   efforts for race predictions (2: community/goals/queries.py).
BUDGET = {"club": 8, "profile": 9, "dashboard": 10, "feed": 4}


def statements_of(app: Flask, client: FlaskClient, path: str) -> int:
    with statements_run(app) as seen:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(seen)


def busy_club(app: Flask, slug: str, items: int) -> None:
    """A club of four runners whose feed has `items` runs, each cheered and commented on by
    two others, and a pinned announcement by its owner; its first runner has goals. The
    three runners are in the club's two challenges of the month, a 10 km club goal and a
    5 km race to the line, so the feed also shows the goal reached together and challenges
    completed, and the dashboard a club's total and ranks."""
    owner = make_runner(app, f"{slug}-owner")
    club_id = make_club(app, owner, slug=slug)
    mates = [make_runner(app, f"{slug}-{n}", display_name=f"Mate {n}") for n in range(3)]
    for mate in mates:
        add_member(app, club_id, mate)
    with app.app_context():
        runners = [named(mate.username) for mate in mates]
        for kind, goal in (("club_goal", 10_000.0), ("distance", 5_000.0)):
            spec = this_month_spec(title=f"{slug} {kind}", kind=kind, goal=goal)
            club = db.session.get(Club, club_id)
            challenge = challenges.create_challenge(named(owner.username), club, spec, now=utcnow())
            for runner in runners:
                challenges.join(runner, challenge, now=utcnow())
        for n in range(items):
            author, *others = runners[n % 3 :] + runners[: n % 3]
            item = run_item(author, km=5 + n % 7)
            for other in others:
                services.give_kudos(other, item, now=utcnow())
                services.add_comment(other, item, f"Nice one @{author.username}!", now=utcnow())
        club = db.session.get(Club, club_id)
        posts.post(named(owner.username), club, "Track night Thursday", pinned=True, now=utcnow())
        # Goals for the first runner's dashboard: one race, and three more in the large club.
        today = utcnow().date()
        specs = [GoalSpec("race", 1500, today, today + timedelta(weeks=8), race_label="5 km")]
        specs += [
            GoalSpec("total", 100_000, today, today + timedelta(weeks=4), "distance_m"),
            GoalSpec("weekly", 20_000, today, today + timedelta(weeks=6), "distance_m"),
            GoalSpec("habit", 3, today, today + timedelta(weeks=6)),
        ] * (items > 10)
        for spec in specs:
            goals.create_goal(runners[0], spec, today)
        db.session.commit()


@pytest.fixture
def pages(app: Flask) -> dict[str, dict[str, str]]:
    """Two clubs alike but for the size of their feeds: 3 items and 30."""
    busy_club(app, "small", 3)
    busy_club(app, "large", 30)
    return {
        size: {
            "club": f"/clubs/{size}",
            "profile": f"/u/{size}-1",
            "dashboard": "/dashboard",
            "feed": "/feed/",
        }
        for size in ("small", "large")
    }


@pytest.mark.parametrize("page", ["club", "profile", "dashboard", "feed"])
def test_a_page_reads_as_many_statements_for_30_feed_items_as_for_3(app, pages, page):
    small = statements_of(app, as_(app, "small-0"), pages["small"][page])
    large = statements_of(app, as_(app, "large-0"), pages["large"][page])
    assert small == large
    assert large <= BUDGET[page]


def test_a_big_clubs_page_reads_as_many_statements_as_a_small_ones(app, pages, monkeypatch):
    # A club of more than SMALL_CLUB members: its list of members is one page of them, and
    # the member count says its feed reads newest first, with no member ids to read.
    small = statements_of(app, as_(app, "small-0"), pages["small"]["club"])
    monkeypatch.setattr(feed_queries, "SMALL_CLUB", 2)
    monkeypatch.setattr(club_queries, "MEMBERS_PER_PAGE", 2)
    assert statements_of(app, as_(app, "large-0"), pages["large"]["club"]) == small
