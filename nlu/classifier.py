"""The intent classifier: n-gram TF-IDF views of normalised text and a linear model.

Three views of each message are concatenated:

* word unigrams + bigrams of the transliterated folded text (whole-word evidence);
* character n-grams (``char_wb`` 2–5) of the same text, robust to typos and endings, and the
  reason Cyrillic and Latin-typed Russian meet (both become "razreshenie");
* character n-grams of the :func:`~nlu.normalise.skeleton` key, where "sh"/"s", "kh"/"x"/"h",
  "ja"/"ya" etc. coincide.

The model is a multinomial logistic regression: its probabilities are reasonably calibrated
by construction (it minimises log-loss), which ``nlu.evaluation`` measures (expected
calibration error on cross-validated predictions) rather than assumes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from nlu.normalise import fold, skeleton, transliterate_ru


def latin_fold(text: str) -> str:
    """Folded text with Cyrillic transliterated: the main classification view."""
    return transliterate_ru(fold(text))


@dataclass(frozen=True, slots=True)
class ClassifierParams:
    """Hyper-parameters chosen by cross-validation on the training data (see docs/nlu.md)."""

    c: float = 10.0
    char_ngrams: tuple[int, int] = (2, 5)
    skeleton_ngrams: tuple[int, int] = (2, 4)
    word_ngrams: tuple[int, int] = (1, 2)


def build_classifier(params: ClassifierParams = ClassifierParams()) -> Pipeline:
    """An unfitted pipeline mapping raw message texts to intent probabilities."""
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    preprocessor=latin_fold,
                    analyzer="word",
                    ngram_range=params.word_ngrams,
                    token_pattern=r"(?u)\b\w+\b",
                    sublinear_tf=True,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    preprocessor=latin_fold,
                    analyzer="char_wb",
                    ngram_range=params.char_ngrams,
                    sublinear_tf=True,
                ),
            ),
            (
                "skeleton",
                TfidfVectorizer(
                    preprocessor=skeleton,
                    analyzer="char_wb",
                    ngram_range=params.skeleton_ngrams,
                    sublinear_tf=True,
                ),
            ),
        ]
    )
    # lbfgs is deterministic for a given input, so training twice gives identical models.
    classifier = LogisticRegression(C=params.c, max_iter=3000)
    return Pipeline([("features", features), ("classifier", classifier)])


def train_classifier(
    texts: Sequence[str], intents: Sequence[str], params: ClassifierParams = ClassifierParams()
) -> Pipeline:
    """Fit :func:`build_classifier` on labelled texts."""
    pipeline = build_classifier(params)
    pipeline.fit(list(texts), list(intents))
    return pipeline
