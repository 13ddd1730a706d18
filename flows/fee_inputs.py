"""Reading the work-permit fee calculator's inputs from typed words the NLU leaves out.

The NLU finds durations with a count ("6 months", "1 il", "на 1 год"). People also answer the
term question without a digit ("на год", "yearly", "illik") and name the processing time with a
qualifier between the count and the unit ("20 working days", "20 рабочих дней", "20 iş günü"),
which the NLU's duration pattern does not cover. These readers fill that gap; the NLU's
entities still come first.

A bare number ("20") is classified against the fee table by :func:`read_bare_number`, because
the same number can be a term in months or a processing time in working days.
"""

from __future__ import annotations

import re
from enum import Enum

from knowledge_base.tables import WorkPermitFees, WorkPermitRegime
from nlu.normalise import fold

MONTHS_IN_A_YEAR = 12

# "A year" without a digit, matched on folded text (fold squeezes doubled letters: "illik" is
# "ilik", "müddətinə" is "mudetine"). A lone "il"/"год"/"year" counts only as the whole message
# (the answer to "for how long?"); inside a sentence it needs its preposition or suffix.
_A_YEAR = re.compile(
    r"(?<!\w)(?:na god|на год|на один год|godov\w*|годов\w*|bir il\w*|ilik\w*|il mudetin\w*|"
    r"a year|one year|yearly|anual\w*)(?!\w)"
)
_A_YEAR_ALONE = re.compile(r"(?:il|год|god|year)")

# "<count> <working> <day>" in en / ru (Cyrillic or Latin-typed) / az, on folded text.
_WORKING_DAYS = re.compile(
    r"(?<!\d)(\d{1,2})\s*(?:working|business|work|рабоч\w*|raboch\w*|is)\s+(?:days?|дн\w*|день|dn\w*|den\w*|gun\w*)(?!\w)"
)
_BARE_NUMBER = re.compile(r"\s*(\d{1,3})\s*[.)]?\s*")


def mentions_a_year(text: str) -> bool:
    """Whether ``text`` asks for a one-year term without a digit ("на год", "yearly", "illik")."""
    folded = fold(text)
    return bool(_A_YEAR.search(folded) or _A_YEAR_ALONE.fullmatch(folded))


def working_days_in(text: str) -> int | None:
    """The count in "<n> working days" / "<n> рабочих дней" / "<n> iş günü", if written so."""
    match = _WORKING_DAYS.search(fold(text))
    return int(match.group(1)) if match else None


def bare_number(text: str) -> int | None:
    """The number when the whole message is one ("20", "6.")."""
    match = _BARE_NUMBER.fullmatch(text)
    return int(match.group(1)) if match else None


class NumberReading(Enum):
    """What a bare number typed as the term can mean, given the fee table."""

    MONTHS = "months"
    """a term of the current regime"""
    PROCESSING = "processing"
    """only a processing time makes sense (longer than any term, and a processing tier)"""
    MONTHS_OR_PROCESSING = "months_or_processing"
    """both a term and a processing tier: ask which"""
    LIBERATED_MONTHS = "liberated_months"
    """a term that exists only for work in the liberated territories: ask"""
    OUT_OF_RANGE = "out_of_range"
    """no permit has this term"""


def read_bare_number(number: int, fees: WorkPermitFees, regime: WorkPermitRegime) -> NumberReading:
    """Classify ``number`` typed in answer to "for how long is the permit?" under ``regime``.

    Never maps a number silently to a term the user did not choose: "20" in the general regime
    is the 20-working-day processing time, not the 24-month liberated-territories permit.
    """
    if not 1 <= number <= longest_months(fees, "liberated_territories"):
        return NumberReading.OUT_OF_RANGE
    tiers = fees.processing_tiers(regime)
    longest = longest_months(fees, regime)
    if number in tiers:
        return NumberReading.MONTHS_OR_PROCESSING if number <= longest else NumberReading.PROCESSING
    if number <= longest:
        return NumberReading.MONTHS
    return NumberReading.LIBERATED_MONTHS


def longest_months(fees: WorkPermitFees, regime: WorkPermitRegime) -> int:
    """The longest term in months a permit of ``regime`` is issued for."""
    return max(row.duration_months for row in fees.rows if row.regime == regime)
