"""Counting conventions across month and year boundaries and leap years."""

from datetime import date

import pytest

from flows.day_counting import (
    days_left,
    deadline_after,
    last_day_of_stay,
    working_days_before,
)


@pytest.mark.parametrize(
    ("arrival", "days", "last_day"),
    [
        (date(2026, 3, 1), 90, date(2026, 5, 29)),  # the example: arrival day is day 1
        (date(2026, 12, 15), 30, date(2027, 1, 13)),  # across a year boundary
        (date(2028, 2, 1), 30, date(2028, 3, 1)),  # leap year: 29 February counts
        (date(2027, 2, 1), 30, date(2027, 3, 2)),  # common year
        (date(2026, 1, 31), 1, date(2026, 1, 31)),  # a one-day stay ends the day it starts
    ],
)
def test_last_day_of_stay_counts_arrival_as_day_one(arrival: date, days: int, last_day: date) -> None:
    assert last_day_of_stay(arrival, days) == last_day


def test_a_stay_has_at_least_one_day() -> None:
    with pytest.raises(ValueError):
        last_day_of_stay(date(2026, 3, 1), 0)


@pytest.mark.parametrize(
    ("arrival", "days", "deadline"),
    [
        (date(2026, 3, 1), 15, date(2026, 3, 16)),
        (date(2026, 3, 1), 30, date(2026, 3, 31)),
        (date(2026, 12, 20), 15, date(2027, 1, 4)),
        (date(2028, 2, 20), 15, date(2028, 3, 6)),  # leap year
        (date(2027, 2, 20), 15, date(2027, 3, 7)),
    ],
)
def test_deadline_counts_calendar_days_after_arrival(arrival: date, days: int, deadline: date) -> None:
    assert deadline_after(arrival, days) == deadline


def test_days_left_counts_today_and_never_goes_negative() -> None:
    assert days_left(date(2026, 5, 29), date(2026, 5, 29)) == 1
    assert days_left(date(2026, 3, 1), date(2026, 5, 29)) == 90
    assert days_left(date(2026, 6, 1), date(2026, 5, 29)) == 0


def weekdays_only(day: date) -> bool:
    return day.weekday() < 5


def test_working_days_before_skips_weekends() -> None:
    # Monday 1 June 2026: three working days before are Thu 28, Fri 29 May → Wednesday 27 May.
    assert working_days_before(date(2026, 6, 1), 3, weekdays_only) == date(2026, 5, 27)


def test_working_days_before_skips_holidays_across_a_year_boundary() -> None:
    holidays = {date(2026, 12, 31), date(2027, 1, 1)}

    def working(day: date) -> bool:
        return weekdays_only(day) and day not in holidays

    # Monday 4 Jan 2027 ← Fri 1 Jan (holiday), Thu 31 Dec (holiday), Wed 30, Tue 29, Mon 28 Dec.
    assert working_days_before(date(2027, 1, 4), 3, working) == date(2026, 12, 28)
