"""Working hours in the service's time zone (Asia/Baku is UTC+4)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.config import ConfigError, load_config
from bot.handoff.hours import WorkingHours


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_no_hours_means_always_open() -> None:
    assert WorkingHours({}, "Asia/Baku").is_open(at("2026-11-29 03:00"))


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        ("2026-11-30 04:59", False),  # Monday 08:59 in Baku
        ("2026-11-30 05:00", True),  # Monday 09:00
        ("2026-11-30 13:59", True),  # Monday 17:59
        ("2026-11-30 14:00", False),  # Monday 18:00: the end is exclusive
        ("2026-11-29 08:00", False),  # Sunday: not listed, closed
        ("2026-11-28 19:59", True),  # Saturday 23:59, open until midnight
    ],
)
def test_weekday_spans_in_local_time(moment: str, open_: bool) -> None:
    hours = WorkingHours({"mon": "09:00-18:00", "sat": "10:00-24:00"}, "Asia/Baku")
    assert hours.is_open(at(moment)) is open_


def test_malformed_hours_are_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="handoff.working_hours"):
        load_config(environ={"MIGASSIST_HANDOFF__WORKING_HOURS__MON": "9-18"})
