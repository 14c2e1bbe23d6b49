"""Runs saved at once, real threads, real database: every run counts once, a runner enters
once, and a club celebrates its goal once.

SQLite lets one writer in at a time (BEGIN IMMEDIATE, a busy timeout: community/database.py),
so there the jobs queue; PostgreSQL runs them side by side, and the races it could show are
tested in overlapping transactions, which only PostgreSQL allows.
"""

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from community.accounts.models import User
from community.activities.models import Run
from community.challenges import events, histogram, services, tally
from community.challenges.models import Challenge, ChallengeEntry
from community.clubs import services as clubs
from community.extensions import db
from community.feed.models import FeedItem, ItemKind
from community.notifications.models import Notification
from tests.challenges.builders import NOW, challenge, club, edit, log, runner

MARCH_3 = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)

# Every spec here ends with `flask check`: the counters match their rows.
pytestmark = pytest.mark.usefixtures("counters_checked")


def at_once(app: Flask, jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[Exception]]:
    """Run each job in its own thread, app context and transaction, all released together.

    Returns what the committed jobs returned, and the errors of those that failed.
    """
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = []
    errors: list[Exception] = []

    def run(job: Callable[[], Any]) -> None:
        with app.app_context():
            try:
                barrier.wait()
                result = job()
                db.session.commit()
                results.append(result)
            except Exception as error:  # collected and asserted on by the test
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def log_job(user_id: int, start: datetime, km: float) -> Callable[[], int]:
    def job() -> int:
        return log(db.session.get(User, user_id), start, km=km, now=NOW).id

    return job


def join_job(user_id: int, challenge_id: int) -> Callable[[], int]:
    def job() -> int:
        user = db.session.get(User, user_id)
        return services.join(user, db.session.get(Challenge, challenge_id), now=NOW).id

    return job


def entries_of(challenge_id: int) -> list[ChallengeEntry]:
    return list(
        db.session.scalars(
            select(ChallengeEntry).where(ChallengeEntry.challenge_id == challenge_id)
        )
    )


def test_ten_runs_logged_at_once_all_count(app):
    with app.app_context():
        ana = runner("ana", is_site_admin=True)
        march = challenge(ana)
        services.join(ana, march, now=NOW)
        db.session.commit()
        ana_id, march_id = ana.id, march.id
    starts = [MARCH_3 + timedelta(days=n) for n in range(10)]
    jobs = [log_job(ana_id, start, km=n + 1) for n, start in enumerate(starts)]

    logged, errors = at_once(app, jobs)

    assert errors == []
    assert len(logged) == 10
    with app.app_context():
        (entry,) = entries_of(march_id)
        assert entry.total == 55_000  # 1 + 2 + ... + 10 km
        assert entry.reached_at == starts[-1]
        assert tally.rebuild(db.session.get(Challenge, march_id), now=NOW) == 0


def test_joining_from_eight_tabs_at_once_enters_once(app):
    with app.app_context():
        ana = runner("ana", is_site_admin=True)
        march = challenge(ana)
        log(ana, MARCH_3, km=8)
        db.session.commit()
        ana_id, march_id = ana.id, march.id

    joined, errors = at_once(app, [join_job(ana_id, march_id) for _ in range(8)])

    assert errors == []
    with app.app_context():
        (entry,) = entries_of(march_id)
        assert set(joined) == {entry.id}
        assert entry.total == 8_000  # the run from before joining counts, once


def riverside_goal(app: Flask, runners: int, goal_m: float) -> tuple[list[int], int]:
    """A club of `runners` who all entered one club goal; returns their ids and its id."""
    with app.app_context():
        ana = runner("ana")
        riverside = club(ana)
        people = [ana, *(runner(f"runner{n}") for n in range(1, runners))]
        for person in people[1:]:
            clubs.join(person, riverside)
        together = challenge(ana, riverside, kind="club_goal", goal=goal_m)
        for person in people:
            services.join(person, together, now=NOW)
        db.session.commit()
        return [person.id for person in people], together.id


def celebrations_of(app: Flask, jobs: list[Callable[[], Any]]) -> list[dict[str, Any]]:
    """Run the jobs at once; returns each club_goal_reached signal sent meanwhile."""
    heard: list[dict[str, Any]] = []

    def celebrate(sender: object, **details: Any) -> None:
        heard.append(details)

    events.club_goal_reached.connect(celebrate)
    try:
        logged, errors = at_once(app, jobs)
    finally:
        events.club_goal_reached.disconnect(celebrate)
    assert errors == []
    assert len(logged) == len(jobs)
    return heard


def is_postgres(app: Flask) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def test_a_club_goal_crossed_by_runs_saved_at_once_is_reached_and_celebrated_once(app):
    # Twelve runs of 5 km: only the eleventh and the twelfth take the club past 52 km.
    ids, together_id = riverside_goal(app, runners=12, goal_m=52_000.0)

    heard = celebrations_of(app, [log_job(uid, MARCH_3, km=5) for uid in ids])

    with app.app_context():
        assert db.session.scalar(select(func.count(Run.id))) == 12
        assert tally.club_total(together_id) == 60_000
        assert db.session.get(Challenge, together_id).goal_reached_at == NOW
    assert [details["challenge_id"] for details in heard] == [together_id]


def test_runs_that_each_cross_a_club_goal_at_once_celebrate_it_once(app):
    # Every one of the twelve 5 km runs reaches the 5 km goal on its own.
    ids, together_id = riverside_goal(app, runners=12, goal_m=5_000.0)

    heard = celebrations_of(app, [log_job(uid, MARCH_3, km=5) for uid in ids])

    with app.app_context():
        assert db.session.get(Challenge, together_id).goal_reached_at == NOW
    assert [details["challenge_id"] for details in heard] == [together_id]


def test_runs_crossing_a_club_goal_at_once_make_one_feed_item_and_tell_each_entrant_once(app):
    ids, together_id = riverside_goal(app, runners=8, goal_m=5_000.0)

    celebrations_of(app, [log_job(uid, MARCH_3, km=5) for uid in ids])

    with app.app_context():
        items = db.session.scalars(
            select(FeedItem.challenge_id).where(FeedItem.kind == ItemKind.CLUB_GOAL.value)
        ).all()
        told = db.session.execute(
            select(Notification.user_id, func.count())
            .where(Notification.kind == "club_goal")
            .group_by(Notification.user_id)
        ).all()
    assert items == [together_id]
    assert sorted(told) == [(uid, 1) for uid in sorted(ids)]


def wait_until_someone_waits_for_a_lock(app: Flask) -> None:
    """Block until another session is waiting on a row lock (5 s at most).

    SQLite shows no waiting sessions: there the other thread waits on the write lock
    (BEGIN IMMEDIATE and the busy timeout), so a moment's pause lets it get there.
    """
    if not is_postgres(app):
        time.sleep(0.3)
        return
    with app.app_context():
        for _ in range(500):
            waiting = db.session.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            )
            db.session.rollback()
            if waiting:
                return
            time.sleep(0.01)
    raise AssertionError("no session started waiting for a lock")


def in_thread(app: Flask, job: Callable[[], Any]) -> tuple[threading.Thread, list[Exception]]:
    errors: list[Exception] = []

    def run() -> None:
        with app.app_context():
            try:
                job()
                db.session.commit()
            except Exception as error:  # asserted on by the test
                errors.append(error)
            finally:
                db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_two_overlapping_transactions_that_cross_a_club_goal_together_reach_it(app):
    (ana_id, ben_id), together_id = riverside_goal(app, runners=2, goal_m=10_000.0)
    with app.app_context():
        log(db.session.get(User, ana_id), MARCH_3, km=5, now=NOW)  # not committed yet
        # Ben's request meanwhile: it waits for Ana's, then sums both.
        ben, errors = in_thread(app, log_job(ben_id, MARCH_3, km=5))
        wait_until_someone_waits_for_a_lock(app)
        db.session.commit()
    ben.join(timeout=30)
    assert errors == []
    with app.app_context():
        assert tally.club_total(together_id) == 10_000
        assert db.session.get(Challenge, together_id).goal_reached_at == NOW


def test_a_run_logged_while_a_rebuild_works_out_the_standings_still_counts(app, monkeypatch):
    with app.app_context():
        ana = runner("ana", is_site_admin=True)
        march = challenge(ana)
        services.join(ana, march, now=NOW)
        log(ana, MARCH_3, km=10)
        db.session.commit()
        ana_id, march_id = ana.id, march.id
    worked_out = tally.standings_from_scratch
    meanwhile: list[tuple[threading.Thread, list[Exception]]] = []

    def and_meanwhile_a_run_is_saved(contested: Challenge) -> dict[int, Any]:
        # The runner's own request lands while the rebuild holds the entries.
        meanwhile.append(in_thread(app, log_job(ana_id, MARCH_3 + timedelta(days=1), km=5)))
        wait_until_someone_waits_for_a_lock(app)
        return worked_out(contested)

    monkeypatch.setattr(tally, "standings_from_scratch", and_meanwhile_a_run_is_saved)
    with app.app_context():
        tally.rebuild(db.session.get(Challenge, march_id), now=NOW)
        db.session.commit()
    monkeypatch.undo()
    ((thread, errors),) = meanwhile
    thread.join(timeout=30)
    assert errors == []
    with app.app_context():
        (entry,) = entries_of(march_id)
        assert entry.total == 15_000


def test_runners_moving_up_and_down_several_boards_at_once_keep_every_histogram(app):
    """Score buckets are locked in one order, whichever order each runner joined in."""
    contests = 3
    with app.app_context():
        ana = runner("ana", is_site_admin=True)
        boards = [challenge(ana, title=f"March {n}") for n in range(contests)]
        people, first_runs = [], []
        for number in range(12):
            person = runner(f"runner{number}")
            for offset in range(contests):
                services.join(person, boards[(number + offset) % contests], now=NOW)
            first_runs.append(log(person, MARCH_3, km=5 + number).id)
            people.append(person.id)
        db.session.commit()
        board_ids = [board.id for board in boards]

    def shrink(run_id: int) -> Callable[[], int]:
        def job() -> int:
            run = db.session.get(Run, run_id)
            return edit(run.user, run, distance_m=1_000.0).id

        return job

    jobs = [
        log_job(uid, MARCH_3 + timedelta(days=1), km=12) if n % 2 else shrink(first_runs[n])
        for n, uid in enumerate(people)
    ]
    done, errors = at_once(app, jobs)

    assert errors == []
    assert len(done) == len(jobs)
    with app.app_context():
        for board_id in board_ids:
            assert histogram.buckets_of(board_id) == histogram.from_entries(board_id)


def leave_job(user_id: int, challenge_id: int) -> Callable[[], None]:
    def job() -> None:
        user = db.session.get(User, user_id)
        services.leave(user, db.session.get(Challenge, challenge_id), now=NOW)

    return job


def hide_job(user_id: int, challenge_id: int, hidden: bool) -> Callable[[], int]:
    def job() -> int:
        user = db.session.get(User, user_id)
        return services.set_hidden(user, db.session.get(Challenge, challenge_id), hidden).id

    return job


def assert_counts_match_the_entries(app: Flask, challenge_id: int, entered: int) -> None:
    """The stored entrant count and score buckets, against a recount of the entries."""
    with app.app_context():
        assert len(entries_of(challenge_id)) == entered
        assert db.session.get(Challenge, challenge_id).entrants == entered
        assert histogram.buckets_of(challenge_id) == histogram.from_entries(challenge_id)


def runners_in_march(
    app: Flask, runners: int, *, boards: int = 1, entered: bool = True
) -> tuple[list[int], list[int]]:
    """`boards` site challenges in March and `runners` runners with a March run each, in
    every board when `entered`; returns the runners' ids and the boards' ids."""
    with app.app_context():
        host = runner("host", is_site_admin=True)
        marches = [challenge(host, title=f"March {n}") for n in range(boards)]
        people = [runner(f"runner{n}") for n in range(runners)]
        for number, person in enumerate(people):
            log(person, MARCH_3, km=5 + number % 3)
            for march in marches if entered else []:
                services.join(person, march, now=NOW)
        db.session.commit()
        return [person.id for person in people], [march.id for march in marches]


def test_one_runner_joining_then_leaving_from_twenty_tabs_at_once_is_counted_once(app):
    (ana_id,), (march_id,) = runners_in_march(app, 1, entered=False)

    joined, errors = at_once(app, [join_job(ana_id, march_id)] * 20)
    assert errors == []
    assert len(set(joined)) == 1
    assert_counts_match_the_entries(app, march_id, 1)

    left, errors = at_once(app, [leave_job(ana_id, march_id)] * 20)
    assert errors == []
    assert len(left) == 20
    assert_counts_match_the_entries(app, march_id, 0)


def test_thirty_tabs_leaving_at_once_never_take_the_count_below_the_entries(app):
    (ana_id, *_), (march_id,) = runners_in_march(app, 3)

    _, errors = at_once(app, [leave_job(ana_id, march_id)] * 30)

    assert errors == []
    assert_counts_match_the_entries(app, march_id, 2)


def test_many_runners_joining_then_leaving_at_once_are_each_counted_once(app):
    ids, (march_id,) = runners_in_march(app, 20, entered=False)

    _, errors = at_once(app, [job for uid in ids for job in [join_job(uid, march_id)] * 2])
    assert errors == []
    assert_counts_match_the_entries(app, march_id, 20)

    _, errors = at_once(app, [job for uid in ids for job in [leave_job(uid, march_id)] * 2])
    assert errors == []
    assert_counts_match_the_entries(app, march_id, 0)


def test_hiding_then_showing_from_twenty_tabs_at_once_moves_the_score_buckets_once(app):
    (ana_id, *_), (march_id,) = runners_in_march(app, 3)

    _, errors = at_once(app, [hide_job(ana_id, march_id, True)] * 20)
    assert errors == []
    assert_counts_match_the_entries(app, march_id, 3)
    with app.app_context():
        assert histogram.ahead(march_id, 0.0) == 2

    _, errors = at_once(app, [hide_job(ana_id, march_id, False)] * 20)
    assert errors == []
    assert_counts_match_the_entries(app, march_id, 3)
    with app.app_context():
        assert histogram.ahead(march_id, 0.0) == 3


def test_hiding_from_every_board_from_ten_tabs_at_once_moves_each_board_once(app):
    (ana_id, _), board_ids = runners_in_march(app, 2, boards=2)

    def settings_saved(hidden: bool) -> Callable[[], None]:
        return lambda: tally.hide_everywhere(ana_id, hidden, now=NOW)

    for hidden in (True, False):
        _, errors = at_once(app, [settings_saved(hidden)] * 10)
        assert errors == []
        for board_id in board_ids:
            assert_counts_match_the_entries(app, board_id, 2)
