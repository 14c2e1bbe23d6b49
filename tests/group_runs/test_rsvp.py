"""RSVPs: places, waitlists first come first served, promotion, and the rules around them."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from community.accounts import services as accounts
from community.accounts.models import User
from community.clubs.models import Club
from community.db_types import utcnow
from community.extensions import db
from community.group_runs import scheduling, services
from community.group_runs.models import ARRIVAL_ORDER, GroupRun, PaceGroup, Rsvp, RsvpStatus
from tests.helpers import PASSWORD, add_member, make_club, make_runner

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
GOING, MAYBE, NOT_GOING = RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.NOT_GOING
NAMES = ("olivia", "ana", "ben", "cleo", "dev", "emma")


@pytest.fixture
def club_id(app):
    people = {name: make_runner(app, name) for name in (*NAMES, "stranger")}
    club_id = make_club(app, people["olivia"], slug="riverside", visibility="private")
    for name in NAMES[1:]:
        add_member(app, club_id, people[name])
    return club_id


def user(name: str) -> User:
    return db.session.scalar(select(User).where(User.username == name))


def schedule(club_id: int, **kwargs) -> GroupRun:
    values = {
        "title": "Tuesday tempo",
        "starts_at": NOW + timedelta(days=1),
        "meeting_point": "The bandstand",
        "now": NOW,
        **kwargs,
    }
    return scheduling.schedule_run(user("olivia"), db.session.get(Club, club_id), **values)


def status_of(run: GroupRun, name: str) -> str | None:
    row = db.session.scalar(
        select(Rsvp).where(Rsvp.run_id == run.id, Rsvp.user_id == user(name).id)
    )
    return row.status if row else None


def waitlist(group: PaceGroup) -> list[str]:
    rows = db.session.scalars(
        select(Rsvp)
        .where(Rsvp.pace_group_id == group.id, Rsvp.status == "waitlisted")
        .order_by(*ARRIVAL_ORDER)
    )
    return [row.user.username for row in rows]


def say(
    run: GroupRun, name: str, status=GOING, *, minutes: int = 0, group: PaceGroup | None = None
):
    return services.rsvp(
        user(name),
        run,
        status,
        now=NOW + timedelta(minutes=minutes),
        pace_group_id=group.id if group else None,
    )


def test_going_takes_a_place_until_full_then_the_waitlist(club_id, ctx):
    run = schedule(club_id, capacity=2)
    for minute, name in enumerate(["ana", "ben", "cleo", "dev"]):
        say(run, name, minutes=minute)
    group = run.pace_groups[0]
    assert [status_of(run, n) for n in ("ana", "ben", "cleo", "dev")] == [
        "going",
        "going",
        "waitlisted",
        "waitlisted",
    ]
    assert group.taken == 2
    assert waitlist(group) == ["cleo", "dev"]


def test_a_cancel_promotes_the_first_waiting_runner(club_id, ctx):
    run = schedule(club_id, capacity=1)
    say(run, "ana")
    say(run, "ben", minutes=1)
    say(run, "cleo", minutes=2)
    say(run, "ana", NOT_GOING, minutes=3)
    assert (status_of(run, "ben"), status_of(run, "cleo")) == ("going", "waitlisted")
    assert run.pace_groups[0].taken == 1


def test_moving_to_another_group_frees_the_place_for_the_first_waiting(club_id, ctx):
    run = schedule(
        club_id,
        pace_groups=[
            scheduling.PaceGroupSpec("5:00/km", 1),
            scheduling.PaceGroupSpec("6:00/km", 5),
        ],
    )
    fast, steady = run.pace_groups
    say(run, "ana", group=fast)
    say(run, "ben", group=fast, minutes=1)
    say(run, "ana", group=steady, minutes=2)
    assert status_of(run, "ben") == "going"
    assert (fast.taken, steady.taken) == (1, 1)


def test_raising_the_capacity_promotes_in_order(club_id, ctx):
    run = schedule(club_id, capacity=1)
    for minute, name in enumerate(["ana", "ben", "cleo", "dev"]):
        say(run, name, minutes=minute)
    group = run.pace_groups[0]
    services.set_capacity(user("olivia"), run, group.id, 3)
    assert [status_of(run, n) for n in ("ben", "cleo", "dev")] == ["going", "going", "waitlisted"]


def test_capacity_cannot_drop_below_the_places_taken(club_id, ctx):
    run = schedule(club_id, capacity=3)
    say(run, "ana")
    say(run, "ben")
    with pytest.raises(services.GroupRunError, match="already hold places"):
        services.set_capacity(user("olivia"), run, run.pace_groups[0].id, 1)


def test_leaders_do_not_count_toward_the_capacity(club_id, ctx):
    run = schedule(
        club_id, pace_groups=[scheduling.PaceGroupSpec("Steady", 1, leader_id=user("emma").id)]
    )
    say(run, "emma")
    say(run, "ana")
    assert (status_of(run, "emma"), status_of(run, "ana")) == ("going", "going")
    assert run.pace_groups[0].taken == 1


def test_maybe_and_not_going_hold_no_place(club_id, ctx):
    run = schedule(club_id, capacity=1)
    say(run, "ana", MAYBE)
    say(run, "ben", NOT_GOING)
    say(run, "cleo")
    assert [status_of(run, n) for n in ("ana", "ben", "cleo")] == ["maybe", "not_going", "going"]


def test_saying_going_twice_keeps_the_place_and_the_queue_position(club_id, ctx):
    run = schedule(club_id, capacity=1)
    say(run, "ana")
    say(run, "ben", minutes=1)
    say(run, "cleo", minutes=2)
    say(run, "ben", minutes=3)
    assert waitlist(run.pace_groups[0]) == ["ben", "cleo"]
    assert run.pace_groups[0].taken == 1


def test_no_rsvp_after_the_start_or_the_deadline(club_id, ctx):
    run = schedule(club_id, rsvp_deadline=NOW + timedelta(hours=2))
    with pytest.raises(services.GroupRunError, match="closed at the deadline"):
        say(run, "ana", minutes=3 * 60)
    with pytest.raises(services.GroupRunError, match="already started"):
        say(run, "ana", minutes=25 * 60)


def test_non_members_of_a_private_club_cannot_rsvp(club_id, ctx):
    run = schedule(club_id)
    with pytest.raises(services.NotAllowed):
        say(run, "stranger")


def test_only_admins_schedule_runs(club_id, ctx):
    with pytest.raises(services.NotAllowed):
        scheduling.schedule_run(
            user("ana"),
            db.session.get(Club, club_id),
            title="x",
            starts_at=NOW + timedelta(days=1),
            meeting_point="here",
            now=NOW,
        )


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"starts_at": NOW - timedelta(hours=1)}, "date"),
        ({"rsvp_deadline": NOW + timedelta(days=2)}, "rsvp_deadline"),
        ({"latitude": 51.5}, "latitude"),
        (
            {"pace_groups": [scheduling.PaceGroupSpec("A"), scheduling.PaceGroupSpec("a")]},
            "pace_groups",
        ),
    ],
)
def test_bad_schedules_are_refused_with_the_field_to_fix(club_id, ctx, kwargs, field):
    with pytest.raises(services.GroupRunError) as refused:
        schedule(club_id, **kwargs)
    assert refused.value.field == field


def test_the_database_refuses_overbooking_whatever_the_code_does(club_id, ctx):
    run = schedule(club_id, capacity=1)
    group = run.pace_groups[0]
    group.taken = 2
    with pytest.raises(Exception, match=r"(?i)constraint|check"):
        db.session.flush()
    db.session.rollback()


def test_a_deleted_runners_places_are_given_back_and_the_first_waiting_moves_up(club_id, ctx):
    now = utcnow()
    upcoming = schedule(club_id, capacity=1, starts_at=now + timedelta(days=1), now=now)
    earlier = schedule(club_id, capacity=1, starts_at=now + timedelta(hours=1), now=now)
    for run in (upcoming, earlier):
        services.rsvp(user("ana"), run, GOING, now=now)
        services.rsvp(user("ben"), run, GOING, now=now + timedelta(minutes=1))
    upcoming.cancelled_at = now  # a cancelled run promotes nobody, yet counts no ghost

    accounts.delete_account(user("ana"), password=PASSWORD)

    assert status_of(earlier, "ben") == "going"
    assert earlier.pace_groups[0].taken == 1
    assert status_of(upcoming, "ben") == "waitlisted"
    assert upcoming.pace_groups[0].taken == 0
