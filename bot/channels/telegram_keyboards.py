"""Inline keyboards for Telegram: reply buttons and a month calendar for date questions.

Telegram limits ``callback_data`` to 64 bytes. Flow payloads are short, but nothing forces them
to be; a longer payload travels as a hash token, resolved back against the buttons we recently
sent to that chat (:func:`payload_for_callback`), so no extra table is needed.

Telegram has no native date picker, so ``Reply(kind="date_picker")`` gets a calendar: a header
with the month and ‹ › arrows (``cal:YYYY-MM``, handled by the channel by redrawing the
keyboard), weekday names, and one button per day sending ``date:YYYY-MM-DD`` to the flows.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from babel.dates import format_date, get_day_names
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from flows.date_input import DATE_PAYLOAD_PREFIX
from flows.i18n import Translator
from flows.messages import Button, Reply

CALLBACK_DATA_LIMIT = 64
HASHED_PREFIX = "h:"
MONTH_PREFIX = "cal:"
#: A calendar cell that does nothing when tapped (the month title, weekday names, padding).
NOOP = "cal:noop"


def callback_data_for(payload: str) -> str:
    """The ``callback_data`` carrying ``payload``: itself if it fits, else a hash token."""
    if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT and not payload.startswith((HASHED_PREFIX, MONTH_PREFIX)):
        return payload
    return HASHED_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:40]


def payload_for_callback(data: str, recent_payloads: Iterable[str]) -> str | None:
    """The payload a tapped button stands for; ``None`` for a token we did not send recently."""
    if not data.startswith(HASHED_PREFIX):
        return data
    return next((payload for payload in recent_payloads if callback_data_for(payload) == data), None)


def button_rows(buttons: Sequence[Button]) -> list[list[InlineKeyboardButton]]:
    """One button per row: titles are sentences ("1. Stay and registration calculator")."""
    return [[InlineKeyboardButton(b.title, callback_data=callback_data_for(b.payload))] for b in buttons]


def keyboard_for(reply: Reply, t: Translator, today: date) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a reply: its buttons, below a calendar for a date question."""
    rows = calendar_rows(today.replace(day=1), t) if reply.kind == "date_picker" else []
    rows += button_rows(reply.buttons)
    return InlineKeyboardMarkup(rows) if rows else None


def calendar_rows(month: date, t: Translator) -> list[list[InlineKeyboardButton]]:
    """Rows of a month calendar (``month`` is its first day), weeks starting on Monday."""
    previous = (month.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    title = format_date(month, "LLLL y", locale=t.locale)
    rows = [
        [
            InlineKeyboardButton("‹", callback_data=MONTH_PREFIX + previous.strftime("%Y-%m")),
            InlineKeyboardButton(title[:1].upper() + title[1:], callback_data=NOOP),
            InlineKeyboardButton("›", callback_data=MONTH_PREFIX + following.strftime("%Y-%m")),
        ],
        [InlineKeyboardButton(name, callback_data=NOOP) for name in _weekday_names(t)],
    ]
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(month.year, month.month):
        rows.append(
            [
                InlineKeyboardButton(str(day), callback_data=f"{DATE_PAYLOAD_PREFIX}{month.replace(day=day).isoformat()}")
                if day
                else InlineKeyboardButton(" ", callback_data=NOOP)
                for day in week
            ]
        )
    return rows


def month_from_callback(data: str) -> date | None:
    """The month a ‹ › arrow points to (``cal:2026-03``), or ``None`` for other data."""
    if not data.startswith(MONTH_PREFIX) or data == NOOP:
        return None
    try:
        year, month = data[len(MONTH_PREFIX):].split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def with_month(markup: InlineKeyboardMarkup, month: date, t: Translator) -> InlineKeyboardMarkup:
    """The same keyboard showing another month (the reply's own buttons stay below it)."""
    # Calendar rows hold 3 or 7 cells; the reply's own buttons are one per row (button_rows).
    others = [list(row) for row in markup.inline_keyboard if len(row) == 1]
    return InlineKeyboardMarkup(calendar_rows(month, t) + others)


def _weekday_names(t: Translator) -> list[str]:
    names = get_day_names("short", locale=t.locale)  # Babel numbers days Monday=0
    return [names[day] for day in range(7)]

