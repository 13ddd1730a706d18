"""The evaluation's numbers are computed from predictions, not stored."""

from __future__ import annotations

import pytest

from nlu import NluModel
from nlu.data import LabelledExample
from nlu.evaluation import (
    Prediction,
    evaluate,
    expected_calibration_error,
    format_report,
    score,
)


def _prediction(gold: str, predicted: str, confidence: float, variant: str = "en") -> Prediction:
    example = LabelledExample("text", gold, variant.split("_")[0], variant)
    return Prediction(example, predicted, confidence, example.language)


def test_scores_of_a_known_confusion() -> None:
    predictions = [
        _prediction("greet", "greet", 0.9, "az"),
        _prediction("greet", "thanks", 0.6, "az_ascii"),
        _prediction("thanks", "thanks", 0.8, "en"),
        _prediction("out_of_scope", "visa", 0.7, "en"),
        _prediction("out_of_scope", "registration", 0.4, "ru"),
        _prediction("out_of_scope", "out_of_scope", 0.9, "ru_latin"),
    ]
    report = score(predictions, confident_threshold=0.6)
    assert report.overall.accuracy == pytest.approx(3 / 6)
    assert report.by_variant["az_ascii"].accuracy == 0.0
    assert report.by_language["az"].accuracy == pytest.approx(0.5)
    assert report.out_of_scope_false_accept_any == pytest.approx(2 / 3)
    assert report.out_of_scope_false_accept_confident == pytest.approx(1 / 3)
    # greet: P=1, R=1/2 → F1 2/3; thanks: P=1/2, R=1 → 2/3; out_of_scope: P=1, R=1/3 → 1/2.
    assert report.overall.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 1 / 2) / 3)
    assert report.confused_pairs[0][2] == 1
    assert ("greet", "thanks", 1) in report.confused_pairs


def test_expected_calibration_error() -> None:
    assert expected_calibration_error([0.95, 0.95], [True, True]) == pytest.approx(0.05)
    assert expected_calibration_error([0.55, 0.55], [True, False]) == pytest.approx(0.05)
    assert expected_calibration_error([0.9, 0.2], [False, False]) == pytest.approx(0.55)


def test_evaluate_runs_the_model(model: NluModel) -> None:
    examples = [
        LabelledExample("iş icazəsinin qiyməti neçədir", "work_permit_fee", "az", "az"),
        LabelledExample("mne nuzhna registratsiya?", "registration", "ru", "ru_latin"),
        LabelledExample("tell me a funny story", "out_of_scope", "en", "en"),
    ]
    report = evaluate(model, examples, confident_threshold=0.6)
    assert report.overall.count == 3
    expected = sum(model.parse(e.text).intent == e.intent for e in examples) / 3
    assert report.overall.accuracy == pytest.approx(expected)
    text = format_report(report)
    assert f"accuracy: {expected:.1%}" in text
    assert "ru_latin" in text
