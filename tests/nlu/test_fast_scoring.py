"""The fast single-text scorer agrees with scikit-learn on the real model, for every training
and dev message (the small fixture model is checked in ``test_model.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from nlu import NluModel
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
    actual = np.vstack([scorer.predict_proba(text) for text in texts])
    np.testing.assert_allclose(actual, pipeline.predict_proba(texts), rtol=1e-9, atol=1e-12)


def test_latin_language_scorer_equals_sklearn_on_all_data(real_nlu: NluModel, texts: list[str]) -> None:
    pipeline = real_nlu._state.latin_language_model
    assert pipeline is not None
    scorer = LinearTextScorer(pipeline)
    folded = [fold(text) for text in texts]  # what LanguageIdentifier scores
    actual = np.vstack([scorer.predict_proba(text) for text in folded])
    np.testing.assert_allclose(actual, pipeline.predict_proba(folded), rtol=1e-9, atol=1e-12)
