"""Measuring a model on labelled examples: every number is computed here, at run time.

Reported: accuracy and macro-F1 overall, per language and per variant (file stem, e.g.
``az_ascii``), per-intent precision/recall/F1, the most confused (gold → predicted) pairs,
language-identification accuracy, expected calibration error (ECE) of the confidence, and the
out-of-scope false-accept rate: the share of ``out_of_scope`` messages predicted as a
migration topic — counted twice, for any confidence and at or above the "understood"
threshold (the bot only *answers* a topic there; below it it asks to clarify).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from nlu.data import LabelledExample
from nlu.intents import MIGRATION_INTENTS, OUT_OF_SCOPE
from nlu.model import NluModel

#: Equal-width confidence bins for the expected calibration error.
CALIBRATION_BINS = 10
#: A fixed date for parsing during evaluation, so runs are reproducible.
EVALUATION_DAY = date(2026, 6, 15)


@dataclass(frozen=True, slots=True)
class Prediction:
    """One evaluated example: what it was and what the model said."""

    example: LabelledExample
    intent: str
    confidence: float
    language: str


@dataclass(frozen=True, slots=True)
class GroupScore:
    """Accuracy and macro-F1 of a subset of examples."""

    count: int
    accuracy: float
    macro_f1: float


@dataclass(frozen=True, slots=True)
class IntentScoreRow:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class EvaluationReport:
    """All figures of one evaluation run."""

    overall: GroupScore
    by_language: dict[str, GroupScore]
    by_variant: dict[str, GroupScore]
    by_intent: dict[str, IntentScoreRow]
    confused_pairs: list[tuple[str, str, int]]
    language_accuracy: float
    calibration_error: float
    out_of_scope_count: int
    out_of_scope_false_accept_any: float
    out_of_scope_false_accept_confident: float
    confident_threshold: float
    predictions: list[Prediction] = field(repr=False, default_factory=list)


def predict(model: NluModel, examples: Sequence[LabelledExample]) -> list[Prediction]:
    """Parse every example with the model's public ``parse`` (as the bot would)."""
    predictions = []
    for example in examples:
        result = model.parse(example.text, today=EVALUATION_DAY)
        predictions.append(Prediction(example, result.intent, result.confidence, result.language))
    return predictions


def evaluate(model: NluModel, examples: Sequence[LabelledExample], confident_threshold: float) -> EvaluationReport:
    """Evaluate ``model`` on ``examples``; see the module docstring for the figures."""
    if not examples:
        raise ValueError("no examples to evaluate on")
    return score(predict(model, examples), confident_threshold)


def score(predictions: Sequence[Prediction], confident_threshold: float) -> EvaluationReport:
    """Compute the report's figures from predictions (separate from :func:`predict` for CV)."""
    gold = [p.example.intent for p in predictions]
    predicted = [p.intent for p in predictions]
    labels = sorted(set(gold))
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0
    )
    out_of_scope = [p for p in predictions if p.example.intent == OUT_OF_SCOPE]
    wrongly_topical = [p for p in out_of_scope if p.intent in MIGRATION_INTENTS]
    return EvaluationReport(
        overall=_group(predictions),
        by_language=_groups(predictions, lambda p: p.example.language),
        by_variant=_groups(predictions, lambda p: p.example.variant),
        by_intent={
            label: IntentScoreRow(float(precision[i]), float(recall[i]), float(f1[i]), int(support[i]))
            for i, label in enumerate(labels)
        },
        confused_pairs=[
            (g, p, n)
            for (g, p), n in Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p).most_common(10)
        ],
        language_accuracy=float(np.mean([p.language == p.example.language for p in predictions])),
        calibration_error=expected_calibration_error(
            [p.confidence for p in predictions], [p.intent == p.example.intent for p in predictions]
        ),
        out_of_scope_count=len(out_of_scope),
        out_of_scope_false_accept_any=_share(len(wrongly_topical), len(out_of_scope)),
        out_of_scope_false_accept_confident=_share(
            sum(p.confidence >= confident_threshold for p in wrongly_topical), len(out_of_scope)
        ),
        confident_threshold=confident_threshold,
        predictions=list(predictions),
    )


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool]) -> float:
    """Mean |accuracy − confidence| over equal-width confidence bins, weighted by bin size."""
    conf = np.asarray(confidences, dtype=float)
    hits = np.asarray(correct, dtype=float)
    bins = np.minimum((conf * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    error = 0.0
    for b in range(CALIBRATION_BINS):
        in_bin = bins == b
        if in_bin.any():
            error += in_bin.mean() * abs(hits[in_bin].mean() - conf[in_bin].mean())
    return float(error)


def _group(predictions: Sequence[Prediction]) -> GroupScore:
    gold = [p.example.intent for p in predictions]
    predicted = [p.intent for p in predictions]
    return GroupScore(
        count=len(predictions),
        accuracy=float(accuracy_score(gold, predicted)),
        macro_f1=float(f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0)),
    )


def _groups(predictions: Sequence[Prediction], key: object) -> dict[str, GroupScore]:
    keyed: dict[str, list[Prediction]] = {}
    for prediction in predictions:
        keyed.setdefault(key(prediction), []).append(prediction)  # type: ignore[operator]
    return {name: _group(group) for name, group in sorted(keyed.items())}


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def format_report(report: EvaluationReport) -> str:
    """The report as plain text for the terminal (percentages with one decimal)."""
    lines = [
        f"examples: {report.overall.count}",
        f"accuracy: {report.overall.accuracy:.1%}   macro-F1: {report.overall.macro_f1:.3f}",
        f"language identification accuracy: {report.language_accuracy:.1%}",
        f"expected calibration error: {report.calibration_error:.3f}",
        (
            f"out-of-scope false accept ({report.out_of_scope_count} out-of-scope messages): "
            f"{report.out_of_scope_false_accept_any:.1%} predicted as a migration topic, "
            f"{report.out_of_scope_false_accept_confident:.1%} at confidence >= {report.confident_threshold:g}"
        ),
        "",
        "by language:",
        *(_group_line(name, group) for name, group in report.by_language.items()),
        "by variant:",
        *(_group_line(name, group) for name, group in report.by_variant.items()),
        "",
        f"{'intent':<24} {'prec':>6} {'recall':>6} {'F1':>6} {'n':>5}",
        *(
            f"{intent:<24} {row.precision:>6.2f} {row.recall:>6.2f} {row.f1:>6.2f} {row.support:>5}"
            for intent, row in report.by_intent.items()
        ),
        "",
        "most confused (gold -> predicted: count):",
        *(f"  {gold} -> {predicted}: {count}" for gold, predicted, count in report.confused_pairs),
    ]
    return "\n".join(lines)


def _group_line(name: str, group: GroupScore) -> str:
    return f"  {name:<10} n={group.count:<5} accuracy {group.accuracy:6.1%}   macro-F1 {group.macro_f1:.3f}"
