"""The NLU model: training, parsing, saving and loading.

The saved file is a joblib pickle of ``{"format": FORMAT_VERSION, "data_hash": ..., "state":
...}``. Only files this package wrote are ever loaded (the path comes from config); a file that
is unreadable, of another format version, or trained from other data is retrained by
:func:`load_or_train`, which logs why.
"""

from __future__ import annotations

import logging
import pickle
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import joblib
import numpy as np
import sklearn
from lingua import LanguageDetector
from sklearn.pipeline import Pipeline

from nlu.classifier import (
    DEFAULT_PARAMS,
    ClassifierParams,
    latin_fold,
    preprocessed_views,
    train_classifier,
    training_words,
)
from nlu.data import LabelledExample, data_hash, load_examples
from nlu.entities import extract_entities, warm_up
from nlu.intents import INTENTS, OUT_OF_SCOPE
from nlu.language import LanguageIdentifier, build_lingua_detector, train_latin_model
from nlu.linear_scorer import LinearTextScorer
from nlu.types import IntentScore, ParseResult

log = logging.getLogger(__name__)

#: Bumped whenever the saved structure changes; older files are retrained, never misread.
FORMAT_VERSION = 1
#: Messages are cut to this many characters before parsing: intents are clear long before
#: that, and the cap bounds the cost of a pathological 100k-character message.
MAX_PARSE_CHARS = 2000
#: How many intents :attr:`ParseResult.ranking` lists.
RANKING_SIZE = 5


class NluError(Exception):
    """Base class of this package's errors."""


class ModelLoadError(NluError):
    """A saved model cannot be used; the message says which file and why."""


class TrainingDataError(NluError):
    """The training data cannot train a model (empty, unknown intent names …)."""


@dataclass(frozen=True, slots=True)
class _ModelState:
    """What is pickled: the fitted estimators and the hash of the data they were fitted on."""

    intent_pipeline: Pipeline
    latin_language_model: Pipeline | None
    data_hash: str
    sklearn_version: str


class NluModel:
    """A trained model: ``parse`` any text into language, intent, ranking and entities."""

    def __init__(self, state: _ModelState, lingua: LanguageDetector | None = None) -> None:
        self._state = state
        self._languages = LanguageIdentifier(
            state.latin_language_model, lingua or build_lingua_detector(), known_words=training_words(state.intent_pipeline)
        )
        self._scorer = LinearTextScorer(state.intent_pipeline)
        # Build lazy tables and touch every code path once, so the first user message is
        # as fast as the rest.
        warm_up()
        for sample in ("Salam, necə qeydiyyatdan keçim?", "skolko stoit", "Сколько стоит?", "hello"):
            self.parse(sample, today=date(2026, 1, 1))

    @property
    def data_hash(self) -> str:
        """SHA-256 of the training data this model was trained on (see :func:`nlu.data.data_hash`)."""
        return self._state.data_hash

    @property
    def intents(self) -> tuple[str, ...]:
        """The intents this model can predict (those present in its training data)."""
        return self._scorer.classes

    def parse(self, text: str, language_hint: str | None = None, today: date | None = None) -> ParseResult:
        """Understand one message. Never raises for any string.

        ``language_hint`` is the conversation's current language, used when detection is not
        confident; ``today`` anchors relative and year-less dates (default: the local date).
        Texts longer than :data:`MAX_PARSE_CHARS` are cut, and ``ParseResult.text`` is the
        cut text that entity offsets index.
        """
        text = text[:MAX_PARSE_CHARS]
        views = preprocessed_views(text)
        language, confident = self._languages.identify(text, language_hint, latin=views[latin_fold])
        ranking = self._ranking(self._scorer.predict_proba(text, views))
        entities = extract_entities(text, today or date.today())
        return ParseResult(
            text=text,
            language=language,
            language_confident=confident,
            intent=ranking[0].intent,
            confidence=ranking[0].confidence,
            ranking=ranking,
            entities=entities,
        )

    def rank_intents(self, texts: list[str]) -> list[tuple[IntentScore, ...]]:
        """Rankings of many texts at once (batched; for evaluation)."""
        return [self._ranking(row) for row in self._state.intent_pipeline.predict_proba(texts)]

    def _ranking(self, probabilities: np.ndarray) -> tuple[IntentScore, ...]:
        """The top intents, best first; ties keep class order (``sorted`` is stable, also reversed)."""
        values = probabilities.tolist()
        best = sorted(range(len(values)), key=values.__getitem__, reverse=True)[:RANKING_SIZE]
        return tuple(IntentScore(self._scorer.classes[i], values[i]) for i in best)

    def save(self, path: Path) -> None:
        """Write the model atomically (a crash mid-write never leaves a half file in place)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        joblib.dump({"format": FORMAT_VERSION, "data_hash": self.data_hash, "state": self._state}, partial)
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> NluModel:
        """Load a model written by :meth:`save`; raise :class:`ModelLoadError` if unusable."""
        if not path.exists():
            raise ModelLoadError(f"NLU model file {path} does not exist")
        try:
            payload = joblib.load(path)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, KeyError, AttributeError,
                ImportError, IndexError, TypeError) as exc:
            raise ModelLoadError(f"NLU model file {path} is unreadable ({type(exc).__name__}: {exc})") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
            found = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
            raise ModelLoadError(f"NLU model file {path} has format {found!r}, expected {FORMAT_VERSION}")
        state = payload.get("state")
        if not isinstance(state, _ModelState):
            raise ModelLoadError(f"NLU model file {path} holds no model state")
        if state.sklearn_version != sklearn.__version__:
            raise ModelLoadError(
                f"NLU model file {path} was trained with scikit-learn {state.sklearn_version}, "
                f"this is {sklearn.__version__}"
            )
        return cls(state)


def train(data_dir: Path, params: ClassifierParams = DEFAULT_PARAMS) -> NluModel:
    """Train a model from the Rasa NLU YAML files of ``data_dir`` (deterministic)."""
    examples = load_examples(data_dir)
    return train_from_examples(examples, data_hash(data_dir), params)


def train_from_examples(
    examples: list[LabelledExample], hash_of_data: str, params: ClassifierParams = DEFAULT_PARAMS
) -> NluModel:
    """Train from already loaded examples (used by cross-validation and tests)."""
    if not examples:
        raise TrainingDataError("no training examples found")
    unknown = sorted({e.intent for e in examples} - set(INTENTS))
    if unknown:
        raise TrainingDataError(f"training data uses intents outside the contract: {', '.join(unknown)}")
    if OUT_OF_SCOPE not in {e.intent for e in examples}:
        log.warning("training data has no %s examples; off-topic messages will be forced into a topic", OUT_OF_SCOPE)
    started = time.perf_counter()
    texts = [e.text for e in examples]
    state = _ModelState(
        intent_pipeline=train_classifier(texts, [e.intent for e in examples], params),
        latin_language_model=train_latin_model(texts, [e.language for e in examples]),
        data_hash=hash_of_data,
        sklearn_version=sklearn.__version__,
    )
    log.info("trained NLU model on %d examples in %.1f s", len(examples), time.perf_counter() - started)
    return NluModel(state)


def load_or_train(model_path: Path, data_dir: Path) -> NluModel:
    """Load the saved model, or train and save one if it is missing, unusable or stale."""
    current_hash = data_hash(data_dir)
    try:
        model = NluModel.load(model_path)
    except ModelLoadError as exc:
        log.warning("%s; retraining from %s", exc, data_dir)
    else:
        if model.data_hash == current_hash:
            return model
        log.info("NLU training data in %s changed since %s was trained; retraining", data_dir, model_path)
    model = train(data_dir)
    model.save(model_path)
    log.info("saved NLU model to %s", model_path)
    return model
