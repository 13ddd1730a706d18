"""``migassist nlu …`` end to end through ``bot.cli.main`` with fixture data."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from nlu import NluModel
from tests.nlu.conftest import write_rasa_yaml


@pytest.fixture
def configured(tmp_path: Path, data_dir: Path, model: NluModel, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the config at the fixture data and a saved fixture model; return the model path."""
    model_path = tmp_path / "nlu.pkl"
    model.save(model_path)
    monkeypatch.setenv("MIGASSIST_NLU__DATA_DIR", str(data_dir))
    monkeypatch.setenv("MIGASSIST_NLU__MODEL_PATH", str(model_path))
    return model_path


def test_parse_prints_json(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nlu", "parse", "skolko stoit razreshenie na rabotu", "--lang", "az"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert (output["language"], output["intent"]) == ("ru", "work_permit_fee")
    assert output["ranking"][0]["intent"] == "work_permit_fee"


def test_predict_reads_text_and_json_lines(
    configured: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = 'hello there\n{"text": "I paid 200 manat, is that the work permit fee?", "id": 7}\n\n'
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["nlu", "predict"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["text"] for row in rows] == ["hello there", "I paid 200 manat, is that the work permit fee?"]
    assert set(rows[0]) == {"text", "language", "intent", "confidence", "entities", "elapsed_ms"}
    assert rows[0]["intent"] == "greet"
    assert rows[1]["entities"] == [
        {"kind": "money", "value": {"amount": "200", "currency": "AZN"}, "text": "200 manat", "start": 7, "end": 16}
    ]
    assert all(row["elapsed_ms"] >= 0 for row in rows)


def test_evaluate_prints_computed_figures(
    configured: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = tmp_path / "dev"
    dev.mkdir()
    write_rasa_yaml(dev, "en", {"greet": ["hello friend"], "thanks": ["thank you friend"]})
    write_rasa_yaml(dev, "ru_latin", {"thanks": ["spasibo drug"], "greet": ["spasibo"]})
    assert main(["nlu", "evaluate", "--data", str(dev)]) == 0
    output = capsys.readouterr().out
    # "spasibo" labelled greet is wrong on purpose: at most 3 of 4 can be right.
    assert "examples: 4" in output
    assert "accuracy: 75.0%" in output
    assert "ru_latin" in output and "out-of-scope false accept" in output


def test_evaluate_reports_missing_data(configured: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nlu", "evaluate", "--data", str(tmp_path / "absent")]) == 2
    assert "no such data file" in capsys.readouterr().err
