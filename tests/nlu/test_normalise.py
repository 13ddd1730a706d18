from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlu.normalise import _fold_char, fold, fold_aligned, skeleton, transliterate_ru


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qeydiyyatdan keçməliyəm?", "qeydiyatdan kecmeliyem"),
        ("İŞ İCAZƏSİ", "is icazesi"),
        ("IŞIQ", "isiq"),
        ("Şəhadətnamə, çörək, ağ, göz, üz, qız", "sehadetname corek ag goz uz qiz"),
        ("Salaaaam!!! 😀🙏", "salam"),
        ("  many   spaces\tand\nlines ", "many spaces and lines"),
        ("Здравствуйте, ПОЖАЛУЙСТА", "здравствуйте пожалуйста"),
        ("ёлка", "елка"),
        ("don't", "dont"),
        ("01.03.2026 — 1000 AZN", "01 03 2026 1000 azn"),
        ("", ""),
        ("😀🙏", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_fold_keeps_digits_unsqueezed() -> None:
    assert fold("2000 manat") == "2000 manat"


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("сколько стоит разрешение на работу", "skolko stoit razreshenie na rabotu"),
        ("здравствуйте", "zdravstvuyte"),
        ("пожалуйста", "pozhaluysta"),
        ("чем", "chem"),
    ],
)
def test_transliterate_ru_matches_how_people_type(cyrillic: str, latin: str) -> None:
    assert transliterate_ru(fold(cyrillic)) == fold(latin)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("şəhadətnamə", "shehadetname"),
        ("razreshenie", "razresenie"),
        ("Казахстан", "Kazakhstan"),
        ("Kazakhstan", "Kazahstan"),
        ("xahiş", "khahish"),
        ("пожалуйста", "pojaluysta"),
    ],
)
def test_skeleton_merges_spelling_variants(one: str, other: str) -> None:
    assert skeleton(one) == skeleton(other)


def test_skeleton_keeps_different_words_apart() -> None:
    assert skeleton("viza") != skeleton("qeydiyyat")


def test_fold_aligned_table_folds_every_character_like_the_per_character_rule() -> None:
    below_end = "".join(chr(code) for code in range(0x3000))  # one translate of the table
    assert fold_aligned(below_end) == "".join(_fold_char(ch) for ch in below_end)
    assert all(fold_aligned(chr(code)) == _fold_char(chr(code)) for code in range(0x3100))


@given(st.text(max_size=200))
def test_fold_aligned_is_the_per_character_rule(text: str) -> None:
    assert fold_aligned(text) == "".join(_fold_char(ch) for ch in text)


@given(st.text(max_size=200))
def test_fold_aligned_keeps_length_and_fold_is_idempotent(text: str) -> None:
    assert len(fold_aligned(text)) == len(text)
    assert fold(fold(text)) == fold(text)
