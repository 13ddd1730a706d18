"""The intent classifier: n-gram TF-IDF views of normalised text and a linear model.

Three views of each message are concatenated:

* word unigrams + bigrams of the transliterated folded text (whole-word evidence);
* character n-grams (``char_wb`` 2–5) of the same text, robust to typos and endings, and the
  reason Cyrillic and Latin-typed Russian meet (both become "razreshenie");
* character n-grams of the :func:`~nlu.normalise.skeleton` key, where "sh"/"s", "kh"/"x"/"h",
  "ja"/"ya" etc. coincide.

The model is a multinomial logistic regression. With 25 classes and strong regularisation
its raw probabilities are *under*-confident, so training also fits a single **temperature**
on out-of-fold logits of the training data (temperature scaling: one parameter, chosen to
minimise log-loss; it never changes which intent wins). The temperature is folded into the
coefficients, so ``predict_proba`` — and every fast path built on the coefficients — returns
calibrated probabilities. ``nlu.evaluation`` reports the resulting calibration error.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline

from nlu.intents import OUT_OF_SCOPE
from nlu.normalise import fold, latin_skeleton, skeleton, transliterate_ru

log = logging.getLogger(__name__)

#: Folds of the out-of-fold predictions the temperature is fitted on.
CALIBRATION_FOLDS = 3
#: Fixed seed: the same data always gives the same folds, hence the same model.
CALIBRATION_SEED = 13


def latin_fold(text: str) -> str:
    """Folded text with Cyrillic transliterated: the main classification view."""
    return transliterate_ru(fold(text))


def preprocessed_views(text: str) -> dict[Callable[[str], str], str]:
    """``text`` through each preprocessor of :func:`build_classifier`, keyed by preprocessor
    (for :meth:`~nlu.linear_scorer.LinearTextScorer.predict_proba`), folding only once."""
    latin = latin_fold(text)
    return {latin_fold: latin, skeleton: latin_skeleton(latin)}


@dataclass(frozen=True, slots=True)
class ClassifierParams:
    """Hyper-parameters chosen by 3-fold cross-validation on the training data only
    (``benchmarks/nlu_tune.py``; figures in docs/nlu.md)."""

    c: float = 10.0
    char_ngrams: tuple[int, int] = (2, 5)
    skeleton_ngrams: tuple[int, int] = (2, 4)
    word_ngrams: tuple[int, int] = (1, 2)
    #: Class weight of ``out_of_scope``: above 1 trades topic recall for fewer off-topic
    #: messages answered as a topic.
    out_of_scope_weight: float = 2.0


DEFAULT_PARAMS = ClassifierParams()


def build_classifier(params: ClassifierParams = DEFAULT_PARAMS) -> Pipeline:
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
    weights = {OUT_OF_SCOPE: params.out_of_scope_weight} if params.out_of_scope_weight != 1.0 else None
    classifier = LogisticRegression(C=params.c, max_iter=3000, class_weight=weights)
    return Pipeline([("features", features), ("classifier", classifier)])


def training_words(pipeline: Pipeline) -> frozenset[str]:
    """The single words a fitted pipeline's word view knows (folded, transliterated)."""
    words_view = dict(pipeline.named_steps["features"].transformer_list)["words"]
    return frozenset(term for term in words_view.vocabulary_ if " " not in term)


def train_classifier(
    texts: Sequence[str], intents: Sequence[str], params: ClassifierParams = DEFAULT_PARAMS
) -> Pipeline:
    """Fit :func:`build_classifier` on labelled texts, with a fitted temperature folded in."""
    texts, intents = list(texts), list(intents)
    temperature = fit_temperature(texts, intents, params)
    pipeline = build_classifier(params)
    pipeline.fit(texts, intents)
    model = pipeline.named_steps["classifier"]
    model.coef_ /= temperature
    model.intercept_ /= temperature
    log.info("intent classifier temperature %.3f", temperature)
    return pipeline


def fit_temperature(texts: list[str], intents: list[str], params: ClassifierParams) -> float:
    """The temperature minimising log-loss of out-of-fold logits (1.0 if data is too small)."""
    if min(Counter(intents).values()) < CALIBRATION_FOLDS:
        log.info("too few examples per intent to calibrate; temperature 1.0")
        return 1.0
    classes = sorted(set(intents))
    gold = np.array([classes.index(intent) for intent in intents])
    logits = np.zeros((len(texts), len(classes)))
    folds = StratifiedKFold(n_splits=CALIBRATION_FOLDS, shuffle=True, random_state=CALIBRATION_SEED)
    for train_index, test_index in folds.split(texts, intents):
        fold_model = build_classifier(params).fit([texts[i] for i in train_index], [intents[i] for i in train_index])
        logits[test_index] = fold_model.decision_function([texts[i] for i in test_index])

    def log_loss(temperature: float) -> float:
        return float(-log_softmax(logits / temperature, axis=1)[np.arange(len(gold)), gold].mean())

    return float(minimize_scalar(log_loss, bounds=(0.05, 20.0), method="bounded").x)
