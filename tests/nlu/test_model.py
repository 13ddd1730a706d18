"""Intent and language per language and spelling variant; robustness; the fast scorer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import NluModel, TrainingDataError, train
from nlu.data import load_examples
from nlu.intents import INTENTS
from nlu.linear_scorer import LinearTextScorer
from nlu.model import MAX_PARSE_CHARS, train_from_examples
from tests.nlu.conftest import write_rasa_yaml

# Messages *not* in the fixture training data, per language variant.
INTENT_CASES = [
    ("az", "salam, sabahınız xeyir", "greet"),
    ("az", "iş icazəsinin qiyməti neçədir?", "work_permit_fee"),
    ("az", "qeydiyyat lazımdırmı mənə?", "registration"),
    ("az_ascii", "is icazesinin qiymeti necedir", "work_permit_fee"),
    ("az_ascii", "qeydiyyat lazimdir mene?", "registration"),
    ("az_ascii", "cox sag olun size", "thanks"),
    ("ru", "Сколько стоит разрешение на работу в Баку?", "work_permit_fee"),
    ("ru", "мне нужна регистрация?", "registration"),
    ("ru", "спасибо большое вам", "thanks"),
    ("ru_latin", "skolko stoit razreshenie na rabotu v Baku", "work_permit_fee"),
    ("ru_latin", "mne nuzhna registratsiya?", "registration"),
    ("ru_latin", "spasibo vam bolshoe", "thanks"),
    ("en", "how much is the work permit fee?", "work_permit_fee"),
    ("en", "do I need registration for my address?", "registration"),
    ("en", "what's the weather like today", "out_of_scope"),
]


@pytest.mark.parametrize(("variant", "text", "intent"), INTENT_CASES, ids=[f"{v}-{i}" for v, _, i in INTENT_CASES])
def test_intent_per_language_and_variant(model: NluModel, variant: str, text: str, intent: str) -> None:
    result = model.parse(text)
    assert result.intent == intent
    assert result.language == variant.split("_")[0]
    assert result.ranking[0].intent == result.intent
    assert result.ranking[0].confidence == result.confidence


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Здравствуйте, мне нужна помощь", "ru"),
        ("Salam, mənə kömək lazımdır", "az"),
        ("Salam, mene komek lazimdir", "az"),
        ("zdravstvuyte, mne nuzhna pomosch", "ru"),
        ("Hello, I need some help please", "en"),
    ],
)
def test_language_is_identified_confidently(model: NluModel, text: str, language: str) -> None:
    result = model.parse(text)
    assert (result.language, result.language_confident) == (language, True)


@pytest.mark.parametrize("text", ["ok", "да", "hə", "👍", "", "123"])
@pytest.mark.parametrize("hint", ["az", "ru", "en"])
def test_short_messages_keep_the_conversation_language(model: NluModel, text: str, hint: str) -> None:
    result = model.parse(text, language_hint=hint)
    assert (result.language, result.language_confident) == (hint, False)


def test_one_known_word_among_unknown_ones_is_enough_to_be_confident(model: NluModel) -> None:
    result = model.parse("zdravstvuyte asdkjh qwe", language_hint="en")
    assert (result.language, result.language_confident) == ("ru", True)


def test_confident_detection_overrides_the_hint(model: NluModel) -> None:
    result = model.parse("Сколько стоит разрешение на работу?", language_hint="en")
    assert (result.language, result.language_confident) == ("ru", True)


def test_ranking_is_sorted_probabilities_of_known_intents(model: NluModel) -> None:
    result = model.parse("salam")
    confidences = [score.confidence for score in result.ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert {score.intent for score in result.ranking} <= set(INTENTS)


def test_entities_use_today(model: NluModel) -> None:
    result = model.parse("I arrived 3 days ago", today=date(2026, 3, 4))
    assert [e.value for e in result.entities_of("date")] == [date(2026, 3, 1)]


def test_very_long_messages_are_cut(model: NluModel) -> None:
    result = model.parse("work permit fee " * 10_000)
    assert len(result.text) == MAX_PARSE_CHARS
    assert result.intent == "work_permit_fee"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_parse_never_raises(model: NluModel, text: str) -> None:
    result = model.parse(text, language_hint="az")
    assert result.intent in INTENTS
    assert 0.0 <= result.confidence <= 1.0


def test_fast_scorer_equals_sklearn_predict_proba(model: NluModel) -> None:
    texts = ["iş icazəsi", "skolko stoit", "Сколько стоит?", "hello", "", "😀", "x" * 3000]
    pipeline = model._state.intent_pipeline
    scorer = LinearTextScorer(pipeline)
    expected = pipeline.predict_proba(texts)
    actual = np.vstack([scorer.predict_proba(text) for text in texts])
    np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-12)


def test_training_is_deterministic(data_dir: Path, model: NluModel) -> None:
    again = train(data_dir)
    texts = ["iş icazəsi neçəyədir", "kak vstat na registratsiyu", "hello there", "погода"]
    np.testing.assert_array_equal(
        again._state.intent_pipeline.predict_proba(texts), model._state.intent_pipeline.predict_proba(texts)
    )
    assert again.data_hash == model.data_hash


def test_unknown_intent_names_are_refused(tmp_path: Path) -> None:
    write_rasa_yaml(tmp_path, "en", {"greet": ["hi", "hello"], "book_flight": ["book a flight", "a flight"]})
    with pytest.raises(TrainingDataError, match="book_flight"):
        train(tmp_path)


def test_empty_data_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TrainingDataError, match="no training examples"):
        train_from_examples(load_examples(tmp_path), "hash")
