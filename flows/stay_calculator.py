"""Stay-period and registration calculator: pure functions over the knowledge-base tables.

Every number (stay limits, deadlines, working-day counts, fines) comes from
:class:`knowledge_base.DataTables`; this module only applies the counting conventions of
:mod:`flows.day_counting` and reports which rule it used so the answer can state it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from flows.day_counting import (
    days_left,
    deadline_after,
    last_day_of_stay,
    working_days_before,
)
from knowledge_base.tables import Basis, DataTables, Fine

EntryKind = Literal["visa_free", "e_visa", "visa", "residence_permit"]

#: Which limit the last day was computed from (the answer explains each differently).
StayRule = Literal["visa_free", "country_visit", "country_calendar_year", "e_visa", "visa"]

#: İXM provisions on staying without a right to stay / registration (foreigner) and the host's duty.
FOREIGNER_FINE_ARTICLE = "575.1.1"
HOST_FINE_ARTICLE = "577"


@dataclass(frozen=True)
class StayFacts:
    """What the user told us: arrival date, how they entered, citizenship, a visa's stay days."""

    arrival: date
    entry: EntryKind
    country: str | None = None
    visa_days: int | None = None


@dataclass(frozen=True)
class StayLimit:
    days: int
    rule: StayRule
    basis: Basis


@dataclass(frozen=True)
class Registration:
    """Registration duty: needed for stays longer than ``threshold_days``, due by ``deadline``."""

    needed: bool
    threshold_days: int
    deadline: date
    deadline_days: int
    country_rule: bool
    basis: Basis


@dataclass(frozen=True)
class StayAssessment:
    """The calculator's result; ``None`` fields do not apply to the way the person entered."""

    facts: StayFacts
    today: date
    limit: StayLimit | None
    last_day: date | None
    days_left: int | None
    registration: Registration | None
    extension_apply_by: date | None
    extension_apply_before_working_days: int
    fines: tuple[Fine, ...]

    @property
    def arrival_in_future(self) -> bool:
        return self.facts.arrival > self.today

    @property
    def overstayed(self) -> bool:
        return self.last_day is not None and self.last_day < self.today

    @property
    def crosses_calendar_year(self) -> bool:
        """A per-calendar-year limit whose stay runs into the next year (how that counts is unclear)."""
        return (
            self.limit is not None
            and self.limit.rule == "country_calendar_year"
            and self.last_day is not None
            and self.last_day.year != self.facts.arrival.year
        )


class MissingVisaDays(ValueError):
    """A visa entry needs the number of days of stay written in the visa."""


def stay_limit(facts: StayFacts, tables: DataTables) -> StayLimit | None:
    """The permitted length of this stay, or ``None`` for residence-permit holders."""
    limits = tables.stay_limits
    if facts.entry == "residence_permit":
        return None
    if facts.entry == "visa":
        if not facts.visa_days:
            raise MissingVisaDays("visa_days is required for a visa entry")
        return StayLimit(facts.visa_days, "visa", _visa_basis(tables))
    if facts.entry == "e_visa":
        return StayLimit(limits.e_visa_single_entry.days, "e_visa", limits.e_visa_single_entry.basis)
    country_rule = limits.country_rule(facts.country)
    if country_rule is not None and facts.arrival >= country_rule.effective_from:
        rule: StayRule = "country_calendar_year" if country_rule.period == "calendar_year" else "country_visit"
        return StayLimit(country_rule.max_days, rule, country_rule.basis)
    return StayLimit(limits.visa_free.days, "visa_free", limits.visa_free.basis)


def _visa_basis(tables: DataTables) -> Basis:
    # MC 20.1 sets both rules: a visa-free stay's cap and "no longer than the visa's own period";
    # the visa-free row carries that reference and its confidence.
    return tables.stay_limits.visa_free.basis


def registration_duty(facts: StayFacts, limit: StayLimit | None, tables: DataTables) -> Registration | None:
    """When registration at the place of stay is due; ``None`` for residence-permit holders."""
    if limit is None:
        return None
    rules = tables.registration
    deadline = rules.deadline_for(facts.country)
    return Registration(
        needed=limit.days > rules.threshold_days,
        threshold_days=rules.threshold_days,
        deadline=deadline_after(facts.arrival, deadline.days),
        deadline_days=deadline.days,
        country_rule=bool(deadline.country),
        basis=deadline.basis,
    )


def assess_stay(facts: StayFacts, today: date, tables: DataTables) -> StayAssessment:
    """Compute the last day, days left, registration deadline, extension date and fines."""
    limit = stay_limit(facts, tables)
    last_day = last_day_of_stay(facts.arrival, limit.days) if limit else None
    apply_before = tables.stay_extension.apply_before_working_days
    return StayAssessment(
        facts=facts,
        today=today,
        limit=limit,
        last_day=last_day,
        days_left=days_left(max(today, facts.arrival), last_day) if last_day else None,
        registration=registration_duty(facts, limit, tables),
        extension_apply_by=_extension_apply_by(last_day, apply_before, tables),
        extension_apply_before_working_days=apply_before,
        fines=tables.fines.for_article(FOREIGNER_FINE_ARTICLE) + tables.fines.for_article(HOST_FINE_ARTICLE),
    )


def _extension_apply_by(last_day: date | None, working_days: int, tables: DataTables) -> date | None:
    if last_day is None:
        return None
    try:
        return working_days_before(last_day, working_days, tables.is_working_day)
    except LookupError:
        # The holiday table does not cover that year: better no date than a wrong one.
        return None
