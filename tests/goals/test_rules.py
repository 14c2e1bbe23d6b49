"""Achievability, from fixed histories to fixed answers: volume grows by 10 % a week at
most (and never past twice the base), runs a week by one every two weeks, race times by
Riegel's prediction and half a per cent a week of training."""

from datetime import date

import pytest

from community.goals import rules
from community.goals.models import Measure

TODAY = date(2027, 1, 4)
KM = 1000.0


def test_the_base_is_the_last_four_weeks_average_or_a_beginners_week():
    assert rules.base_of([5 * KM, 40 * KM, 20 * KM, 20 * KM, 20 * KM], Measure.DISTANCE) == 25 * KM
    assert rules.base_of([], Measure.DISTANCE) == 10 * KM
    assert rules.base_of([0, 0, 1, 1], Measure.RUNS) == 2


def test_volume_allows_ten_per_cent_a_week_and_never_more_than_twice_the_base():
    assert rules.allowed_in_week(20 * KM, Measure.DISTANCE, 1) == pytest.approx(22 * KM)
    assert rules.allowed_in_week(20 * KM, Measure.DISTANCE, 2) == pytest.approx(24.2 * KM)
    assert rules.allowed_in_week(20 * KM, Measure.DISTANCE, 30) == pytest.approx(40 * KM)


def test_runs_a_week_grow_by_one_every_two_weeks_up_to_fourteen():
    assert [rules.allowed_in_week(3, Measure.RUNS, k) for k in (1, 2, 3, 4)] == [3, 4, 4, 5]
    assert rules.allowed_in_week(13, Measure.RUNS, 10) == 14


def test_a_weekly_goal_within_reach_of_the_base_fits():
    verdict = rules.judge_weekly(
        Measure.DISTANCE, 30 * KM, date(2027, 1, 11), date(2027, 3, 7), TODAY, [28 * KM] * 4
    )

    assert verdict.fits
    assert verdict.allows == pytest.approx(28 * KM * 1.1**2)


def test_a_weekly_goal_too_far_above_the_base_warns_with_a_lower_target_and_a_later_date():
    verdict = rules.judge_weekly(
        Measure.DISTANCE, 30 * KM, date(2027, 1, 4), date(2027, 2, 28), TODAY, [18 * KM] * 4
    )

    assert not verdict.fits
    assert (verdict.asks, verdict.base) == (30 * KM, 18 * KM)
    assert verdict.allows == pytest.approx(19.8 * KM)
    assert verdict.lower_target == 19 * KM
    # 18 x 1.1^6 = 31.9 km: six weeks of growth instead of one, five weeks later
    assert verdict.later_end == date(2027, 4, 4)


def test_a_weekly_goal_past_twice_the_base_has_no_later_date_only_a_lower_target():
    verdict = rules.judge_weekly(
        Measure.DISTANCE, 60 * KM, TODAY, date(2027, 2, 28), TODAY, [20 * KM] * 4
    )

    assert not verdict.fits and verdict.later_end is None
    assert verdict.lower_target == 22 * KM


def test_a_year_total_is_weighed_against_the_sum_its_weeks_allow():
    fits = rules.judge_total(
        Measure.DISTANCE, 1000 * KM, 0, date(2027, 1, 1), date(2027, 12, 31), TODAY, [20 * KM] * 4
    )
    too_much = rules.judge_total(
        Measure.DISTANCE, 3000 * KM, 0, date(2027, 1, 1), date(2027, 12, 31), TODAY, [20 * KM] * 4
    )

    assert fits.fits and fits.asks == 1000 * KM
    assert not too_much.fits
    assert 1900 * KM < too_much.allows < 2100 * KM  # about 40 km a week for a year
    assert too_much.lower_target == pytest.approx(too_much.allows // KM * KM)


def test_a_total_already_partly_done_asks_only_for_the_rest():
    verdict = rules.judge_total(
        Measure.DISTANCE, 100 * KM, 90 * KM, date(2027, 1, 1), date(2027, 1, 10), TODAY, []
    )

    assert verdict.fits and verdict.asks == 10 * KM


def test_riegel_predicts_a_10k_from_a_5k():
    assert rules.riegel(25 * 60, 5 * KM, 10 * KM) == pytest.approx(25 * 60 * 2**1.06)
    # a 400 m or 1 km effort predicts nothing: Riegel holds from about a mile
    assert rules.predict([(400.0, 70.0), (1000.0, 200.0)], 10 * KM) is None
    assert rules.predict([(5 * KM, 1500.0), (10 * KM, 3000.0)], 10 * KM) == 3000.0


def test_a_race_goal_within_what_training_allows_fits():
    # 5 km in 24:00 predicts 10 km in 50:02; 9 weeks allow 4.5 % off: 47:47
    verdict = rules.judge_race(49 * 60, 10 * KM, date(2027, 3, 8), TODAY, [(5 * KM, 24 * 60.0)])

    assert verdict.fits
    assert verdict.predicted_s == pytest.approx(24 * 60 * 2**1.06)
    assert verdict.allows_s == pytest.approx(verdict.predicted_s * (1 - 0.045))


def test_a_race_goal_faster_than_training_allows_warns_with_a_slower_time_and_a_later_date():
    # 46:00 is 8.1 % off the predicted 50:02: 16.1 weeks (113 days) of training, not 4
    verdict = rules.judge_race(46 * 60, 10 * KM, date(2027, 2, 1), TODAY, [(5 * KM, 24 * 60.0)])

    assert not verdict.fits
    assert verdict.lower_target_s == 2945  # 49:05, the allowed 49:02.3 rounded the slower way
    assert verdict.later_end == date(2027, 4, 27)


def test_a_race_goal_more_than_ten_per_cent_off_gets_no_later_date():
    verdict = rules.judge_race(45 * 60, 10 * KM, date(2027, 2, 1), TODAY, [(5 * KM, 24 * 60.0)])

    assert not verdict.fits and verdict.later_end is None


def test_a_race_goal_without_a_recent_effort_has_no_verdict():
    assert rules.judge_race(50 * 60, 10 * KM, date(2027, 3, 7), TODAY, []).fits is None


def test_a_total_too_soon_is_offered_the_first_day_its_weeks_allow_it():
    # From a 20 km base: 22, 24.2, 26.6 and 29.3 km in the next four weeks; 100 km takes
    # all four (72.8 km after three, then 27.2 of the fourth week's 29.3).
    verdict = rules.judge_total(
        Measure.DISTANCE, 100 * KM, 0, TODAY, date(2027, 1, 17), TODAY, [20 * KM] * 4
    )

    assert not verdict.fits
    assert verdict.allows == pytest.approx(46.2 * KM)
    assert verdict.later_end == date(2027, 1, 31)
