from __future__ import annotations

from pathlib import Path

import pytest

from nlu.data import DataError, LabelledExample, data_hash, load_examples


def test_rasa_yaml_is_read_with_language_and_variant(tmp_path: Path) -> None:
    (tmp_path / "ru_latin.yml").write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: registration\n"
        "  examples: |\n"
        "    - nuzhna li [registratsiya](topic)?\n"
        '    - ya iz [Kazakhstana]{"entity": "country"}\n'
        "- synonym: registratsiya\n"
        "  examples: |\n"
        "    - registracia\n"
        "- regex: number\n"
        "  examples: |\n"
        "    - \\d+\n",
        encoding="utf-8",
    )
    assert load_examples(tmp_path) == [
        LabelledExample("nuzhna li registratsiya?", "registration", "ru", "ru_latin"),
        LabelledExample("ya iz Kazakhstana", "registration", "ru", "ru_latin"),
    ]


def test_malformed_yaml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "en.yml"
    bad.write_text("nlu: [unclosed", encoding="utf-8")
    with pytest.raises(DataError, match="en.yml"):
        load_examples(tmp_path)


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such"):
        load_examples(tmp_path / "nope")


def test_hash_follows_content(tmp_path: Path) -> None:
    file = tmp_path / "en.yml"
    file.write_text("nlu: []\n", encoding="utf-8")
    first = data_hash(tmp_path)
    assert data_hash(tmp_path) == first
    file.write_text("nlu: []\n# edited\n", encoding="utf-8")
    assert data_hash(tmp_path) != first
