"""The board: competition ranks, who got there first, paging, my rank, privacy, filters."""

from datetime import UTC, datetime, timedelta

import pytest

from community.activities.models import BestEffort
from community.challenges import queries, rules, services, tally
from community.clubs.services import join as join_club
from community.extensions import db
from community.follows import services as follows
from tests.challenges.builders import NOW, challenge, club, log, runner

DAY_1 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@pytest.fixture
def host(ctx):
    return runner("host", is_site_admin=True)


def entrants(march, names_and_km, *, spacing=timedelta(hours=1)):
    """Runners who each log one run of the given km, one after the other."""
    made = {}
    for index, (name, km) in enumerate(names_and_km):
        person = runner(name)
        services.join(person, march, now=NOW)
        if km:
            log(person, DAY_1 + index * spacing, km=km)
        made[name] = person
    return made


def ranks(board):
    return [(row.rank, row.entry.username) for row in board.rows]


def test_equal_totals_share_a_rank_and_the_next_rank_skips(host):
    march = challenge(host)
    entrants(march, [("ana", 10), ("ben", 8), ("cat", 8), ("dan", 5)])
    assert ranks(queries.board(march, None)) == [(1, "ana"), (2, "ben"), (2, "cat"), (4, "dan")]


def test_between_equal_totals_whoever_got_there_first_is_listed_first(host):
    march = challenge(host)
    entrants(march, [("ana", 8)])
    # Ben logs later, but his run started earlier: he reached 8 km first.
    ben = runner("ben")
    services.join(ben, march, now=NOW)
    log(ben, DAY_1 - timedelta(hours=5), km=8)
    assert ranks(queries.board(march, None)) == [(1, "ben"), (1, "ana")]


def test_a_fastest_effort_ranks_the_lowest_time_first(host):
    fastest = challenge(host, kind="fastest_effort", effort_label="1 km")
    for name, seconds in [("ana", 250.0), ("ben", 230.0)]:
        person = runner(name)
        entry = services.join(person, fastest, now=NOW)
        entry.total, entry.score = seconds, -seconds
    db.session.flush()
    rows = queries.board(fastest, None).rows
    assert [(r.rank, r.entry.username, r.entry.total) for r in rows] == [
        (1, "ben", 230.0),
        (2, "ana", 250.0),
    ]


def effort(person, start, seconds):
    """A 5 km run with a 5 km best effort of exactly `seconds` (as a GPS track would give)."""
    run = log(person, start, km=5, minutes=seconds / 60)
    db.session.add(
        BestEffort(
            run_id=run.id,
            user_id=person.id,
            label="5 km",
            distance_m=5000.0,
            duration_s=seconds,
            achieved_at=start,
        )
    )
    db.session.flush()


def shown(fastest, board):
    return [
        (row.rank, row.entry.username, rules.format_total(fastest, row.total, "km"))
        for row in board.rows
    ]


def test_efforts_less_than_a_second_apart_read_apart_on_the_board(host):
    fastest = challenge(host, kind="fastest_effort", effort_label="5 km")
    for name, seconds, day in [("ana", 1366.2, 2), ("ben", 1366.4, 3), ("cat", 1370.0, 4)]:
        person = runner(name)
        services.join(person, fastest, now=NOW)
        effort(person, DAY_1.replace(day=day), seconds)
    tally.rebuild(fastest, now=NOW)
    assert shown(fastest, queries.board(fastest, None)) == [
        (1, "ana", "22:46.2"),
        (2, "ben", "22:46.4"),
        (3, "cat", "22:50.0"),
    ]


def test_efforts_equal_to_the_tenth_share_a_rank_whoever_ran_it_first_listed_first(host):
    fastest = challenge(host, kind="fastest_effort", effort_label="5 km")
    # Ben's effort is 0.03 s quicker than Ana's, but Ana ran hers first: to the tenth the
    # board ranks by, and shows, they are the same time.
    for name, seconds, day in [("ben", 1366.21, 3), ("ana", 1366.24, 2)]:
        person = runner(name)
        services.join(person, fastest, now=NOW)
        effort(person, DAY_1.replace(day=day), seconds)
    tally.rebuild(fastest, now=NOW)
    assert shown(fastest, queries.board(fastest, None)) == [
        (1, "ana", "22:46.2"),
        (1, "ben", "22:46.2"),
    ]
    assert "whoever ran it first is listed first" in " ".join(rules.describe(fastest, "km"))


def test_entrants_without_an_effort_yet_are_not_ranked(host):
    fastest = challenge(host, kind="fastest_effort", effort_label="1 km")
    services.join(runner("ana"), fastest, now=NOW)
    assert queries.board(fastest, None).rows == []


def test_pages_keep_competition_ranks_across_the_page_boundary(host, monkeypatch):
    monkeypatch.setattr(queries, "PER_PAGE", 3)
    march = challenge(host)
    entrants(march, [("ana", 10), ("ben", 8), ("cat", 8), ("dan", 8), ("eve", 5)])
    assert ranks(queries.board(march, None, 1)) == [(1, "ana"), (2, "ben"), (2, "cat")]
    second = queries.board(march, None, 2)
    assert ranks(second) == [(2, "dan"), (5, "eve")]
    assert (second.page, second.has_next) == (2, False)


def test_a_page_past_the_end_is_empty(host, monkeypatch):
    monkeypatch.setattr(queries, "PER_PAGE", 2)
    march = challenge(host)
    entrants(march, [("ana", 10), ("ben", 8), ("cat", 6)])
    assert queries.board(march, None, 1).has_next
    assert ranks(queries.board(march, None, 2)) == [(3, "cat")]
    assert queries.board(march, None, 9).rows == []


def test_my_rank_comes_with_my_neighbours(host):
    march = challenge(host)
    people = entrants(
        march, [("ana", 20), ("ben", 18), ("cat", 15), ("dan", 12), ("eve", 9), ("fay", 3)]
    )
    mine = queries.my_standing(march, people["dan"].id)
    assert mine is not None
    assert mine.rank == 4
    assert [(r.rank, r.entry.username) for r in mine.around] == [
        (2, "ben"),
        (3, "cat"),
        (4, "dan"),
        (5, "eve"),
        (6, "fay"),
    ]


def test_neighbours_share_my_rank_when_we_tie(host):
    march = challenge(host)
    people = entrants(march, [("ana", 9), ("ben", 9), ("cat", 9)])
    mine = queries.my_standing(march, people["cat"].id)
    assert mine is not None
    assert [(r.rank, r.entry.username) for r in mine.around] == [
        (1, "ana"),
        (1, "ben"),
        (1, "cat"),
    ]


def test_a_hidden_runner_is_off_the_board_yet_still_sees_their_rank(host):
    march = challenge(host)
    people = entrants(march, [("ana", 10), ("ben", 8), ("cat", 5)])
    services.set_hidden(people["ben"], march, True)
    assert ranks(queries.board(march, None)) == [(1, "ana"), (2, "cat")]
    mine = queries.my_standing(march, people["ben"].id)
    assert mine is not None
    assert mine.rank == 2
    assert mine.entry.total == 8000


def test_the_my_clubs_filter_ranks_among_people_who_share_a_club(host):
    march = challenge(host)
    people = entrants(march, [("ana", 10), ("ben", 8), ("cat", 5)])
    riverside = club(people["cat"])
    join_club(people["ben"], riverside)
    board = queries.board(march, people["cat"].id, scope="clubs")
    assert ranks(board) == [(1, "ben"), (2, "cat")]
    mine = queries.my_standing(march, people["cat"].id, scope="clubs")
    assert mine is not None and mine.rank == 2


def test_the_board_is_the_same_for_every_viewer(host):
    march = challenge(host)
    people = entrants(march, [("ana", 10), ("ben", 8)])
    seen = {
        ranks(queries.board(march, person.id)) == ranks(queries.board(march, None))
        for person in people.values()
    }
    assert seen == {True}


def test_a_new_run_moves_the_runner_up(host):
    march = challenge(host)
    people = entrants(march, [("ana", 10), ("ben", 8)])
    log(people["ben"], DAY_1 + timedelta(days=1), km=3)
    assert ranks(queries.board(march, None)) == [(1, "ben"), (2, "ana")]


def test_during_the_freeze_the_board_shows_the_order_when_it_froze(host):
    march = challenge(host, freeze_hours=48)
    people = entrants(march, [("ana", 10), ("ben", 8)])
    inside_freeze = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    assert march.is_frozen_at(inside_freeze)
    log(people["ben"], inside_freeze - timedelta(hours=1), km=5, now=inside_freeze)
    cols = queries.standings_for(march, inside_freeze)
    frozen = queries.board(march, None, cols=cols)
    assert [(r.rank, r.entry.username, r.total) for r in frozen.rows] == [
        (1, "ana", 10_000),
        (2, "ben", 8_000),
    ]
    # Ben still sees his real total, and his rank as it was at the freeze.
    mine = queries.my_standing(march, people["ben"].id, cols=cols)
    assert mine is not None
    assert (mine.entry.total, mine.rank) == (13_000, 2)
    # Once the window is over, the final order is revealed.
    after = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    final = queries.board(march, None, cols=queries.standings_for(march, after))
    assert ranks(final) == [(1, "ben"), (2, "ana")]


def test_changes_during_the_freeze_are_not_sent_to_the_board(host, app):
    from community.realtime import _PENDING, LiveEvent

    march = challenge(host, freeze_hours=48)
    people = entrants(march, [("ana", 10)])
    db.session.commit()
    inside_freeze = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    log(people["ana"], inside_freeze - timedelta(hours=1), km=5, now=inside_freeze)
    rooms = [
        item.room for item in db.session().info.get(_PENDING, []) if isinstance(item, LiveEvent)
    ]
    assert f"challenge:{march.id}" not in rooms
    assert f"user:{people['ana'].id}" in rooms


def test_neighbours_across_tied_groups_keep_their_ranks(host):
    march = challenge(host)
    people = entrants(
        march, [("ana", 20), ("ben", 15), ("cat", 15), ("dan", 15), ("eve", 9), ("fay", 9)]
    )
    mine = queries.my_standing(march, people["dan"].id)
    assert mine is not None
    assert [(r.rank, r.entry.username) for r in mine.around] == [
        (2, "ben"),
        (2, "cat"),
        (2, "dan"),
        (5, "eve"),
        (5, "fay"),
    ]
    top = queries.my_standing(march, people["ben"].id)
    assert top is not None
    assert [(r.rank, r.entry.username) for r in top.around] == [
        (1, "ana"),
        (2, "ben"),
        (2, "cat"),
        (2, "dan"),
    ]


def test_the_entrant_count_follows_joins_and_leaves(host):
    march = challenge(host)
    people = entrants(march, [("ana", 5), ("ben", 0)])
    services.join(people["ana"], march, now=NOW)  # again: still one entry
    db.session.refresh(march)
    assert march.entrants == 2
    services.leave(people["ben"], march, now=NOW)
    db.session.refresh(march)
    assert march.entrants == 1


def test_a_hidden_runners_neighbours_keep_their_public_ranks(host):
    march = challenge(host)
    people = entrants(march, [("ana", 20), ("ben", 15), ("cat", 12), ("dan", 9), ("eve", 5)])
    services.set_hidden(people["cat"], march, True)
    mine = queries.my_standing(march, people["cat"].id)
    assert mine is not None
    assert [(r.rank, r.entry.username) for r in mine.around] == [
        (1, "ana"),
        (2, "ben"),
        (3, "cat"),
        (3, "dan"),
        (4, "eve"),
    ]


def test_the_people_i_follow_filter_ranks_me_among_those_i_follow(host):
    march = challenge(host)
    people = entrants(march, [("ana", 10), ("ben", 8), ("cat", 5), ("dan", 3)])
    follows.follow(people["cat"], people["ana"], now=NOW)
    people["dan"].approves_followers = True
    follows.follow(people["cat"], people["dan"], now=NOW)  # not approved: not on it
    board = queries.board(march, people["cat"].id, scope="following")
    assert ranks(board) == [(1, "ana"), (2, "cat")]
    mine = queries.my_standing(march, people["cat"].id, scope="following")
    assert mine is not None and mine.rank == 2
    assert [row.entry.username for row in mine.around] == ["ana", "cat"]
