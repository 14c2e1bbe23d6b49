"""Which run earns which milestone: fixed histories, fixed answers (no database)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from community.milestones import rules
from community.milestones.rules import ClubJoined, RunFact

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)


def runs(*km: float, every: timedelta = timedelta(days=1), group: int | None = None) -> list:
    return [
        RunFact(n + 1, MONDAY + n * every, metres * 1000, group_run=n + 1 == group)
        for n, metres in enumerate(km)
    ]


def earned(history: list[RunFact], clubs: tuple = ()) -> list[tuple[str, str, int | None]]:
    return [item.ident for item in rules.from_runs(history, BERLIN, clubs)]


def test_the_first_run_and_each_first_distance_are_earned_once_by_the_run_that_reached_them():
    assert earned(runs(3, 5, 4, 10.2, 21.1, 6, 42.2)) == [
        ("first_run", "", 1),
        ("first_5k", "", 2),
        ("first_10k", "", 4),
        ("first_half", "", 5),
        ("first_marathon", "", 7),
        ("longest_run", "7", 7),
    ]


def test_a_race_measured_a_little_short_by_the_watch_still_counts():
    # 1 % short of 21.0975 km is 20.887 km.
    assert ("first_half", "", 1) in earned(runs(20.9))
    assert ("first_half", "", 1) not in earned(runs(20.8))


def test_the_longest_run_so_far_is_news_only_from_the_sixth_run_on():
    history = runs(2, 3, 4, 5, 6, 7, 6.5, 8)
    longest = [ident for ident in earned(history) if ident[0] == "longest_run"]
    assert longest == [("longest_run", "6", 6), ("longest_run", "8", 8)]


def test_lifetime_totals_are_earned_by_the_run_that_crosses_them():
    history = runs(*[10] * 9, 10.5, *[40] * 10)  # 100.5 km after run 10, 500.5 after run 20
    found = earned(history)
    assert ("total_100", "", 10) in found
    assert ("total_500", "", 20) in found
    assert ("total_1000", "", None) not in [(k, key, None) for k, key, _ in found]


def test_a_total_on_its_edge_counts_whatever_the_order_of_the_additions():
    # 0.1 + 0.2 is not 0.3 in floating point: the totals compare to the decimetre.
    history = runs(*[33.3] * 2, 33.4)
    assert ("total_100", "", 3) in earned(history)


def test_a_streak_counts_weeks_in_a_row_in_the_runners_zone():
    weekly = runs(*[5] * 12, every=timedelta(weeks=1))
    found = earned(weekly)
    assert ("streak_4", "", 4) in found
    assert ("streak_12", "", 12) in found
    # Sunday 23:30 in Berlin is still Sunday there (22:30 UTC), though Monday is close.
    sunday_late = datetime(2027, 1, 10, 22, 30, tzinfo=UTC)
    assert rules.week_of(sunday_late, BERLIN) == rules.week_of(MONDAY, BERLIN)
    assert (
        rules.week_of(sunday_late + timedelta(hours=1), BERLIN) == rules.week_of(MONDAY, BERLIN) + 1
    )


def test_a_missed_week_starts_the_streak_again_and_a_streak_is_earned_once():
    history = runs(*[5] * 3, every=timedelta(weeks=1))
    gap = MONDAY + timedelta(weeks=4)
    history += [RunFact(10 + n, gap + timedelta(weeks=n), 5000) for n in range(8)]
    streaks = [ident for ident in earned(history) if ident[0].startswith("streak")]
    assert streaks == [("streak_4", "", 13)]  # the 4th week of the second run of weeks


def test_two_runs_in_one_week_count_one_week():
    history = runs(*[5] * 8, every=timedelta(days=3, hours=12))  # two a week, four weeks
    assert [i for i in earned(history) if i[0] == "streak_4"] == [("streak_4", "", 7)]


def test_the_first_group_run_is_the_first_run_linked_to_one():
    assert ("first_group_run", "", 3) in earned(runs(5, 5, 5, 5, group=3))


def test_a_club_anniversary_is_earned_by_the_first_run_on_or_after_it_each_year():
    joined = ClubJoined(7, "Riverside Runners", datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    history = [
        RunFact(1, datetime(2027, 1, 5, 8, 0, tzinfo=UTC), 5000),  # the day before
        RunFact(2, datetime(2027, 1, 9, 8, 0, tzinfo=UTC), 5000),  # first after
        RunFact(3, datetime(2027, 2, 1, 8, 0, tzinfo=UTC), 5000),
        RunFact(4, datetime(2029, 3, 1, 8, 0, tzinfo=UTC), 5000),  # skipped 2028: 3 years
    ]
    anniversaries = [i for i in earned(history, (joined,)) if i[0] == "club_anniversary"]
    assert anniversaries == [("club_anniversary", "7:1", 2), ("club_anniversary", "7:3", 4)]


def test_an_anniversary_of_the_29th_of_february_falls_on_the_28th():
    assert rules.anniversary(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert rules.years_since(date(2028, 2, 29), date(2029, 2, 27)) == 0
    assert rules.years_since(date(2028, 2, 29), date(2029, 2, 28)) == 1


def test_the_tally_of_a_history_earns_for_the_next_run_what_the_whole_walk_does():
    history = runs(5, 10, 3, 21.1, 8, 12, 2, 30, 5, 5)
    walked = rules.Tally(BERLIN)
    for run in history[:-1]:
        walked.add(run)
    summary = rules.Tally(
        BERLIN,
        runs=walked.runs,
        total_m=sum(r.distance_m for r in history[:-1]),
        longest_m=max(r.distance_m for r in history[:-1]),
        last_week=walked.last_week,
        streak=walked.streak,
        have=set(walked.have),
    )
    assert summary.add(history[-1]) == walked.add(history[-1])


def test_the_streak_before_a_week_counts_back_until_a_week_without_runs():
    assert rules.streak_before({10, 11, 12, 14}, 12) == 3
    assert rules.streak_before({10, 11, 12, 14}, 14) == 1
    assert rules.streak_before(set(), 14) == 0
