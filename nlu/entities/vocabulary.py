"""Number words and time units in az / ru / en, as regex fragments over ``fold_aligned`` text.

Azerbaijani forms are written folded (ü→u, ö→o …) because patterns run on folded text;
Russian ones appear twice, in Cyrillic and as typed in Latin letters.
"""

from __future__ import annotations

import re

from nlu.types import DurationUnit

NUMBER_WORDS: dict[str, int] = {
    # English
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    # Azerbaijani (folded; "sekiz" is a frequent spelling of "səkkiz")
    "bir": 1, "iki": 2, "uc": 3, "dord": 4, "bes": 5, "alti": 6, "yeddi": 7, "sekkiz": 8,
    "sekiz": 8, "doqquz": 9, "on": 10, "on bir": 11, "on iki": 12,
    # Russian, Cyrillic and Latin-typed
    "один": 1, "одна": 1, "одну": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
    "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10,
    "odin": 1, "odnu": 1, "dva": 2, "dve": 2, "tri": 3, "chetyre": 4, "pyat": 5,
    "shest": 6, "sem": 7, "vosem": 8, "devyat": 9, "desyat": 10,
}

_WORD_ALTERNATION = "|".join(
    re.escape(word) for word in sorted(NUMBER_WORDS, key=len, reverse=True)
)
#: A count with its separator: digits (group ``n``, "6ay" and "6-month" allowed) or a number
#: word (group ``nw``, which needs a space so "aday" is not "a day").
COUNT = rf"(?:(?P<n>\d{{1,4}})\s*-?\s*|(?P<nw>{_WORD_ALTERNATION})\s+)"

# Each unit: a regex of its forms. Azerbaijani and Russian forms take endings ("aylıq",
# "günlük", "месяцев", "dney"), hence the trailing letter runs.
UNIT_PATTERNS: dict[DurationUnit, str] = {
    "day": r"days?|gun[^\W\d_]*|дн[^\W\d_]*|день|den|dn[^\W\d_]*",
    "week": r"weeks?|hefte[^\W\d_]*|недел[^\W\d_]*|nedel[^\W\d_]*",
    "month": r"months?|ay(?:liq|lig|dir|dan|)|месяц[^\W\d_]*|mesyat[^\W\d_]*|mesac[^\W\d_]*",
    "year": r"years?|il(?:lik|dir|den|)|год[^\W\d_]*|лет|god[^\W\d_]*|let",
}
#: Any unit (named groups ``u_day`` … ``u_year`` tell which matched).
UNIT = "(?:" + "|".join(f"(?P<u_{unit}>{p})" for unit, p in UNIT_PATTERNS.items()) + ")"


_DIGIT = re.compile(r"\d")


def has_digit(text: str) -> bool:
    """Whether ``text`` holds a decimal digit; patterns that need one can skip text without."""
    return _DIGIT.search(text) is not None


def count_value(match: re.Match[str]) -> int:
    """The integer value of the :data:`COUNT` part of ``match``."""
    if digits := match.group("n"):
        return int(digits)
    return NUMBER_WORDS[" ".join(match.group("nw").split())]


def matched_unit(match: re.Match[str]) -> DurationUnit:
    """Which unit group of :data:`UNIT` matched."""
    for unit in UNIT_PATTERNS:
        if match.group(f"u_{unit}"):
            return unit
    raise ValueError("no unit group matched")
