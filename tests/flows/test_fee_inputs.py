"""Reading the fee calculator's inputs: a year without a digit, written working days, bare numbers."""

import pytest

from flows.fee_inputs import (
    NumberReading,
    bare_number,
    mentions_a_year,
    read_bare_number,
    working_days_in,
)


@pytest.mark.parametrize("text", ["na god", "на год", "Bir illik", "illik", "a year", "yearly", "for a year", "год", "İl", "annual permit", "il müddətinə"])
def test_a_year_without_a_digit(text: str) -> None:
    assert mentions_a_year(text)


@pytest.mark.parametrize("text", ["6 ay", "бессрочно", "il ərzində nə qədər", "every day", "годен"])
def test_not_a_year(text: str) -> None:
    assert not mentions_a_year(text)


@pytest.mark.parametrize(
    ("text", "days"),
    [("20 working days", 20), ("за 20 рабочих дней", 20), ("20 iş günü", 20), ("15 rabochih dney", 15), ("20 days", None), ("20", None)],
)
def test_working_days_written_out(text: str, days: int | None) -> None:
    assert working_days_in(text) == days


@pytest.mark.parametrize(("text", "number"), [("20", 20), (" 6. ", 6), ("6 months", None), ("", None)])
def test_bare_number(text: str, number: int | None) -> None:
    assert bare_number(text) == number


@pytest.mark.parametrize(
    ("number", "regime", "reading"),
    [
        (6, "general", NumberReading.MONTHS),
        (10, "general", NumberReading.MONTHS_OR_PROCESSING),
        (15, "general", NumberReading.PROCESSING),
        (20, "general", NumberReading.PROCESSING),
        (18, "general", NumberReading.LIBERATED_MONTHS),
        (24, "general", NumberReading.LIBERATED_MONTHS),
        (25, "general", NumberReading.OUT_OF_RANGE),
        (0, "general", NumberReading.OUT_OF_RANGE),
        (20, "liberated_territories", NumberReading.MONTHS),
        (5, "liberated_territories", NumberReading.MONTHS_OR_PROCESSING),
        (15, "liberated_territories", NumberReading.MONTHS_OR_PROCESSING),
    ],
)
def test_bare_numbers_are_read_against_the_fee_table(kb: object, number: int, regime: str, reading: NumberReading) -> None:
    fees = kb.tables.work_permit_fees  # type: ignore[attr-defined]
    assert read_bare_number(number, fees, regime) == reading  # type: ignore[arg-type]
