"""Date arithmetic with the counting conventions the calculators state to the user.

Conventions (each one is repeated in the calculator's answer):

* a stay of *N* days counts the arrival day as day 1, so it ends on ``arrival + N - 1``
  (90 days from 1 March 2026 end on 29 May 2026);
* a deadline "within *N* days of arrival" is ``arrival + N`` calendar days (15 days from
  1 March 2026 → 16 March 2026), the reading the service's own calculator uses;
* "*N* working days before a date" skips weekends and public holidays and never counts the
  date itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

WorkingDayTest = Callable[[date], bool]


def last_day_of_stay(arrival: date, days: int) -> date:
    """The last permitted day of a stay of ``days`` days that starts on ``arrival`` (day 1)."""
    if days < 1:
        raise ValueError("a stay lasts at least one day")
    return arrival + timedelta(days=days - 1)


def deadline_after(arrival: date, days: int) -> date:
    """The last day of a period of ``days`` calendar days counted from ``arrival``."""
    return arrival + timedelta(days=days)


def days_left(today: date, last_day: date) -> int:
    """Days still permitted counting today, 0 once ``last_day`` has passed."""
    return max((last_day - today).days + 1, 0)


def working_days_before(day: date, count: int, is_working_day: WorkingDayTest) -> date:
    """The date that lies ``count`` working days before ``day`` (``day`` itself not counted)."""
    if count < 1:
        raise ValueError("count must be positive")
    current = day
    remaining = count
    while remaining:
        current -= timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
