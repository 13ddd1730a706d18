"""Entity extraction tables, one row per phrase, in az / az-ascii / ru / ru-latin / en."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from nlu.entities import extract_entities
from nlu.types import Duration, Money

TODAY = date(2026, 11, 28)


def _values(text: str, kind: str) -> list[object]:
    return [e.value for e in extract_entities(text, TODAY) if e.kind == kind]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1-ci mart 2026", date(2026, 3, 1)),
        ("1 mart 2026-cı ildə gəlmişəm", date(2026, 3, 1)),
        ("1 марта 2026 года", date(2026, 3, 1)),
        ("1 marta 2026", date(2026, 3, 1)),
        ("March 1st, 2026", date(2026, 3, 1)),
        ("1st of March 2026", date(2026, 3, 1)),
        ("01.03.2026", date(2026, 3, 1)),
        ("01/03/26", date(2026, 3, 1)),
        ("2026-03-01", date(2026, 3, 1)),
        ("12/31/2026", date(2026, 12, 31)),  # day-first impossible, so month-first
        ("yesterday", date(2026, 11, 27)),
        ("dünən gəldim", date(2026, 11, 27)),
        ("dunen geldim", date(2026, 11, 27)),
        ("вчера приехал", date(2026, 11, 27)),
        ("vchera priehal", date(2026, 11, 27)),
        ("3 days ago", date(2026, 11, 25)),
        ("3 gün əvvəl", date(2026, 11, 25)),
        ("3 gun qabaq", date(2026, 11, 25)),
        ("3 дня назад", date(2026, 11, 25)),
        ("3 dnya nazad", date(2026, 11, 25)),
        ("неделю назад", date(2026, 11, 21)),
        ("2 months ago", date(2026, 9, 28)),
        ("in 2 weeks", date(2026, 12, 12)),
        ("2 həftədən sonra", date(2026, 12, 12)),
        ("через месяц", date(2026, 12, 28)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert _values(text, "date") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Year-less dates resolve to the occurrence nearest to TODAY (28 Nov 2026).
        ("1 mart", date(2027, 3, 1)),
        ("1 марта", date(2027, 3, 1)),
        ("15 noyabr", date(2026, 11, 15)),
        ("December 20", date(2026, 12, 20)),
        ("1 iyun", date(2026, 6, 1)),
    ],
)
def test_year_less_dates_take_the_nearest_year(text: str, expected: date) -> None:
    assert _values(text, "date") == [expected]


def test_impossible_dates_are_ignored() -> None:
    assert _values("31.02.2026", "date") == []
    assert _values("31 fevral", "date") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6 months", Duration(6, "month")),
        ("6 ay", Duration(6, "month")),
        ("6 aylıq viza", Duration(6, "month")),
        ("6 месяцев", Duration(6, "month")),
        ("6 mesyatsev", Duration(6, "month")),
        ("полгода", Duration(6, "month")),
        ("polgoda", Duration(6, "month")),
        ("yarım il", Duration(6, "month")),
        ("half a year", Duration(6, "month")),
        ("1 il", Duration(1, "year")),
        ("2 года", Duration(2, "year")),
        ("5 лет", Duration(5, "year")),
        ("a year", Duration(1, "year")),
        ("90 days", Duration(90, "day")),
        ("90 gün", Duration(90, "day")),
        ("90 дней", Duration(90, "day")),
        ("90 dney", Duration(90, "day")),
        ("two weeks", Duration(2, "week")),
        ("iki həftə", Duration(2, "week")),
    ],
)
def test_durations(text: str, expected: Duration) -> None:
    assert _values(text, "duration") == [expected]


@pytest.mark.parametrize(
    "text",
    ["на год", "na god", "год", "один год", "bir il", "illik", "bir illik viza", "a year", "yearly", "на один год"],
)
def test_a_year_without_a_digit_is_a_duration(text: str) -> None:
    assert _values(text, "duration") == [Duration(1, "year")]


@pytest.mark.parametrize("text", ["oh god", "в этом году", "bu il gəlmişəm", "this year", "годы"])
def test_year_words_that_are_not_a_duration(text: str) -> None:
    assert _values(text, "duration") == []


def test_a_date_phrase_is_not_also_a_duration() -> None:
    entities = extract_entities("3 days ago", TODAY)
    assert [e.kind for e in entities] == ["date"]


def test_number_words_need_a_space() -> None:
    assert _values("today is a holiday", "duration") == []
    assert _values("aday", "duration") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qazaxıstandan gəlmişəm", ["KZ"]),
        ("qazaxistandan gelmisem", ["KZ"]),
        ("mən qazaxam", ["KZ"]),
        ("gürcüyəm", ["GE"]),
        ("Rusiya vətəndaşıyam", ["RU"]),
        ("я из Казахстана", ["KZ"]),
        ("я казах", ["KZ"]),
        ("ya iz Kazakhstana", ["KZ"]),
        ("ya kazah", ["KZ"]),
        ("я гражданин России", ["RU"]),
        ("я россиянин", ["RU"]),
        ("грузин", ["GE"]),
        ("I am from Kazakhstan", ["KZ"]),
        ("I'm Georgian", ["GE"]),
        ("Russian citizen", ["RU"]),
        ("Türkiyədən", ["TR"]),
        ("from the United States", ["US"]),
        ("ABŞ vətəndaşı", ["US"]),
        ("Özbəkistan və Tacikistan", ["UZ", "TJ"]),
    ],
)
def test_countries(text: str, expected: list[str]) -> None:
    assert _values(text, "country") == expected


@pytest.mark.parametrize("text", ["indi nə edim", "того что", "malı var", "hello there", "salam"])
def test_ordinary_words_are_not_countries(text: str) -> None:
    assert _values(text, "country") == []


@pytest.mark.parametrize(
    "text",
    [
        "rus dilində",
        "rus dilinde yazın",
        "azərbaycan dilində",
        "ingilis dilinde",
        "gürcü dilində danışın",
        "по-русски пожалуйста",
        "ПО-РУССКИ",
        "po-russki pojaluysta",
        "по-азербайджански",
        "на русском",
        "na russkom pozhaluysta",
        "на азербайджанском языке",
        "русский язык",
        "in Azerbaijani please",
        "in Russian",
        "Russian language please",
    ],
)
def test_language_names_are_not_countries(text: str) -> None:
    assert _values(text, "country") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("in Russia", ["RU"]), ("по России", ["RU"]), ("на Украине", ["UA"]), ("I am Russian", ["RU"]), ("rusam", ["RU"])],
)
def test_countries_next_to_language_cues_stay_countries(text: str, expected: list[str]) -> None:
    assert _values(text, "country") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000 AZN", Money(Decimal(1000), "AZN")),
        ("1 000 манат", Money(Decimal(1000), "AZN")),
        ("200 manat", Money(Decimal(200), "AZN")),
        ("200 manatdır", Money(Decimal(200), "AZN")),
        ("₼ 30", Money(Decimal(30), "AZN")),
        ("$100", Money(Decimal(100), "USD")),
        ("100 dollars", Money(Decimal(100), "USD")),
        ("50 евро", Money(Decimal(50), "EUR")),
        ("1,500.50 USD", Money(Decimal("1500.50"), "USD")),
        ("12,5 manat", Money(Decimal("12.5"), "AZN")),
        ("5000 rubley", Money(Decimal(5000), "RUB")),
    ],
)
def test_money(text: str, expected: Money) -> None:
    assert _values(text, "money") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ərizə nömrəm AZ-2026-000123", "AZ-2026-000123"),
        ("erize nomrem 20260045", "20260045"),
        ("заявка № 1234567", "1234567"),
        ("номер 7654321", "7654321"),
        ("my application MX1234567", "MX1234567"),
        ("status of 20260045123", "20260045123"),
    ],
)
def test_application_numbers(text: str, expected: str) -> None:
    assert _values(text, "application_number") == [expected]


@pytest.mark.parametrize("text", ["zəng edin 0501234567", "+994 50 123 45 67", "1000 AZN", "01.03.2026"])
def test_phone_numbers_money_and_dates_are_not_application_numbers(text: str) -> None:
    assert _values(text, "application_number") == []


def test_offsets_index_the_original_text() -> None:
    text = "İŞ İCAZƏSİ: 1-ci MART 2026, Qazaxıstandan, 350 manat"
    for entity in extract_entities(text, TODAY):
        assert text[entity.start : entity.end] == entity.text
    assert [e.kind for e in extract_entities(text, TODAY)] == ["date", "country", "money"]
