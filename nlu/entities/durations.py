"""Durations: "6 months", "6 ay", "6 месяцев", "полгода", "1 il", "90 dney", "half a year", and
one year said without a number ("на год", "na god", "год", "illik", "yearly")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nlu.entities.vocabulary import COUNT, UNIT, count_value, matched_unit
from nlu.types import Duration, Entity

_SPAN = re.compile(rf"(?<![\w.,]){COUNT}{UNIT}(?!\w)")
# Fixed phrases for half / one-and-a-half years.
_FIXED: tuple[tuple[re.Pattern[str], Duration], ...] = (
    (re.compile(r"(?<!\w)(?:полгода|пол года|polgoda|pol goda|yarim il|half a year)(?!\w)"), Duration(6, "month")),
    (re.compile(r"(?<!\w)(?:полтора года|poltora goda|bir il yarim|a year and a half)(?!\w)"), Duration(18, "month")),
    # A year without a count. Bare Latin "god", "il" and "year" are left out on purpose: they
    # are also "God", and "bu il" / "this year" name a year, not a length of time.
    (re.compile(r"(?<!\w)(?:(?:на|na)\s+)?год(?!\w)|(?<!\w)(?:na\s+god|illik|yearly)(?!\w)"), Duration(1, "year")),
)


def find_durations(original: str, folded: str) -> Iterator[Entity]:
    """Yield duration entities; ``folded`` is ``fold_aligned(original)``."""
    for pattern, duration in _FIXED:
        for match in pattern.finditer(folded):
            yield Entity("duration", duration, original[match.start() : match.end()], match.start(), match.end())
    for match in _SPAN.finditer(folded):
        amount = count_value(match)
        if amount == 0:
            continue
        yield Entity(
            "duration",
            Duration(amount, matched_unit(match)),
            original[match.start() : match.end()],
            match.start(),
            match.end(),
        )
