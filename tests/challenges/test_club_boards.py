"""A club's own boards: weekly in the club's time zone, most consistent, most improved."""

from datetime import UTC, datetime, timedelta

import pytest

from community.activities.models import Run
from community.challenges import club_boards
from community.clubs.services import join as join_club
from community.extensions import db
from tests.challenges.builders import club, runner
from tests.helpers import log_in, make_club, make_runner, text

# Wednesday 18 March 2026, noon UTC; in Auckland (UTC+13) it is already Thursday 01:00.
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


def add_run(user, start, km=5.0, minutes=30.0, visibility="public"):
    db.session.add(
        Run(
            user_id=user.id,
            title="run",
            start_time=start,
            distance_m=km * 1000,
            duration_s=minutes * 60,
            visibility=visibility,
        )
    )
    db.session.flush()


@pytest.fixture
def crew(ctx):
    ana, ben, cat = runner("ana"), runner("ben"), runner("cat")
    riverside = club(ana, timezone="Europe/London")
    join_club(ben, riverside)
    join_club(cat, riverside)
    return riverside, {"ana": ana, "ben": ben, "cat": cat}


def board(rows):
    return [(row.rank, row.user.username, row.value) for row in rows]


def test_the_weekly_board_sums_this_weeks_runs_from_monday(crew):
    riverside, people = crew
    monday = datetime(2026, 3, 16, 7, 0, tzinfo=UTC)
    add_run(people["ana"], monday, km=10)
    add_run(people["ben"], monday, km=6)
    add_run(people["ben"], monday + timedelta(days=1), km=4)
    add_run(people["cat"], monday - timedelta(hours=8), km=30)  # last Sunday
    assert board(club_boards.weekly(riverside, NOW)) == [(1, "ana", 10_000), (1, "ben", 10_000)]


def test_the_club_pages_top_of_the_week_is_read_by_the_database_ties_and_all(crew):
    """The club page shows the top of a board of five (ranks 1, 1, 3, 3, 5): the rows
    read are the runners a full board puts first, with the same ranks."""
    riverside, people = crew
    for name in ("dan", "eve"):
        people[name] = runner(name)
        join_club(people[name], riverside)
    monday = datetime(2026, 3, 16, 7, 0, tzinfo=UTC)
    for name, km in (("ana", 8), ("ben", 12), ("cat", 12), ("dan", 5), ("eve", 8)):
        add_run(people[name], monday, km=km)

    full = board(club_boards.weekly(riverside, NOW))
    assert [rank for rank, _, _ in full] == [1, 1, 3, 3, 5]
    assert board(club_boards.weekly(riverside, NOW, top=2)) == full[:2]
    assert board(club_boards.weekly(riverside, NOW, top=4)) == full[:4]


def test_last_weeks_board_and_other_measures(crew):
    riverside, people = crew
    last_week = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
    add_run(people["cat"], last_week, km=8, minutes=45)
    add_run(people["cat"], last_week + timedelta(days=1), km=8, minutes=45)
    add_run(people["ana"], last_week, km=21, minutes=120)
    assert board(club_boards.weekly(riverside, NOW, measure="runs", weeks_ago=1)) == [
        (1, "cat", 2),
        (2, "ana", 1),
    ]
    assert board(club_boards.weekly(riverside, NOW, measure="time", weeks_ago=1))[0] == (
        1,
        "ana",
        7200,
    )


def test_weeks_follow_the_clubs_time_zone(ctx):
    kiri = runner("kiri")
    auckland = club(kiri, "auckland-harriers", timezone="Pacific/Auckland")
    # Monday 16 March 06:00 in Auckland is Sunday 15 March 17:00 UTC.
    add_run(kiri, datetime(2026, 3, 15, 17, 0, tzinfo=UTC), km=7)
    assert board(club_boards.weekly(auckland, NOW)) == [(1, "kiri", 7000)]


def test_private_runs_and_hidden_runners_stay_off_the_club_board(crew):
    riverside, people = crew
    monday = datetime(2026, 3, 16, 7, 0, tzinfo=UTC)
    add_run(people["ana"], monday, km=10, visibility="private")
    add_run(people["ben"], monday, km=6)
    people["ben"].leaderboard_hidden = True
    add_run(people["cat"], monday, km=3)
    assert board(club_boards.weekly(riverside, NOW)) == [(1, "cat", 3000)]


def test_most_consistent_counts_weeks_with_a_run(crew):
    riverside, people = crew
    monday = datetime(2026, 3, 16, 7, 0, tzinfo=UTC)
    for week in range(5):
        add_run(people["ana"], monday - timedelta(weeks=week), km=3)
    for _ in range(4):
        add_run(people["ben"], monday, km=15)  # four runs, one week
    assert board(club_boards.most_consistent(riverside, NOW)) == [(1, "ana", 5), (2, "ben", 1)]


def test_most_improved_compares_this_month_with_the_runners_own_average(crew):
    riverside, people = crew
    for month in (12, 1, 2):  # December, January, February: 20 km a month
        year = 2025 if month == 12 else 2026
        add_run(people["ana"], datetime(year, month, 10, 7, 0, tzinfo=UTC), km=20)
        add_run(people["ben"], datetime(year, month, 10, 7, 0, tzinfo=UTC), km=100)
    add_run(people["ana"], datetime(2026, 3, 5, 7, 0, tzinfo=UTC), km=30)
    add_run(people["ben"], datetime(2026, 3, 5, 7, 0, tzinfo=UTC), km=50)
    add_run(people["cat"], datetime(2026, 3, 5, 7, 0, tzinfo=UTC), km=80)  # no history
    rows = club_boards.most_improved(riverside, NOW).rows
    assert board(rows) == [(1, "ana", 150.0), (2, "ben", 50.0)]
    assert rows[0].baseline == pytest.approx(20_000)


def test_most_improved_compares_this_months_days_so_far_with_the_same_days_before(crew):
    riverside, people = crew
    # Each month before: 20 km by the 10th, then 60 km at the end of the month. On the
    # 18th of March only the first 20 km of each are the same days as March so far.
    for year, month, last in ((2025, 12, 31), (2026, 1, 31), (2026, 2, 28)):
        add_run(people["ana"], datetime(year, month, 10, 7, 0, tzinfo=UTC), km=20)
        add_run(people["ana"], datetime(year, month, last, 7, 0, tzinfo=UTC), km=60)
    add_run(people["ana"], datetime(2026, 3, 12, 7, 0, tzinfo=UTC), km=20)
    improved = club_boards.most_improved(riverside, NOW)
    assert improved.days == 18
    assert board(improved.rows) == [(1, "ana", 100.0)]
    assert improved.rows[0].baseline == pytest.approx(20_000)


def test_most_improved_cuts_each_month_before_at_the_same_hour_of_the_same_day(crew):
    riverside, people = crew
    # Noon on the 18th in London: a run at 11:00 on 18 February is in, one at 13:00 not.
    add_run(people["ben"], datetime(2026, 2, 18, 11, 0, tzinfo=UTC), km=9)
    add_run(people["ben"], datetime(2026, 2, 18, 13, 0, tzinfo=UTC), km=50)
    add_run(people["ben"], datetime(2026, 3, 2, 7, 0, tzinfo=UTC), km=3)
    (row,) = club_boards.most_improved(riverside, NOW).rows
    assert row.baseline == pytest.approx(3_000)  # 9 km over 3 months
    assert row.value == 100.0


def test_a_private_clubs_boards_are_for_members_only(app):
    owner = make_runner(app, "ana")
    make_runner(app, "ben")
    make_club(app, owner, slug="secret", visibility="private")
    client = app.test_client()
    log_in(client, "ben")
    assert client.get("/challenges/clubs/secret/boards").status_code == 404


def test_the_boards_page_shows_every_board(app):
    owner = make_runner(app, "ana")
    make_club(app, owner, slug="riverside")
    client = app.test_client()
    log_in(client, "ana")
    page = text(client.get("/challenges/clubs/riverside/boards?measure=time&week=last"))
    assert "Last week: time" in page
    assert "Most consistent" in page
    assert "Most improved" in page
    assert "against each runner's own average over the same" in page
