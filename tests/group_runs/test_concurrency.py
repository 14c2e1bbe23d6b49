"""Many runners at once, real threads, real database: never overbooked, never a free place
while someone waits, and the waitlist in one consistent order."""

import random
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from community.accounts.models import User
from community.clubs.models import Club, Membership
from community.extensions import db
from community.group_runs import queries, scheduling, services
from community.group_runs.models import ARRIVAL_ORDER, GroupRun, PaceGroup, Rsvp, RsvpStatus
from tests.helpers import as_, html, make_club, make_runner

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)

# Every spec here ends with `flask check`: the counters match their rows.
pytestmark = pytest.mark.usefixtures("counters_checked")


def crowd(app, club_id: int, size: int) -> list[int]:
    """`size` club members, inserted in bulk (their passwords are never used)."""
    with app.app_context():
        ids = db.session.scalars(
            insert(User).returning(User.id),
            [
                {
                    "username": f"runner{n}",
                    "email": f"runner{n}@example.com",
                    "display_name": f"Runner {n}",
                    "password_hash": "unused",
                    "bio": "",
                    "units": "km",
                    "timezone": "UTC",
                    "default_visibility": "public",
                    "session_version": 1,
                    "created_at": NOW,
                }
                for n in range(size)
            ],
        ).all()
        db.session.execute(
            insert(Membership),
            [
                {"club_id": club_id, "user_id": uid, "role": "member", "joined_at": NOW}
                for uid in ids
            ],
        )
        db.session.commit()
        return list(ids)


def scheduled(app, club_id: int, capacity: int | None, *groups: int | None) -> int:
    """A run tomorrow: one group of `capacity` places, or pace groups of these capacities."""
    with app.app_context():
        club = db.session.get(Club, club_id)
        owner = db.session.get(
            User,
            club.id
            and db.session.scalar(
                select(Membership.user_id).where(
                    Membership.club_id == club_id, Membership.role == "owner"
                )
            ),
        )
        run = scheduling.schedule_run(
            owner,
            club,
            title="Race night",
            starts_at=NOW + timedelta(days=1),
            meeting_point="Track",
            now=NOW,
            capacity=capacity,
            pace_groups=[
                scheduling.PaceGroupSpec(name=f"Group {n}", capacity=places)
                for n, places in enumerate(groups, start=1)
            ],
        )
        db.session.commit()
        return run.id


def at_once(app, jobs: list) -> list[Exception]:
    barrier = threading.Barrier(len(jobs))
    errors: list[Exception] = []

    def run(job) -> None:
        with app.app_context():
            try:
                barrier.wait()
                job()
                db.session.commit()
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
    return errors


def rsvp_job(
    run_id: int, user_id: int, status: RsvpStatus, minute: float, group_id: int | None = None
):
    def job() -> None:
        services.rsvp(
            db.session.get(User, user_id),
            db.session.get(GroupRun, run_id),
            status,
            now=NOW + timedelta(minutes=minute),
            pace_group_id=group_id,
        )

    return job


def roster(app, run_id: int) -> tuple[int, int, int, int | None]:
    """(going, waitlisted, places taken, capacity) as the database has them."""
    with app.app_context():

        def count(status: str) -> int:
            return db.session.scalar(
                select(func.count(Rsvp.id)).where(Rsvp.run_id == run_id, Rsvp.status == status)
            )

        group = db.session.scalar(select(PaceGroup).where(PaceGroup.run_id == run_id))
        return count("going"), count("waitlisted"), group.taken, group.capacity


def test_200_runners_at_once_fill_20_places_and_wait_for_the_rest(app):
    club_id = make_club(app, make_runner(app, "olivia"), slug="riverside")
    runners = crowd(app, club_id, 200)
    run_id = scheduled(app, club_id, capacity=20)
    errors = at_once(app, [rsvp_job(run_id, uid, RsvpStatus.GOING, 0) for uid in runners])
    assert errors == []
    assert roster(app, run_id) == (20, 180, 20, 20)


def test_sixty_attempts_at_ten_places_never_overbook_repeated(app):
    club_id = make_club(app, make_runner(app, "olivia"), slug="riverside")
    runners = crowd(app, club_id, 60)
    for _ in range(5):
        run_id = scheduled(app, club_id, capacity=10)
        assert at_once(app, [rsvp_job(run_id, uid, RsvpStatus.GOING, 0) for uid in runners]) == []
        assert roster(app, run_id) == (10, 50, 10, 10)


def test_concurrent_cancels_and_rsvps_never_leave_a_place_free_while_someone_waits(app):
    club_id = make_club(app, make_runner(app, "olivia"), slug="riverside")
    runners = crowd(app, club_id, 40)
    rng = random.Random(7)
    for _ in range(3):
        run_id = scheduled(app, club_id, capacity=10)
        first, rest = runners[:20], runners[20:]
        assert (
            at_once(
                app, [rsvp_job(run_id, uid, RsvpStatus.GOING, n) for n, uid in enumerate(first)]
            )
            == []
        )
        cancels = [rsvp_job(run_id, uid, RsvpStatus.NOT_GOING, 30) for uid in rng.sample(first, 8)]
        joins = [rsvp_job(run_id, uid, RsvpStatus.GOING, 30) for uid in rest]
        jobs = cancels + joins
        rng.shuffle(jobs)
        assert at_once(app, jobs) == []
        going, waiting, taken, capacity = roster(app, run_id)
        assert going == taken <= capacity
        assert waiting == 0 or taken == capacity
        assert going + waiting == 20 - 8 + 20


def test_the_waitlist_order_is_the_order_of_arrival(app):
    club_id = make_club(app, make_runner(app, "olivia"), slug="riverside")
    runners = crowd(app, club_id, 6)
    run_id = scheduled(app, club_id, capacity=1)
    for minute, uid in enumerate(runners):
        assert at_once(app, [rsvp_job(run_id, uid, RsvpStatus.GOING, minute)]) == []
    with app.app_context():
        order = db.session.scalars(
            select(Rsvp.user_id)
            .where(Rsvp.run_id == run_id, Rsvp.status == "waitlisted")
            .order_by(*ARRIVAL_ORDER)
        ).all()
    assert order == runners[1:]


def arrivals(app, run_id: int) -> list[tuple[int, str]]:
    """(runner, status) of everyone going or waiting, in the app's one order of arrival."""
    with app.app_context():
        return [
            (row.user_id, row.status)
            for row in db.session.execute(
                select(Rsvp.user_id, Rsvp.status)
                .where(Rsvp.run_id == run_id, Rsvp.status.in_(["going", "waitlisted"]))
                .order_by(*ARRIVAL_ORDER)
            )
        ]


def waitlist_shown(app, run_id: int) -> list[int]:
    """The waitlist as the roster query gives it to the page."""
    with app.app_context():
        [group], _ = queries.roster(db.session.get(GroupRun, run_id))
        return [row.user_id for row in group.waiting]


def test_places_go_in_the_order_the_waitlist_shows_and_cancels_promote_its_head(app):
    # 200 runners ask at once for 20 places, each request stamped a millisecond after the
    # one before; the threads reach the database in no particular order.
    club_id = make_club(app, make_runner(app, "olivia"), slug="riverside")
    runners = crowd(app, club_id, 200)
    run_id = scheduled(app, club_id, capacity=20)
    milliseconds = 1 / 60_000
    jobs = [
        rsvp_job(run_id, uid, RsvpStatus.GOING, n * milliseconds) for n, uid in enumerate(runners)
    ]
    assert at_once(app, jobs) == []

    # Whoever got a place is ahead of everyone waiting: nobody waits who came first.
    order = arrivals(app, run_id)
    assert [status for _, status in order] == ["going"] * 20 + ["waitlisted"] * 180
    waiting = [uid for uid, _ in order[20:]]
    assert waitlist_shown(app, run_id) == waiting
    page = html(as_(app, "olivia").get(f"/group-runs/{run_id}?fragment=roster"))
    shown = re.search(r'<ol class="waitlist">(.*?)</ol>', page, re.S).group(1)
    names = {uid: f"Runner {n}" for n, uid in enumerate(runners)}
    # Each line: the runner's face, then their name.
    shown_names = [re.sub(r"<[^>]+>", "", line) for line in re.findall(r"<li>(.*?)</li>", shown)]
    assert shown_names == [names[uid] for uid in waiting]

    # Five place holders cancel at once: exactly the first five waiting take their places.
    holders = [uid for uid, _ in order[:20]]
    cancels = [rsvp_job(run_id, uid, RsvpStatus.NOT_GOING, 1) for uid in holders[:5]]
    assert at_once(app, cancels) == []
    assert {uid for uid, status in arrivals(app, run_id) if status == "going"} == {
        *holders[5:],
        *waiting[:5],
    }
    assert waitlist_shown(app, run_id) == waiting[5:]


def group_ids(app, run_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(PaceGroup.id).where(PaceGroup.run_id == run_id).order_by(PaceGroup.id)
            )
        )


def assert_places_match_the_rsvps(app, run_id: int) -> dict[int, tuple[int, int]]:
    """Each group's stored places against a recount of the RSVPs holding one; returns
    (places taken, runners waiting) by group."""
    with app.app_context():
        found = {}
        for group in db.session.scalars(select(PaceGroup).where(PaceGroup.run_id == run_id)):
            rows = db.session.execute(
                select(Rsvp.status, Rsvp.holds_place).where(Rsvp.pace_group_id == group.id)
            ).all()
            going = sum(1 for status, _ in rows if status == "going")
            waiting = sum(1 for status, _ in rows if status == "waitlisted")
            assert group.taken == sum(1 for _, holds in rows if holds) == going
            assert not any(holds for status, holds in rows if status != "going")
            assert group.capacity is None or group.taken <= group.capacity
            assert waiting == 0 or group.taken == group.capacity  # no free place while waiting
            found[group.id] = (group.taken, waiting)
        assert not db.session.scalar(
            select(func.count()).where(
                Rsvp.run_id == run_id, Rsvp.pace_group_id.is_(None), Rsvp.holds_place
            )
        )
        return found


def test_one_runner_going_then_not_going_from_twenty_tabs_at_once_holds_one_place(app):
    club_id = make_club(app, make_runner(app, "olivia"), slug="riverside")
    (ben,) = crowd(app, club_id, 1)
    run_id = scheduled(app, club_id, capacity=5)

    assert at_once(app, [rsvp_job(run_id, ben, RsvpStatus.GOING, 0)] * 20) == []
    assert roster(app, run_id) == (1, 0, 1, 5)
    assert_places_match_the_rsvps(app, run_id)

    assert at_once(app, [rsvp_job(run_id, ben, RsvpStatus.NOT_GOING, 1)] * 20) == []
    assert roster(app, run_id) == (0, 0, 0, 5)
    assert_places_match_the_rsvps(app, run_id)


def test_one_runner_choosing_pace_groups_from_many_tabs_at_once_holds_one_place(app):
    club_id = make_club(app, make_runner(app, "olivia"), slug="riverside")
    (ben,) = crowd(app, club_id, 1)
    run_id = scheduled(app, club_id, None, 3, 3, None)
    groups = group_ids(app, run_id)
    tabs = [
        rsvp_job(run_id, ben, status, 0, group)
        for group, status in [(g, RsvpStatus.GOING) for g in groups] + [(None, RsvpStatus.MAYBE)]
    ]

    for _ in range(3):
        assert at_once(app, tabs * 5) == []
        places = assert_places_match_the_rsvps(app, run_id)
        assert sum(taken for taken, _ in places.values()) <= 1
        assert at_once(app, [rsvp_job(run_id, ben, RsvpStatus.NOT_GOING, 1)] * 10) == []
        assert assert_places_match_the_rsvps(app, run_id) == {g: (0, 0) for g in groups}


def test_many_runners_going_then_cancelling_in_several_groups_at_once_keep_every_count(app):
    club_id = make_club(app, make_runner(app, "olivia"), slug="riverside")
    runners = crowd(app, club_id, 24)
    run_id = scheduled(app, club_id, None, 4, 6)
    first, second = group_ids(app, run_id)
    choice = {uid: (first, second)[n % 2] for n, uid in enumerate(runners)}

    going = [rsvp_job(run_id, uid, RsvpStatus.GOING, 0, choice[uid]) for uid in runners]
    assert at_once(app, going * 2) == []
    assert assert_places_match_the_rsvps(app, run_id) == {first: (4, 8), second: (6, 6)}

    # Half of them switch groups while the other half cancel, each from two tabs.
    moving, leaving = runners[::2], runners[1::2]
    jobs = [rsvp_job(run_id, uid, RsvpStatus.GOING, 1, second) for uid in moving] + [
        rsvp_job(run_id, uid, RsvpStatus.NOT_GOING, 1) for uid in leaving
    ]
    assert at_once(app, jobs * 2) == []
    places = assert_places_match_the_rsvps(app, run_id)
    assert places[first] == (0, 0)
    assert places[second][0] == 6
    assert sum(places[second]) == 12
