"""Lookups of the data tables that calculators rely on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from knowledge_base import KnowledgeBase


@pytest.mark.parametrize(
    ("months", "days", "regime", "tier", "amount"),
    [
        (3, 10, "general", 3, 700),
        (4, 15, "general", 6, 700),
        (12, 15, "general", 12, 1200),
        (1, 20, "general", 3, 350),
        (18, 15, "liberated_territories", 18, 1200),
        (24, 5, "liberated_territories", 24, 1800),
    ],
)
def test_work_permit_fee_picks_the_covering_tier(
    kb: KnowledgeBase, months: int, days: int, regime: str, tier: int, amount: int
) -> None:
    row = kb.tables.work_permit_fee(months, days, regime)  # type: ignore[arg-type]
    assert row is not None
    assert (row.duration_months, row.amount_azn) == (tier, Decimal(amount))


@pytest.mark.parametrize(
    ("months", "days", "regime"), [(13, 20, "general"), (6, 5, "general"), (25, 5, "liberated_territories"), (0, 20, "general")]
)
def test_work_permit_fee_outside_the_table(kb: KnowledgeBase, months: int, days: int, regime: str) -> None:
    assert kb.tables.work_permit_fee(months, days, regime) is None  # type: ignore[arg-type]


def test_liberated_regime_dates(kb: KnowledgeBase) -> None:
    regime = kb.tables.work_permit_fees.regime("liberated_territories")
    assert (regime.effective_from, regime.effective_to) == (date(2023, 1, 1), date(2028, 1, 1))
    assert kb.tables.work_permit_fees.processing_tiers("liberated_territories") == (5, 10, 15)


def test_stay_extension_fee(kb: KnowledgeBase) -> None:
    extension = kb.tables.stay_extension
    assert (extension.max_days, extension.apply_before_working_days) == (60, 3)
    row = extension.fee(1, "adult", 45)
    assert row is not None and (row.stay_days, row.amount_azn) == (60, Decimal(100))
    assert extension.fee(3, "minor", 30).amount_azn == Decimal(15)  # type: ignore[union-attr]
    assert extension.fee(3, "adult", 61) is None


def test_stay_limits(kb: KnowledgeBase) -> None:
    limits = kb.tables.stay_limits
    assert (limits.visa_free.days, limits.e_visa_single_entry.days, limits.e_visa_multiple_entry.days) == (90, 30, 90)
    tourism = limits.visa_type("tourism")
    transit = limits.visa_type("transit")
    assert tourism is not None and tourism.max_stay_days == 30
    assert transit is not None and (transit.max_stay_days, transit.validity_days) == (5, 30)
    russia = limits.country_rule("ru")
    assert russia is not None and (russia.max_days, russia.period, russia.effective_from) == (90, "calendar_year", date(2025, 1, 1))


def test_residence_fees(kb: KnowledgeBase) -> None:
    fees = kb.tables.residence_fees
    assert fees.temporary_fee("adult", 15, 36).amount_azn == Decimal(480)  # type: ignore[union-attr]
    assert fees.temporary_fee("student", 20, 24).amount_azn == Decimal(80)  # type: ignore[union-attr]
    assert fees.temporary_fee("student", 20, 6) is None


def test_fines(kb: KnowledgeBase) -> None:
    fines = kb.tables.fines
    (foreigner,) = fines.for_article("575.1.4")
    assert (foreigner.min_azn, foreigner.max_azn, foreigner.with_expulsion_possible) == (Decimal(300), Decimal(400), True)
    employer = {f.offender: (f.min_azn, f.max_azn) for f in fines.for_article("578.1")}
    assert employer == {"official": (Decimal(3000), Decimal(4000)), "legal_entity": (Decimal(15000), Decimal(20000))}
    assert [r.text("ru") for r in foreigner.basis.references][-1] == "Кодекс об административных проступках, ст. 575.1.4"
    assert fines.payment.pay_within_days == 30


def test_contacts(kb: KnowledgeBase) -> None:
    call_centre = kb.tables.contacts.contact("call_centre")
    assert call_centre is not None and call_centre.value == "919"
    assert kb.tables.contacts.contact("unhcr").value == "+994 51 207 59 96"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 6), True),  # Friday
        (date(2026, 11, 7), False),  # Saturday
        (date(2026, 11, 9), False),  # State Flag Day (Monday)
        (date(2027, 1, 1), False),
        (date(2025, 3, 31), False),  # Ramadan, to be confirmed
    ],
)
def test_is_working_day(kb: KnowledgeBase, day: date, working: bool) -> None:
    assert kb.tables.is_working_day(day) is working


def test_holiday_certainty(kb: KnowledgeBase) -> None:
    holidays = kb.tables.holidays
    assert holidays.holiday(date(2026, 6, 15)).confirmed is True  # type: ignore[union-attr]
    assert holidays.holiday(date(2026, 5, 27)).confirmed is False  # type: ignore[union-attr]
    assert holidays.add_working_days(date(2026, 11, 6), 1) == date(2026, 11, 10)


def test_years_outside_the_table_are_refused(kb: KnowledgeBase) -> None:
    with pytest.raises(LookupError):
        kb.tables.is_working_day(date(2030, 1, 2))
