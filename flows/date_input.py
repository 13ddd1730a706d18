"""Reading a date the user typed, tapped in a calendar or mentioned in a sentence."""

from __future__ import annotations

import re
from datetime import date

from flows.flow import Invalid, TurnContext

DATE_PAYLOAD_PREFIX = "date:"

# Day-first numeric dates as written in az/ru (01.03.2026, 1/3/2026, 1-3-2026) and ISO 2026-03-01.
_DAY_FIRST = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")


def date_payload(day: date) -> str:
    return f"{DATE_PAYLOAD_PREFIX}{day.isoformat()}"


def read_date(ctx: TurnContext) -> date | Invalid | None:
    """The date in the message: a ``date:`` payload, a numeric date, or the NLU's date entity.

    A numeric date that does not exist (31.02.2026) is :class:`Invalid` rather than ignored, so
    the user hears why it was not accepted.
    """
    if ctx.payload and ctx.payload.startswith(DATE_PAYLOAD_PREFIX):
        return _checked(*_iso_parts(ctx.payload[len(DATE_PAYLOAD_PREFIX) :]))
    iso = _ISO.search(ctx.text)
    if iso:
        return _checked(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    day_first = _DAY_FIRST.search(ctx.text)
    if day_first:
        return _checked(int(day_first.group(3)), int(day_first.group(2)), int(day_first.group(1)))
    if ctx.parse is not None:
        for entity in ctx.parse.entities_of("date"):
            if isinstance(entity.value, date):
                return entity.value
    return None


def _iso_parts(text: str) -> tuple[int, int, int]:
    match = _ISO.fullmatch(text.strip())
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else (0, 0, 0)


def _checked(year: int, month: int, day: int) -> date | Invalid:
    try:
        return date(year, month, day)
    except ValueError:
        return Invalid("That date does not exist. Please check the day and the month.")
