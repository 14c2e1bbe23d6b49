"""Milestones follow the runs: earned when a run is logged, moved or taken away when history
changes, and always the rows a recount from scratch gives."""

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from community.accounts.models import User
from community.activities import services as activities
from community.activities.events import RunChange, RunSnapshot
from community.activities.models import Run
from community.activities.services import RunDetails
from community.challenges import services as challenges
from community.clubs.models import Club, Membership
from community.extensions import db
from community.feed import subscribers
from community.feed.models import FeedItem, ItemKind
from community.goals import services as goals
from community.goals.services import GoalSpec
from community.group_runs import attendance, scheduling
from community.milestones import services
from community.milestones.models import Milestone
from community.milestones.rules import Earned
from tests.challenges import builders
from tests.helpers import make_club, make_runner, statements_run

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
START = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def ana(app):
    return make_runner(app, "ana", timezone="Europe/Berlin")


def runner(name: str = "ana") -> User:
    return db.session.scalar(select(User).where(User.username == name))


def log(km: float, when: datetime, name: str = "ana", now: datetime = NOW, **fields) -> Run:
    details = RunDetails(start_time=when, distance_m=km * 1000, duration_s=km * 330, **fields)
    return activities.log_run(runner(name), details, now=now)


def held(name: str = "ana") -> set[tuple[str, str, int | None]]:
    db.session.flush()
    rows = db.session.execute(
        select(Milestone.kind, Milestone.key, Milestone.run_id).where(
            Milestone.user_id == runner(name).id
        )
    )
    return {tuple(row) for row in rows}


def recounted(name: str = "ana") -> set[tuple[str, str, int | None]]:
    return {item.ident for item in services.expected(runner(name), NOW)}


def test_logging_runs_earns_the_first_run_and_first_distances_with_their_runs(ctx, ana):
    first = log(3, START)
    five = log(5.1, START + timedelta(days=2))

    assert held() == {("first_run", "", first.id), ("first_5k", "", five.id)}


def test_a_run_logged_before_others_is_counted_in_order_with_them(ctx, ana):
    later = log(6, START + timedelta(days=5))
    earlier = log(5, START)  # logged second, run first

    assert held() == {("first_run", "", earlier.id), ("first_5k", "", earlier.id)}
    assert later.id != earlier.id


def test_deleting_the_run_that_earned_a_milestone_gives_it_to_the_next_run_that_earns_it(ctx, ana):
    first_ten = log(10, START)
    log(4, START + timedelta(days=1))
    second_ten = log(10.5, START + timedelta(days=2))

    activities.delete_run(runner(), first_ten, now=NOW)

    assert ("first_10k", "", second_ten.id) in held()
    assert held() == recounted()


def test_editing_a_run_shorter_takes_its_milestone_away(ctx, ana):
    log(2, START)
    half = log(21.2, START + timedelta(days=1))

    details = RunDetails(start_time=half.start_time, distance_m=15_000, duration_s=5000)
    activities.update_run(runner(), half, details, now=NOW)

    assert not any(kind == "first_half" for kind, _, _ in held())


def test_an_edit_of_the_title_alone_changes_nothing(ctx, ana, app):
    run = log(5, START)
    with statements_run(app) as statements:
        details = RunDetails(
            start_time=run.start_time, distance_m=5000, duration_s=5 * 330, title="Renamed"
        )
        activities.update_run(runner(), run, details, now=NOW)
    assert not [s for s in statements if "milestones" in s]


def test_a_suspect_run_earns_nothing(ctx, ana):
    log(3, START)
    details = RunDetails(start_time=START + timedelta(days=1), distance_m=42_195, duration_s=3600)
    activities.log_run(runner(), details, now=NOW, confirmed_fast=True)  # a 1-hour marathon

    assert not any(kind == "first_marathon" for kind, _, _ in held())


def test_four_weeks_in_a_row_earn_the_streak_with_the_first_run_of_the_fourth_week(ctx, ana):
    runs = [log(5, START + timedelta(weeks=week, days=day)) for week in range(4) for day in (0, 3)]

    assert ("streak_4", "", runs[6].id) in held()
    assert held() == recounted()


def test_linking_a_run_to_a_group_run_earns_the_first_group_run(ctx, ana, app):
    club_id = make_club(app, ana, "riverside")
    run = log(8, START)
    group_run = scheduling.schedule_run(
        runner(),
        db.session.get(Club, club_id),
        title="Tuesday social",
        starts_at=START,
        meeting_point="Bandstand",
        now=START - timedelta(days=1),
    )
    attendance.link(runner(), group_run, run.id)

    assert ("first_group_run", "", run.id) in held()
    attendance.unlink(runner(), group_run)
    assert not any(kind == "first_group_run" for kind, _, _ in held())


def test_the_first_run_after_a_club_anniversary_earns_it(ctx, ana, app):
    club_id = make_club(app, ana, "riverside", name="Riverside Runners")
    membership = db.session.scalar(select(Membership).where(Membership.club_id == club_id))
    membership.joined_at = START - timedelta(days=366)
    db.session.flush()

    run = log(5, START)

    assert ("club_anniversary", f"{club_id}:1", run.id) in held()


def test_a_goal_reached_is_a_milestone_and_leaves_when_its_runs_do(ctx, ana):
    spec = GoalSpec(
        kind="total",
        measure="distance_m",
        target=20_000,
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 6, 30),
        timezone="Europe/Berlin",
    )
    goal = goals.create_goal(runner(), spec, date(2027, 1, 1))
    log(12, START)
    crossing = log(9, START + timedelta(days=2))

    assert ("goal_reached", str(goal.id), None) in held()
    activities.delete_run(runner(), crossing, now=NOW)
    assert ("goal_reached", str(goal.id), None) not in held()


# Each goal, and the days (after START, a Monday) of the 10 km runs that reach it.
GOALS = {
    "1 hour in all": (
        GoalSpec("total", 3600, date(2027, 1, 4), date(2027, 1, 31), "duration_s"),
        [0, 2],
    ),
    "3 runs": (GoalSpec("total", 3, date(2027, 1, 4), date(2027, 1, 31), "runs"), [0, 2, 3]),
    "10 km a week for 2 weeks": (
        GoalSpec("weekly", 10_000, date(2027, 1, 4), date(2027, 1, 17), "distance_m"),
        [0, 7],
    ),
    "twice a week for 2 weeks": (
        GoalSpec("habit", 2, date(2027, 1, 4), date(2027, 1, 17)),
        [0, 2, 7, 9],
    ),
    "10 km under 1:00:00": (
        GoalSpec("race", 3600, date(2027, 1, 4), date(2027, 3, 1), race_label="10 km"),
        [0],
    ),
}


@pytest.mark.parametrize("name", GOALS)
def test_each_kind_of_goal_is_reached_by_the_run_that_reaches_it(ctx, ana, name):
    spec, days = GOALS[name]
    goal = goals.create_goal(runner(), replace(spec, timezone="Europe/Berlin"), START.date())

    for day in days[:-1]:
        log(10, START + timedelta(days=day))
        assert ("goal_reached", str(goal.id), None) not in held()
    log(10, START + timedelta(days=days[-1]))

    assert ("goal_reached", str(goal.id), None) in held()
    assert held() == recounted()


def test_the_first_challenge_completed_is_earned_once_and_leaves_with_its_run(ctx, ana):
    organiser = builders.runner("org", is_site_admin=True)
    spec = {"starts_on": date(2027, 1, 1), "ends_on": date(2027, 1, 31), "goal": 20_000.0}
    first = builders.challenge(organiser, title="January 20 km", **spec)
    second = builders.challenge(organiser, title="Another January 20 km", **spec)
    for joined in (first, second):
        challenges.join(runner(), joined, now=START)

    january = START + timedelta(days=2)
    log(12, START, now=january)
    completing = log(9, START + timedelta(days=1), now=january)  # completes both at once

    earned = db.session.execute(
        select(Milestone.label, Milestone.earned_at).where(Milestone.kind == "first_challenge")
    ).all()
    assert earned == [("January 20 km", january)]
    assert held() == recounted()
    activities.delete_run(runner(), completing, now=january)
    assert ("first_challenge", "", None) not in held()


def run_item(run: Run) -> FeedItem:
    return db.session.scalar(
        select(FeedItem).where(FeedItem.kind == ItemKind.RUN.value, FeedItem.run_id == run.id)
    )


def test_the_milestones_a_run_earns_ride_on_its_feed_item(ctx, ana):
    log(3, NOW - timedelta(days=3))
    run = log(10, NOW - timedelta(days=1))  # first 5K and first 10K at once

    item = run_item(run)
    assert item.body.split() == ["first_5k", "first_10k"]
    assert item.title == "First 5K · First 10K"


def test_badges_reach_the_runs_item_whichever_handler_of_the_run_runs_first(ctx, ana):
    run = Run(user_id=runner().id, start_time=NOW - timedelta(hours=1), distance_m=5000)
    run.duration_s, run.title = 1500, "Parkrun"
    db.session.add(run)
    db.session.flush()
    earned = Earned("first_5k", "", run.id, run.start_time)

    subscribers.on_milestones_earned(None, user_id=run.user_id, milestones=[earned], now=NOW)
    subscribers.on_run_changed(None, RunChange("created", None, RunSnapshot.of(run), at=NOW))

    assert (run_item(run).body, run_item(run).title) == ("first_5k", "First 5K")


def test_a_milestone_taken_away_leaves_the_runs_item(ctx, ana):
    log(3, NOW - timedelta(days=3))
    run = log(10, NOW - timedelta(days=1))

    details = RunDetails(start_time=run.start_time, distance_m=6000, duration_s=2000)
    activities.update_run(runner(), run, details, now=NOW)

    assert (run_item(run).body, run_item(run).title) == ("first_5k", "First 5K")


def test_a_run_long_past_earns_its_milestones_without_news(ctx, ana):
    log(5, START - timedelta(days=300))  # an old run, logged today: no item in the feed

    assert held()
    assert not db.session.scalar(select(func.count()).select_from(FeedItem))


def test_recompute_repairs_milestones_that_lost_step(ctx, ana):
    five = log(5, START)
    db.session.execute(delete(Milestone).where(Milestone.kind == "first_5k"))
    db.session.add(
        Milestone(user_id=runner().id, kind="first_marathon", run_id=five.id, earned_at=START)
    )

    changes = services.recompute(runner(), NOW)

    assert [(m.kind, m.run_id) for m in changes.earned] == [("first_5k", five.id)]
    assert changes.lost == [("first_marathon", "", five.id)]
    assert held() == recounted()


def test_a_run_logged_while_another_is_being_logged_counts_it_and_misses_no_total(app, ana):
    with app.app_context():
        log(40, START)
        log(45, START + timedelta(days=1))  # 85 km: the next two runs cross 100 km together
        db.session.commit()
    first_logged, first_may_commit = threading.Event(), threading.Event()
    ids: dict[str, int] = {}
    errors: list[Exception] = []

    def first() -> None:
        with app.app_context():
            try:
                ids["first"] = log(8, START + timedelta(days=2)).id
                first_logged.set()
                first_may_commit.wait(10)
                db.session.commit()
            except Exception as error:  # handed to the test
                errors.append(error)
                first_logged.set()
            finally:
                db.session.remove()

    def second() -> None:
        with app.app_context():
            try:
                ids["second"] = log(8, START + timedelta(days=3)).id
                db.session.commit()
            except Exception as error:  # handed to the test
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    first_logged.wait(10)
    threads[1].start()  # while the first run is logged but not committed
    threads[1].join(0.5)
    first_may_commit.set()
    for thread in threads:
        thread.join(20)

    assert not errors
    with app.app_context():
        assert ("total_100", "", ids["second"]) in held()
        assert held() == recounted()


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["log", "log", "log", "edit", "delete"]),
        st.integers(0, 120),  # days after START
        st.floats(0.5, 45.0).map(lambda km: round(km, 1)),
        st.integers(0, 30),  # which run to edit or delete
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=OPERATIONS)
def test_milestones_kept_as_runs_come_and_go_are_those_a_recount_gives(ctx, ana, operations):
    db.session.execute(delete(Run))
    db.session.execute(delete(Milestone))
    runs: list[Run] = []
    for action, day, km, which in operations:
        when = START + timedelta(days=day, hours=which % 5)
        if action == "log" or not runs:
            runs.append(log(km, when))
        elif action == "edit":
            run = runs[which % len(runs)]
            details = RunDetails(start_time=when, distance_m=km * 1000, duration_s=km * 330)
            activities.update_run(runner(), run, details, now=NOW)
        else:
            activities.delete_run(runner(), runs.pop(which % len(runs)), now=NOW)
        assert held() == recounted()
