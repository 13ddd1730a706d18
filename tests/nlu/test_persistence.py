"""Saving, loading and retraining: a missing, corrupt or stale model file is retrained."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import joblib
import pytest

from nlu import ModelLoadError, NluModel, load_or_train
from nlu.model import FORMAT_VERSION
from tests.nlu.conftest import write_rasa_yaml


@pytest.fixture
def saved(tmp_path: Path, data_dir: Path, model: NluModel) -> tuple[Path, Path]:
    """A private copy of the data and a model saved from it."""
    data = tmp_path / "data"
    shutil.copytree(data_dir, data)
    path = tmp_path / "models" / "nlu.pkl"
    model.save(path)
    return path, data


def test_round_trip(saved: tuple[Path, Path], model: NluModel) -> None:
    path, _ = saved
    loaded = NluModel.load(path)
    assert loaded.data_hash == model.data_hash
    assert loaded.parse("hello") == model.parse("hello")


def test_load_or_train_reuses_a_fresh_model(saved: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    path, data = saved
    before = path.stat().st_mtime_ns
    with caplog.at_level(logging.INFO, logger="nlu"):
        load_or_train(path, data)
    assert path.stat().st_mtime_ns == before
    assert "retrain" not in caplog.text


def test_missing_model_is_trained_and_saved(tmp_path: Path, data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "absent.pkl"
    with caplog.at_level(logging.INFO, logger="nlu"):
        model = load_or_train(path, data_dir)
    assert "does not exist; retraining" in caplog.text
    assert NluModel.load(path).data_hash == model.data_hash


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.write_bytes(b"\x00garbage, not a pickle"), id="garbage"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:100]), id="truncated"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
        pytest.param(lambda p: joblib.dump({"format": 999, "state": None}, p), id="other-format"),
        pytest.param(lambda p: joblib.dump(["a list"], p), id="wrong-type"),
        pytest.param(lambda p: joblib.dump({"format": FORMAT_VERSION, "state": "text"}, p), id="no-state"),
    ],
)
def test_corrupt_model_gives_a_clear_error(saved: tuple[Path, Path], damage: object) -> None:
    path, _ = saved
    damage(path)  # type: ignore[operator]
    with pytest.raises(ModelLoadError, match=f"NLU model file {path}"):
        NluModel.load(path)


def test_corrupt_model_is_retrained(saved: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    path, data = saved
    path.write_bytes(path.read_bytes()[:100])
    with caplog.at_level(logging.WARNING, logger="nlu"):
        model = load_or_train(path, data)
    assert f"NLU model file {path} is unreadable" in caplog.text and "retraining" in caplog.text
    assert NluModel.load(path).data_hash == model.data_hash


def test_changed_data_triggers_retraining(saved: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    path, data = saved
    old_hash = NluModel.load(path).data_hash
    write_rasa_yaml(data, "en_extra", {"greet": ["howdy", "greetings friend"]})
    with caplog.at_level(logging.INFO, logger="nlu"):
        model = load_or_train(path, data)
    assert "changed" in caplog.text
    assert model.data_hash != old_hash
    assert NluModel.load(path).data_hash == model.data_hash
