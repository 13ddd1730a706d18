"""Per-message shortcuts give exactly the slow paths' answers on the real model, for every
training and dev message: the fast scorer agrees with scikit-learn (the small fixture model
is checked in ``test_model.py``), and language identification skipping lingua agrees with
always blending it in."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nlu import NluModel, language
from nlu.classifier import preprocessed_views
from nlu.data import load_examples
from nlu.linear_scorer import LinearTextScorer
from nlu.normalise import fold
from nlu.paths import DEV_DATA_DIR, TRAINING_DATA_DIR


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [e.text for directory in (TRAINING_DATA_DIR, DEV_DATA_DIR) for e in load_examples(directory)]


def test_intent_scorer_equals_sklearn_on_all_data(real_nlu: NluModel, texts: list[str]) -> None:
    pipeline = real_nlu._state.intent_pipeline
    scorer = LinearTextScorer(pipeline)
    expected = pipeline.predict_proba(texts)
    actual = np.vstack([scorer.predict_proba(text) for text in texts])
    np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=1e-12)
    with_views = np.vstack([scorer.predict_proba(text, preprocessed_views(text)) for text in texts])
    np.testing.assert_array_equal(with_views, actual)


def test_latin_language_scorer_equals_sklearn_on_all_data(real_nlu: NluModel, texts: list[str]) -> None:
    pipeline = real_nlu._state.latin_language_model
    assert pipeline is not None
    scorer = LinearTextScorer(pipeline)
    folded = [fold(text) for text in texts]  # what LanguageIdentifier scores
    actual = np.vstack([scorer.predict_proba(text) for text in folded])
    np.testing.assert_allclose(actual, pipeline.predict_proba(folded), rtol=1e-9, atol=1e-12)


def test_skipping_lingua_never_changes_the_guess(
    real_nlu: NluModel, texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    identifier = real_nlu._languages
    cases = [(text, can_be_confident) for text in texts for can_be_confident in (True, False)]
    fast = [identifier._guess(text, can_be_confident) for text, can_be_confident in cases]
    monkeypatch.setattr(language, "_LINGUA_REACH", math.inf)  # lingua can always matter: never skipped
    assert fast == [identifier._guess(text, can_be_confident) for text, can_be_confident in cases]


def test_ranking_is_best_first_and_ties_keep_class_order(real_nlu: NluModel) -> None:
    classes = real_nlu.intents
    probabilities = np.zeros(len(classes))
    probabilities[[7, 3, 1]] = [0.3, 0.3, 0.3]
    probabilities[5] = 0.1
    ranking = real_nlu._ranking(probabilities)
    assert [score.intent for score in ranking] == [classes[i] for i in (1, 3, 7, 5, 0)]
    assert [score.confidence for score in ranking] == [0.3, 0.3, 0.3, 0.1, 0.0]
