"""Our NLU against Rasa 3.6 (DIET) trained on the same data, measured on the same dev set.

    scripts/rasa_env.sh                                   # once: creates .venv-rasa
    .venv/bin/python benchmarks/nlu_vs_rasa.py [--data nlu/data] [--dev nlu/dev] [--rasa-epochs N]

Prints side by side: accuracy and macro-F1 overall and per language/variant, out-of-scope
false accepts, parse p50/p99 (one core, in a fresh process per engine, no HTTP), RSS added by
loading the model, and training time. Rasa's training data is a copy of our Rasa NLU YAML
files; its pipeline is ``benchmarks/rasa/config.yml``. Rasa training takes many minutes, so the
trained model and its measured training time are cached in ``benchmarks/.cache/nlu-rasa/``
under a hash of the data and config; a changed data file or config trains afresh. Both sides are scored by the same code
(``nlu.evaluation.score``); Rasa does no language identification, so that row is ours only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from nlu import train
from nlu.data import LabelledExample, data_hash, load_examples
from nlu.evaluation import EvaluationReport, Prediction, predict, score
from nlu.paths import DEV_DATA_DIR, TRAINING_DATA_DIR

ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
RASA_CONFIG = ROOT / "benchmarks" / "rasa" / "config.yml"
WORKER = ROOT / "benchmarks" / "nlu_rasa_worker.py"
SPEED = ROOT / "benchmarks" / "nlu_speed.py"
RASA_CACHE = ROOT / "benchmarks" / ".cache" / "nlu-rasa"
CONFIDENT = 0.6


def run_json(command: list[str]) -> dict[str, Any]:
    """Run a helper process and decode the JSON it prints (after ``RESULT`` if present)."""
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.exit(f"{' '.join(command[:3])} … failed:\n{completed.stderr[-3000:]}")
    last = completed.stdout.strip().splitlines()[-1]
    decoded: dict[str, Any] = json.loads(last.removeprefix("RESULT "))
    return decoded


def ours(data: Path, dev: list[LabelledExample], work: Path) -> tuple[EvaluationReport, dict[str, Any], float]:
    started = time.perf_counter()
    model = train(data)
    seconds = time.perf_counter() - started
    model_path = work / "ours.pkl"
    model.save(model_path)
    report = score(predict(model, dev), CONFIDENT)
    speed = run_json([sys.executable, str(SPEED), "--model", str(model_path), "--data", str(work / "dev"), "--json"])
    return report, speed, seconds


def rasa_config(work: Path, epochs: int | None) -> Path:
    """``benchmarks/rasa/config.yml``, or a copy with DIET's ``epochs`` overridden."""
    if epochs is None:
        return RASA_CONFIG
    config = yaml.safe_load(RASA_CONFIG.read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["epochs"] = epochs
    path = work / "rasa-config.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def train_rasa(data: Path, config: Path, work: Path) -> dict[str, Any]:
    """Train Rasa on a copy of ``data`` (or reuse the cached model of the same data + config)."""
    key = hashlib.sha256((data_hash(data) + config.read_text(encoding="utf-8")).encode()).hexdigest()[:16]
    record = RASA_CACHE / key / "trained.json"
    if record.exists():
        cached: dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
        if Path(cached["model"]).exists():
            print(f"reusing cached Rasa model {cached['model']} (training time as measured then)", file=sys.stderr)
            return cached
    rasa_data = work / "rasa-data"
    shutil.copytree(data, rasa_data)
    record.parent.mkdir(parents=True, exist_ok=True)
    trained = run_json([str(RASA_PYTHON), str(WORKER), "train", str(config), str(rasa_data), str(record.parent)])
    record.write_text(json.dumps(trained), encoding="utf-8")
    return trained


def rasa(
    data: Path, dev: list[LabelledExample], work: Path, epochs: int | None
) -> tuple[EvaluationReport, dict[str, Any], float]:
    trained = train_rasa(data, rasa_config(work, epochs), work)
    texts_file = work / "texts.json"
    texts_file.write_text(json.dumps([e.text for e in dev], ensure_ascii=False), encoding="utf-8")
    parsed = run_json(["taskset", "-c", "0", str(RASA_PYTHON), str(WORKER), "parse", str(trained["model"]), str(texts_file)])
    predictions = [
        # Rasa has no language identification: the example's own language stands in.
        Prediction(example, str(p["intent"]), float(p["confidence"]), example.language)
        for example, p in zip(dev, parsed["predictions"], strict=True)
    ]
    latencies = sorted(parsed["latencies_ms"])
    speed = {
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "rss_delta_mb": (int(parsed["rss_after_kb"]) - int(parsed["rss_before_kb"])) / 1024,
    }
    return score(predictions, CONFIDENT), speed, float(trained["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=TRAINING_DATA_DIR)
    parser.add_argument("--dev", type=Path, default=DEV_DATA_DIR)
    parser.add_argument("--rasa-epochs", type=int, default=None, help="override DIET's epochs in the config")
    args = parser.parse_args()
    if not RASA_PYTHON.exists():
        sys.exit(f"{RASA_PYTHON} missing: run scripts/rasa_env.sh first")
    dev = load_examples(args.dev)
    with tempfile.TemporaryDirectory(prefix="nlu-vs-rasa-") as tmp:
        work = Path(tmp)
        copy_data(args.dev, work / "dev")
        results = {"MigAssist": ours(args.data, dev, work), "Rasa DIET": rasa(args.data, dev, work, args.rasa_epochs)}
    print_table(results, len(dev))


def copy_data(source: Path, target: Path) -> None:
    """Copy a data file or directory into the directory ``target``."""
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.mkdir()
        shutil.copy(source, target)


def print_table(results: dict[str, tuple[EvaluationReport, dict[str, Any], float]], count: int) -> None:
    names = list(results)
    print(f"dev set: {count} messages; training data: same files for both")
    print(f"{'':<34}" + "".join(f"{name:>14}" for name in names))

    def row(label: str, values: list[str]) -> None:
        print(f"{label:<34}" + "".join(f"{value:>14}" for value in values))

    reports = [results[n][0] for n in names]
    row("accuracy", [f"{r.overall.accuracy:.1%}" for r in reports])
    row("macro-F1", [f"{r.overall.macro_f1:.3f}" for r in reports])
    for language in reports[0].by_language:
        row(f"  {language} accuracy / macro-F1", [
            f"{r.by_language[language].accuracy:.1%} / {r.by_language[language].macro_f1:.2f}" for r in reports
        ])
    for variant in reports[0].by_variant:
        row(f"  variant {variant} accuracy", [f"{r.by_variant[variant].accuracy:.1%}" for r in reports])
    row("OOS as migration topic (any)", [f"{r.out_of_scope_false_accept_any:.1%}" for r in reports])
    row(f"OOS as migration topic (>= {CONFIDENT:g})", [f"{r.out_of_scope_false_accept_confident:.1%}" for r in reports])
    row("calibration error (ECE)", [f"{r.calibration_error:.3f}" for r in reports])
    row("parse p50 (ms, one core)", [f"{float(results[n][1]['p50_ms']):.2f}" for n in names])
    row("parse p99 (ms, one core)", [f"{float(results[n][1]['p99_ms']):.2f}" for n in names])
    row("RSS added by loading (MB)", [f"{float(results[n][1]['rss_delta_mb']):.0f}" for n in names])
    row("training time (s)", [f"{results[n][2]:.1f}" for n in names])


if __name__ == "__main__":
    main()
