"""Dates in az / ru / en: "1 mart", "1-ci mart 2026", "1 марта", "01.03.2026", "March 1st",
"yesterday" / "dünən" / "вчера", "3 days ago" / "3 gün əvvəl" / "3 дня назад", "in 2 weeks".

Conventions (documented in docs/nlu.md):

* numeric dates are day-first (the convention in Azerbaijan and Russia); month-first is
  tried only when day-first is impossible ("12/31/2026");
* a year-less date ("1 mart") resolves to the occurrence nearest to ``today`` (a tie goes to
  the past). Users give both past dates (arrival) and future ones (expiry); "nearest" is right
  for both within ±6 months and the flows confirm dates anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache

from babel import Locale

from nlu.entities.vocabulary import COUNT, UNIT, count_value, has_digit, matched_unit
from nlu.normalise import fold_aligned, transliterate_ru
from nlu.types import DurationUnit, Entity

_RELATIVE_DAYS: dict[str, int] = {
    "today": 0, "bu gun": 0, "bugun": 0, "сегодня": 0, "segodnya": 0, "sevodnya": 0,
    "yesterday": -1, "dunen": -1, "вчера": -1, "vchera": -1,
    "the day before yesterday": -2, "day before yesterday": -2, "sragagun": -2,
    "позавчера": -2, "pozavchera": -2,
    "tomorrow": 1, "sabah": 1, "завтра": 1, "zavtra": 1,
    "the day after tomorrow": 2, "day after tomorrow": 2, "birisi gun": 2,
    "послезавтра": 2, "poslezavtra": 2,
}
_RELATIVE_WORD = re.compile(
    r"(?<!\w)(?:"
    + "|".join(re.escape(w) for w in sorted(_RELATIVE_DAYS, key=len, reverse=True))
    + r")(?!\w)"
)
# "3 days ago", "3 gün əvvəl/qabaq/öncə", "3 дня назад"; "неделю назад" (count omitted = 1).
_AGO = re.compile(
    rf"(?<![\w.,])(?:{COUNT})?{UNIT}\s+(?:ago|evvel|qabaq|once|назад|nazad)(?!\w)"
)
# "in 3 days", "через 3 дня"; "3 gündən sonra" / "3 gün sonra".
_LATER = (
    re.compile(rf"(?<!\w)(?:in|через|cherez)\s+(?:{COUNT})?{UNIT}(?!\w)"),
    re.compile(rf"(?<![\w.,]){COUNT}{UNIT}\s+sonra(?!\w)"),
)
_UNIT_DAYS: dict[DurationUnit, int] = {"day": 1, "week": 7}

# Azerbaijani ordinal suffixes after a day number ("1-ci", "2-nci", "3-cü"), English ones
# ("1st"), Russian ("1-го", "1-е").
_ORDINAL = r"(?:\s*-?\s*(?:inci|nci|uncu|ci|cu|st|nd|rd|th|го|ое|е|i|u))?"
_YEAR = r"(?P<year>\d{4})"


@cache
def _month_forms() -> dict[str, int]:
    """Folded month names and abbreviations of az/ru/en (Babel) plus Latin-typed Russian."""
    forms: dict[str, int] = {}
    for code in ("az", "ru", "en"):
        months = Locale(code).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months[context][width].items():
                    folded = fold_aligned(str(name)).rstrip(".")
                    if len(folded) >= 3:
                        forms[folded] = number
                        forms[transliterate_ru(folded)] = number
    # Frequent informal spellings Babel does not list.
    forms.update({"sentabr": 9, "sentyabr": 9, "avgust": 8, "iyun": 6, "iyul": 7, "yanvar": 1})
    return forms


@cache
def _month_patterns() -> tuple[re.Pattern[str], ...]:
    names = "|".join(re.escape(n) for n in sorted(_month_forms(), key=len, reverse=True))
    # Letters may follow a month name: Azerbaijani case endings ("martda"), Russian forms.
    month = rf"(?P<month>{names})[^\W\d_]*"
    return (
        re.compile(rf"(?<![\w.])(?P<day>[0-3]?\d){_ORDINAL}\s*(?:of\s+)?{month}(?:,?\s*{_YEAR})?(?!\d)"),
        re.compile(rf"(?<!\w){month}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)(?:,?\s*{_YEAR})?(?!\d)"),
    )


_NUMERIC = re.compile(
    r"(?<![\d.])(?:(?P<iso_y>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})"
    r"|(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2}))(?![\d.]\d)"
)


def find_dates(original: str, folded: str, today: date) -> Iterator[Entity]:
    """Yield date entities; ``folded`` is ``fold_aligned(original)``."""
    for match in _RELATIVE_WORD.finditer(folded):
        yield _entity(original, match, today + timedelta(days=_RELATIVE_DAYS[match.group(0)]))
    for match in _AGO.finditer(folded):
        yield _entity(original, match, _shift(today, match, -1))
    for pattern in _LATER:
        for match in pattern.finditer(folded):
            yield _entity(original, match, _shift(today, match, +1))
    if not has_digit(folded):  # numeric dates and day + month names need one
        return
    for match in _NUMERIC.finditer(folded):
        if (numeric := _numeric_date(match)) is not None:
            yield _entity(original, match, numeric)
    for pattern in _month_patterns():
        for match in pattern.finditer(folded):
            month = _month_forms()[match.group("month")]
            year = match.group("year")
            day = int(match.group("day"))
            named = _make_date(int(year), month, day) if year else _nearest(today, month, day)
            if named is not None:
                yield _entity(original, match, named)


def _entity(original: str, match: re.Match[str], value: date) -> Entity:
    return Entity("date", value, original[match.start() : match.end()], match.start(), match.end())


def _shift(today: date, match: re.Match[str], sign: int) -> date:
    count = count_value(match) if (match.group("n") or match.group("nw")) else 1
    unit = matched_unit(match)
    if unit in _UNIT_DAYS:
        return today + timedelta(days=sign * count * _UNIT_DAYS[unit])
    months = count * (12 if unit == "year" else 1)
    return _add_months(today, sign * months)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate_day in range(day.day, 0, -1):  # 31 March − 1 month → 28/29 February
        if (value := _make_date(year, month + 1, candidate_day)) is not None:
            return value
    raise AssertionError("unreachable: day 1 always exists")


def _numeric_date(match: re.Match[str]) -> date | None:
    if match.group("iso_y"):
        return _make_date(int(match.group("iso_y")), int(match.group("iso_m")), int(match.group("iso_d")))
    year = int(match.group("y"))
    if year < 100:
        year += 2000
    first, second = int(match.group("a")), int(match.group("b"))
    return _make_date(year, second, first) or _make_date(year, first, second)


def _nearest(today: date, month: int, day: int) -> date | None:
    candidates = [d for y in (today.year - 1, today.year, today.year + 1) if (d := _make_date(y, month, day))]
    if not candidates:
        return None
    # Sort key: distance, then future after past (a tie goes to the past).
    return min(candidates, key=lambda d: (abs((d - today).days), d > today))


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
