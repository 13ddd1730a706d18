"""Entity extraction: dates, durations, countries, money and application numbers.

Extractors run in priority order and a later match overlapping an earlier one is dropped:
money before dates ("12.05 manat" is an amount), dates before durations ("3 days ago" is a
date), application numbers before countries.
"""

from __future__ import annotations

from datetime import date

from nlu.entities.application_numbers import find_application_numbers
from nlu.entities.countries import country_index, find_countries
from nlu.entities.dates import find_dates
from nlu.entities.durations import find_durations
from nlu.entities.money import find_money
from nlu.normalise import fold_aligned
from nlu.types import Entity

__all__ = ["extract_entities", "warm_up"]


def extract_entities(text: str, today: date) -> tuple[Entity, ...]:
    """All entities of ``text``, ordered by position, without overlaps."""
    folded = fold_aligned(text)
    accepted: list[Entity] = []
    for found in (
        find_money(text, folded),
        find_dates(text, folded, today),
        find_durations(text, folded),
        find_application_numbers(text, folded),
        find_countries(text),
    ):
        # Longest first within one extractor, so "1 марта 2026" beats "1 марта".
        for entity in sorted(found, key=lambda e: (e.start - e.end, e.start)):
            if not any(entity.start < other.end and other.start < entity.end for other in accepted):
                accepted.append(entity)
    return tuple(sorted(accepted, key=lambda e: e.start))


def warm_up() -> None:
    """Build the lazily built lookup tables now (so the first parse is not slow)."""
    country_index()
    extract_entities("1 mart 2026", date(2026, 1, 1))
