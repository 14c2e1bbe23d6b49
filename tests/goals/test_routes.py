"""The goals pages: set a goal in the runner's units, see its verdict with the numbers and
its progress, edit, step and delete it; nobody else's goals are reachable."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from community.activities.models import Run
from community.db_types import utcnow
from community.extensions import db
from community.goals.models import Goal
from tests.helpers import add_member, as_, make_club, make_runner, statements_run, submit, text


@pytest.fixture
def ana(app):
    return make_runner(app, "ana", timezone="Europe/Berlin")


def goals(app) -> list[Goal]:
    with app.app_context():
        found = list(db.session.scalars(select(Goal).order_by(Goal.id)))
        db.session.expunge_all()
        return found


def today() -> date:
    return utcnow().date()


def log_weeks(app, user_id: int, km_a_week: float, weeks: int = 4) -> None:
    with app.app_context():
        now = utcnow()
        for week in range(1, weeks + 1):
            db.session.add(
                Run(
                    user_id=user_id,
                    title="steady",
                    start_time=now - timedelta(weeks=week),
                    distance_m=km_a_week * 1000,
                    duration_s=km_a_week * 330,
                )
            )
        db.session.commit()


def test_a_weekly_goal_is_set_in_km_for_its_weeks_and_listed_with_its_verdict(app, ana):
    log_weeks(app, ana.id, 28)
    client = as_(app, "ana")
    start = today() + timedelta(days=7)

    response = submit(
        client,
        "/goals/new",
        {
            "kind": "weekly",
            "measure": "distance_m",
            "amount": "30",
            "starts_on": start.isoformat(),
            "weeks": "8",
        },
    )

    assert response.status_code == 302
    [goal] = goals(app)
    assert (goal.target, goal.starts_on, goal.ends_on) == (
        30_000,
        start,
        start + timedelta(days=55),
    )
    page = text(client.get("/goals/"))
    assert "30 km a week for 8 weeks" in page
    assert "Upcoming" in page
    assert "It asks 30 km a week; your last 4 weeks averaged 28 km a week." in page


def test_a_goal_past_a_safe_build_up_is_kept_with_a_warning_and_the_nearest_goals_that_fit(
    app, ana
):
    log_weeks(app, ana.id, 18)
    client = as_(app, "ana")

    submit(
        client,
        "/goals/new",
        {
            "kind": "weekly",
            "measure": "distance_m",
            "amount": "30",
            "starts_on": today().isoformat(),
            "weeks": "8",
        },
    )

    page = text(client.get("/goals/"))
    assert "More than a safe build-up allows." in page
    assert "your last 4 weeks averaged 18 km a week" in page
    assert "allows 19.8 km a week by its first week" in page
    assert "Nearest goals that fit: 19 km a week or the same until" in page
    [goal] = goals(app)
    offer = client.get(f"/goals/{goal.id}/edit?amount=19")
    assert 'value="19"' in offer.get_data(as_text=True)


def test_a_race_goal_takes_a_time_and_is_judged_by_the_predicted_time(app, ana):
    with app.app_context():
        db.session.add(
            Run(
                user_id=ana.id,
                title="parkrun",
                start_time=utcnow() - timedelta(days=5),
                distance_m=5000,
                duration_s=24 * 60,
            )
        )
        db.session.commit()
    client = as_(app, "ana")
    deadline = today() + timedelta(weeks=9)

    submit(
        client,
        "/goals/new",
        {
            "kind": "race",
            "race_label": "10 km",
            "race_time": "49:00",
            "starts_on": today().isoformat(),
            "ends_on": deadline.isoformat(),
        },
    )

    page = text(client.get("/goals/"))
    assert f"10 km under 49:00 by {deadline:%-d %b %Y}" in page
    assert "Your recent runs predict 50:02" in page
    assert "On track" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "race", "race_label": "10 km", "race_time": "fast"}, "Enter the time to beat"),
        ({"kind": "total", "measure": "distance_m", "amount": "lots"}, "Enter a number."),
        ({"kind": "total", "measure": "distance_m", "amount": "-3"}, "A target is above zero."),
        (
            {"kind": "total", "measure": "distance_m", "amount": "100", "ends_on": ""},
            "Enter the deadline.",
        ),
        (
            {"kind": "weekly", "measure": "runs", "amount": "3", "weeks": "4"},
            "Choose distance or time each week.",
        ),
        (
            {"kind": "habit", "amount": "20", "weeks": "4"},
            "Runs a week: a whole number from 1 to 14.",
        ),
        ({"kind": "habit", "amount": "3", "weeks": "500"}, "1 to 104 weeks."),
    ],
)
def test_a_goal_that_is_not_smart_is_refused_with_its_field_and_nothing_is_saved(
    app, ana, fields, message
):
    dates = {
        "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=60)).isoformat(),
    }
    response = submit(as_(app, "ana"), "/goals/new", {**dates, **fields})

    assert response.status_code == 400
    assert message in text(response)
    assert goals(app) == []


def test_progress_moves_with_the_runs_logged_in_the_goals_window(app, ana):
    client = as_(app, "ana")
    start = today() - timedelta(days=3)
    submit(
        client,
        "/goals/new",
        {
            "kind": "total",
            "measure": "distance_m",
            "amount": "100",
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=27)).isoformat(),
        },
    )
    with app.app_context():
        db.session.add(
            Run(
                user_id=ana.id,
                title="long",
                start_time=utcnow() - timedelta(hours=2),
                distance_m=21_100,
                duration_s=7200,
            )
        )
        db.session.commit()

    page = text(client.get("/goals/"))

    assert "21.1 km of 100 km" in page


def test_a_total_gets_its_monthly_steps_and_deleting_it_asks_first_and_takes_them(app, ana):
    client = as_(app, "ana")
    submit(
        client,
        "/goals/new",
        {
            "kind": "total",
            "measure": "distance_m",
            "amount": "1000",
            "starts_on": today().isoformat(),
            "ends_on": (today() + timedelta(days=364)).isoformat(),
        },
    )
    [goal] = goals(app)

    submit(client, f"/goals/{goal.id}/steps", {}, page="/goals/")
    assert 12 <= len(goals(app)) - 1 <= 13
    page = client.get("/goals/").get_data(as_text=True)
    assert 'data-confirm="Delete this goal and its steps?"' in page

    submit(client, f"/goals/{goal.id}/delete", {}, page="/goals/")
    assert goals(app) == []


def test_someone_elses_goal_cannot_be_seen_edited_stepped_or_deleted(app, ana):
    make_runner(app, "ben")
    submit(
        as_(app, "ana"),
        "/goals/new",
        {"kind": "habit", "amount": "3", "starts_on": today().isoformat(), "weeks": "4"},
    )
    [goal] = goals(app)
    ben = as_(app, "ben")

    assert ben.get(f"/goals/{goal.id}/edit").status_code == 404
    assert (
        submit(
            ben,
            f"/goals/{goal.id}/edit",
            {"kind": "habit", "amount": "5", "starts_on": today().isoformat(), "weeks": "4"},
            page="/goals/",
        ).status_code
        == 404
    )
    assert submit(ben, f"/goals/{goal.id}/steps", {}, page="/goals/").status_code == 404
    assert submit(ben, f"/goals/{goal.id}/delete", {}, page="/goals/").status_code == 404
    assert "Run 3 times a week" not in text(ben.get("/goals/"))
    assert [g.target for g in goals(app)] == [3]


def test_the_goals_pages_need_a_login(client):
    assert client.get("/goals/").status_code == 302
    assert client.get("/goals/new").status_code == 302


def test_the_goals_page_reads_four_statements_for_twelve_goals_as_for_four(app, ana):
    club_id = make_club(app, make_runner(app, "cleo"), slug="riverside")
    add_member(app, club_id, ana)
    # The runner with the bell (1), the goals (1), their runs with the recent efforts for
    # race goals (1), the last twelve weeks (1).
    client = as_(app, "ana")
    start, end = today().isoformat(), (today() + timedelta(days=60)).isoformat()
    kinds = [
        {"kind": "total", "measure": "distance_m", "amount": "100"},
        {"kind": "weekly", "measure": "duration_s", "amount": "3", "weeks": "4"},
        {"kind": "habit", "amount": "3", "weeks": "6"},
        {"kind": "race", "race_label": "5 km", "race_time": "25:00"},
    ]
    counted = []
    for _ in range(3):
        for fields in kinds:
            shared = {"club_id": str(club_id)}  # each card says the club it is shared with
            submit(client, "/goals/new", {"starts_on": start, "ends_on": end, **shared, **fields})
        with statements_run(app) as seen:
            assert client.get("/goals/").status_code == 200
        counted.append(len(seen))

    assert len(goals(app)) == 12
    assert counted == [4, 4, 4]
