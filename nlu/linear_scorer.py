"""Fast single-message scoring for a fitted "TF-IDF features → logistic regression" pipeline.

scikit-learn's ``predict_proba`` on one short text spends most of its ~1 ms in input
validation and sparse-matrix plumbing. :class:`LinearTextScorer` takes the *fitted* pieces —
each vectorizer's own preprocessor and analyzer (``build_preprocessor()`` /
``build_analyzer()``, so tokenisation is exactly sklearn's), vocabulary and idf, and the
model's coefficients — and computes the same probabilities with dictionary look-ups, a little
float arithmetic on the few active features and one small dense product. Tests check it
agrees with ``predict_proba``.
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline


@dataclass(frozen=True)
class _VectorizerPart:
    preprocessor: Callable[[str], str]
    analyzer: Callable[[str], list[str]]  # sklearn's analyzer minus the preprocessor
    vocabulary: dict[str, int]
    idf: np.ndarray
    sublinear_tf: bool
    weights: np.ndarray  # this part's rows of the model's coefficients: feature × class


def _split_analyzer(vectorizer: TfidfVectorizer) -> tuple[Callable[[str], str], Callable[[str], list[str]]]:
    """The vectorizer's preprocessor, and its analyzer without that preprocessor.

    ``analyzer(preprocessor(text))`` is exactly ``vectorizer.build_analyzer()(text)``; split,
    parts sharing a preprocessor (the intent pipeline's word and character views) run it once.
    """
    if callable(vectorizer.analyzer):
        raise TypeError("LinearTextScorer needs a built-in analyzer ('word', 'char' or 'char_wb')")
    bare = copy.copy(vectorizer).set_params(preprocessor=None, lowercase=False, strip_accents=None)
    return vectorizer.build_preprocessor(), bare.build_analyzer()


class LinearTextScorer:
    """Class probabilities of one text, numerically equal to the pipeline's ``predict_proba``."""

    def __init__(self, pipeline: Pipeline) -> None:
        features, model = pipeline.steps[0][1], pipeline.steps[-1][1]
        if not isinstance(model, LogisticRegression):
            raise TypeError("LinearTextScorer needs a LogisticRegression as the last step")
        vectorizers = (
            [v for _, v in features.transformer_list] if isinstance(features, FeatureUnion) else [features]
        )
        # Row per feature, so a message's few active features select a small block.
        weights = np.ascontiguousarray(model.coef_.T, dtype=np.float64)
        self._parts: list[_VectorizerPart] = []
        offset = 0
        for vectorizer in vectorizers:
            if not isinstance(vectorizer, TfidfVectorizer) or vectorizer.norm != "l2":
                raise TypeError("LinearTextScorer supports l2-normalised TfidfVectorizer features only")
            preprocessor, analyzer = _split_analyzer(vectorizer)
            self._parts.append(
                _VectorizerPart(
                    preprocessor=preprocessor,
                    analyzer=analyzer,
                    vocabulary=dict(vectorizer.vocabulary_),
                    idf=np.asarray(vectorizer.idf_, dtype=np.float64),
                    sublinear_tf=vectorizer.sublinear_tf,
                    weights=weights[offset : offset + len(vectorizer.vocabulary_)],
                )
            )
            offset += len(vectorizer.vocabulary_)
        self._intercept = np.asarray(model.intercept_, dtype=np.float64)
        self.classes: tuple[str, ...] = tuple(str(c) for c in model.classes_)

    def predict_proba(
        self, text: str, preprocessed: Mapping[Callable[[str], str], str] | None = None
    ) -> np.ndarray:
        """Probabilities over :attr:`classes` for one text.

        ``preprocessed`` may hold outputs of the vectorizers' preprocessors for ``text`` that
        the caller already has, keyed by preprocessor; the others are computed here.
        """
        logits = self._intercept.copy()
        preprocessed = dict(preprocessed or {})
        for part in self._parts:
            if (document := preprocessed.get(part.preprocessor)) is None:
                document = preprocessed[part.preprocessor] = part.preprocessor(text)
            counts = Counter(map(part.vocabulary.get, part.analyzer(document)))
            counts.pop(None, None)  # n-grams outside the vocabulary
            if not counts:
                continue
            indices = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tfidf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if part.sublinear_tf:
                np.log(tfidf, out=tfidf)
                tfidf += 1.0
            tfidf *= part.idf.take(indices)
            # l2 normalisation, applied to this part's share of the logits.
            logits += (tfidf @ part.weights.take(indices, axis=0)) / math.sqrt(tfidf @ tfidf)
        if len(logits) == 1:  # binary model: one logit for the second class
            positive = 1.0 / (1.0 + np.exp(-logits[0]))
            return np.array([1.0 - positive, positive])
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()
