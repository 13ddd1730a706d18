"""The stay and registration calculator against the real knowledge-base tables."""

from datetime import date

import pytest

from flows.stay_calculator import MissingVisaDays, StayFacts, assess_stay


def test_visa_free_georgian_from_the_issue(kb) -> None:  # type: ignore[no-untyped-def]
    a = assess_stay(StayFacts(date(2026, 3, 1), "visa_free", "GE"), date(2026, 3, 5), kb.tables)
    assert a.last_day == date(2026, 5, 29)
    assert a.registration is not None and a.registration.needed
    assert a.registration.deadline == date(2026, 3, 16)
    assert a.days_left == 86
    assert not a.arrival_in_future and not a.overstayed
    # Friday 29 May 2026: 27–28 May are holidays (Gurban Bayram), 23–24 May a weekend, so the
    # three working days before are 26, 25 and 22 May.
    assert a.extension_apply_by == date(2026, 5, 22)
    assert {fine.article for fine in a.fines} == {"575.1.1", "577"}


def test_kazakh_citizens_have_thirty_days_to_register(kb) -> None:  # type: ignore[no-untyped-def]
    a = assess_stay(StayFacts(date(2026, 3, 1), "visa_free", "KZ"), date(2026, 3, 1), kb.tables)
    assert a.registration is not None
    assert a.registration.deadline == date(2026, 3, 31)
    assert a.registration.country_rule


def test_e_visa_allows_thirty_days(kb) -> None:  # type: ignore[no-untyped-def]
    a = assess_stay(StayFacts(date(2026, 12, 10), "e_visa", "IN"), date(2026, 12, 10), kb.tables)
    assert a.last_day == date(2027, 1, 8)


def test_russians_get_the_calendar_year_rule_and_its_caveat(kb) -> None:  # type: ignore[no-untyped-def]
    a = assess_stay(StayFacts(date(2026, 11, 1), "visa_free", "RU"), date(2026, 11, 1), kb.tables)
    assert a.limit is not None and a.limit.rule == "country_calendar_year"
    assert a.last_day == date(2027, 1, 29)
    assert a.crosses_calendar_year


def test_leap_year_stay(kb) -> None:  # type: ignore[no-untyped-def]
    a = assess_stay(StayFacts(date(2028, 1, 1), "visa_free", "GE"), date(2027, 12, 1), kb.tables)
    assert a.last_day == date(2028, 3, 30)  # 31 + 29 + 30 days
    assert a.arrival_in_future


def test_short_visa_needs_no_registration(kb) -> None:  # type: ignore[no-untyped-def]
    a = assess_stay(StayFacts(date(2026, 3, 1), "visa", "US", visa_days=5), date(2026, 3, 2), kb.tables)
    assert a.last_day == date(2026, 3, 5)
    assert a.registration is not None and not a.registration.needed


def test_overstay_is_reported(kb) -> None:  # type: ignore[no-untyped-def]
    a = assess_stay(StayFacts(date(2026, 1, 1), "e_visa"), date(2026, 3, 1), kb.tables)
    assert a.overstayed and a.days_left == 0


def test_residence_permit_holders_have_no_visitor_limits(kb) -> None:  # type: ignore[no-untyped-def]
    a = assess_stay(StayFacts(date(2026, 1, 1), "residence_permit"), date(2026, 3, 1), kb.tables)
    assert a.limit is None and a.last_day is None and a.registration is None


def test_visa_entry_needs_its_days(kb) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MissingVisaDays):
        assess_stay(StayFacts(date(2026, 1, 1), "visa"), date(2026, 1, 2), kb.tables)
