"""Fast single-message scoring for a fitted "TF-IDF features → logistic regression" pipeline.

scikit-learn's ``predict_proba`` on one short text spends most of its ~1 ms in input
validation and sparse-matrix plumbing. :class:`LinearTextScorer` takes the *fitted* pieces —
each vectorizer's own analyzer (``build_analyzer()``, so tokenisation is exactly sklearn's),
vocabulary and idf, and the model's coefficients — and computes the same probabilities with a
dictionary lookup and one small dense product. Tests check it agrees with ``predict_proba``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline


@dataclass(frozen=True)
class _VectorizerPart:
    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    sublinear_tf: bool
    offset: int  # column of this part's first feature in the concatenated feature space


class LinearTextScorer:
    """Class probabilities of one text, numerically equal to the pipeline's ``predict_proba``."""

    def __init__(self, pipeline: Pipeline) -> None:
        features, model = pipeline.steps[0][1], pipeline.steps[-1][1]
        if not isinstance(model, LogisticRegression):
            raise TypeError("LinearTextScorer needs a LogisticRegression as the last step")
        vectorizers = (
            [v for _, v in features.transformer_list] if isinstance(features, FeatureUnion) else [features]
        )
        self._parts: list[_VectorizerPart] = []
        offset = 0
        for vectorizer in vectorizers:
            if not isinstance(vectorizer, TfidfVectorizer) or vectorizer.norm != "l2":
                raise TypeError("LinearTextScorer supports l2-normalised TfidfVectorizer features only")
            self._parts.append(
                _VectorizerPart(
                    analyzer=vectorizer.build_analyzer(),
                    vocabulary=dict(vectorizer.vocabulary_),
                    idf=np.asarray(vectorizer.idf_, dtype=np.float64),
                    sublinear_tf=vectorizer.sublinear_tf,
                    offset=offset,
                )
            )
            offset += len(vectorizer.vocabulary_)
        # Row per feature, so a message's few active features select a small block.
        self._weights = np.ascontiguousarray(model.coef_.T, dtype=np.float64)
        self._intercept = np.asarray(model.intercept_, dtype=np.float64)
        self.classes: tuple[str, ...] = tuple(str(c) for c in model.classes_)

    def predict_proba(self, text: str) -> np.ndarray:
        """Probabilities over :attr:`classes` for one text."""
        columns: list[int] = []
        values: list[float] = []
        for part in self._parts:
            counts = Counter(
                index for gram in part.analyzer(text) if (index := part.vocabulary.get(gram)) is not None
            )
            if not counts:
                continue
            indices = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if part.sublinear_tf:
                tf = np.log(tf) + 1.0
            weights = tf * part.idf[indices]
            weights /= np.sqrt(weights @ weights)
            columns.extend((indices + part.offset).tolist())
            values.extend(weights.tolist())
        logits = self._intercept.copy()
        if columns:
            logits += np.asarray(values) @ self._weights[np.asarray(columns, dtype=np.intp)]
        if len(logits) == 1:  # binary model: one logit for the second class
            positive = 1.0 / (1.0 + np.exp(-logits[0]))
            return np.array([1.0 - positive, positive])
        logits -= logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()
