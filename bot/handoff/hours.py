"""The call centre's working hours (``handoff.working_hours``; empty means open 24/7)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse(span: str) -> tuple[time, time | None]:
    start, end = span.split("-")
    start_h, start_m = (int(part) for part in start.split(":"))
    end_h, end_m = (int(part) for part in end.split(":"))
    # "24:00" closes at midnight: represented as an open end.
    return time(start_h % 24, start_m), (None if end_h == 24 else time(end_h, end_m))


class WorkingHours:
    """Answers "is the call centre open at this moment?" in the service's time zone."""

    def __init__(self, spans: Mapping[str, str], timezone: str) -> None:
        self._spans = {day: _parse(span) for day, span in spans.items()}
        self._zone = ZoneInfo(timezone)

    @property
    def always_open(self) -> bool:
        return not self._spans

    def is_open(self, moment: datetime) -> bool:
        if self.always_open:
            return True
        local = moment.astimezone(self._zone)
        span = self._spans.get(WEEKDAYS[local.weekday()])
        if span is None:
            return False
        start, end = span
        now = local.time().replace(tzinfo=None)
        return start <= now and (end is None or now < end)
