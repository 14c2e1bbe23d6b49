"""The score histogram: "my rank" counts buckets, and the buckets follow every change."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from community.accounts import services as accounts
from community.challenges import histogram, queries, services, tally
from community.challenges.models import ChallengeEntry
from community.clubs.services import join as join_club
from community.clubs.services import leave as leave_club
from community.extensions import db
from tests.challenges.builders import NOW, challenge, club, edit, log, runner
from tests.helpers import PASSWORD

DAY_1 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@pytest.fixture
def host(ctx):
    return runner("host", is_site_admin=True)


def counted_ahead(challenge_id: int, score: float) -> int:
    return db.session.scalar(
        select(func.count()).where(
            ChallengeEntry.challenge_id == challenge_id,
            ChallengeEntry.hidden.is_(False),
            ChallengeEntry.score > score,
        )
    )


def assert_histogram_matches(challenge_id: int) -> None:
    db.session.flush()
    assert histogram.buckets_of(challenge_id) == histogram.from_entries(challenge_id)


def test_bucket_edges_are_whole_numbers_and_small_counts_get_a_bucket_each():
    assert all(isinstance(edge, int) for edge in histogram.EDGES)
    assert all(
        lower < upper for lower, upper in zip(histogram.EDGES, histogram.EDGES[1:], strict=False)
    )
    assert len({histogram.bucket_of(n) for n in range(51)}) == 51
    assert histogram.bucket_of(-50.5) < histogram.bucket_of(-50) < histogram.bucket_of(0)


def test_a_bucket_begins_at_its_lower_edge_exactly():
    edge = histogram.EDGES[1500]
    assert histogram.bucket_of(edge) == histogram.bucket_of(edge - 0.001) + 1
    assert histogram.bucket_of(edge) == histogram.bucket_of(edge + 0.999)


def test_entrants_ahead_match_a_count_for_every_score_on_a_mixed_board(host):
    march = challenge(host)
    rng = random.Random(7)
    for number in range(60):
        person = runner(f"runner{number}")
        services.join(person, march, now=NOW)
        # Ties, whole kilometres on bucket edges, and scores just beside them.
        km = rng.choice([5, 5, 10, 42.195, rng.uniform(1, 300), 0])
        if km:
            log(person, DAY_1 + timedelta(minutes=number), km=km)
        if number % 9 == 0:
            services.set_hidden(person, march, True)
    assert_histogram_matches(march.id)
    scores = set(db.session.scalars(select(ChallengeEntry.score)))
    for score in scores | {-1.0, 0.0, 4999.999, 5000.0, 10**12}:
        assert histogram.ahead(march.id, score) == counted_ahead(march.id, score), score


def test_entrants_ahead_on_several_boards_at_once_match_a_count_on_each(host):
    boards = [challenge(host, title=f"Board {n}") for n in range(3)]
    for number in range(12):
        person = runner(f"runner{number}")
        for board in boards:
            services.join(person, board, now=NOW)
        if number % 4:
            log(person, DAY_1 + timedelta(minutes=number), km=number % 5 + 1)
    empty = challenge(host, title="Nobody ran")
    asked = {boards[0].id: 0.0, boards[1].id: 3000.0, boards[2].id: 10**12, empty.id: 1.0}
    assert histogram.ahead_of_each(asked) == {
        challenge_id: counted_ahead(challenge_id, score) for challenge_id, score in asked.items()
    }
    assert histogram.ahead_of_each({boards[1].id: 3000.0}) == {
        boards[1].id: counted_ahead(boards[1].id, 3000.0)
    }


def test_edits_deletions_hiding_and_leaving_move_the_buckets(host):
    march = challenge(host)
    ana, ben = runner("ana"), runner("ben")
    for person in (ana, ben):
        services.join(person, march, now=NOW)
    run = log(ana, DAY_1, km=10)
    log(ben, DAY_1, km=3)
    assert_histogram_matches(march.id)
    edit(ana, run, distance_m=2000.0)
    assert_histogram_matches(march.id)
    services.set_hidden(ben, march, True)
    assert_histogram_matches(march.id)
    services.set_hidden(ben, march, False)
    services.leave(ana, march, now=NOW)
    assert_histogram_matches(march.id)
    assert histogram.buckets_of(march.id) == {histogram.bucket_of(3000.0): 1}


def test_privacy_leaving_a_club_and_a_deleted_account_move_the_buckets(host):
    riverside = club(host)
    ours = challenge(host, riverside)
    site = challenge(host, title="Open March")
    ana = runner("ana")
    join_club(ana, riverside)
    for contest in (ours, site):
        services.join(ana, contest, now=NOW)
        services.join(host, contest, now=NOW)
    log(ana, DAY_1, km=8)
    log(host, DAY_1, km=4)
    tally.hide_everywhere(ana.id, True, now=NOW)
    assert_histogram_matches(site.id)
    tally.hide_everywhere(ana.id, False, now=NOW)
    leave_club(ana, riverside)
    assert_histogram_matches(ours.id)
    accounts.delete_account(ana, password=PASSWORD)
    for contest in (ours, site):
        assert_histogram_matches(contest.id)
        assert histogram.buckets_of(contest.id) == {histogram.bucket_of(4000.0): 1}


def test_a_rebuild_repairs_a_histogram_that_lost_step(host):
    march = challenge(host)
    ana = runner("ana")
    services.join(ana, march, now=NOW)
    log(ana, DAY_1, km=12)
    histogram.recount(march.id)
    db.session.execute(
        ChallengeEntry.__table__.update().values(score=1.0).where(ChallengeEntry.user_id == ana.id)
    )
    tally.rebuild(march, now=NOW)
    assert_histogram_matches(march.id)
    assert histogram.buckets_of(march.id) == {histogram.bucket_of(12000.0): 1}


def test_my_rank_far_down_a_board_comes_from_the_buckets(host):
    march = challenge(host)
    people = []
    for number in range(30):
        person = runner(f"runner{number}")
        services.join(person, march, now=NOW)
        log(person, DAY_1 + timedelta(minutes=number), km=100 - number * 3)
        people.append(person)
    last = queries.my_standing(march, people[-1].id)
    assert last is not None
    assert last.rank == 30
    assert [row.rank for row in last.around] == [28, 29, 30]
