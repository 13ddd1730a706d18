"""Runs inside ``.venv-rasa`` (Python 3.10, Rasa 3.6) for benchmarks/nlu_vs_rasa.py.

It imports nothing from this project (that needs Python 3.11). Two modes, JSON on stdout:

    nlu_rasa_worker.py train CONFIG DATA_DIR OUT_DIR   → {"seconds", "model"}
    nlu_rasa_worker.py parse MODEL TEXTS_JSON          → {"rss_before_kb", "rss_after_kb",
                                                          "latencies_ms", "predictions"}
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from pathlib import Path


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def train(config: str, data_dir: str, out_dir: str) -> dict[str, object]:
    from rasa.model_training import train_nlu

    started = time.perf_counter()
    model = train_nlu(config=config, nlu_data=data_dir, output=out_dir, fixed_model_name="nlu-benchmark")
    return {"seconds": time.perf_counter() - started, "model": str(model)}


def parse(model_path: str, texts_file: str) -> dict[str, object]:
    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    before = rss_kb()
    from rasa.core.agent import Agent

    loop = asyncio.new_event_loop()
    agent = Agent.load(model_path)
    loop.run_until_complete(agent.parse_message("warm up"))
    after = rss_kb()
    latencies, predictions = [], []
    for text in texts:
        started = time.perf_counter()
        result = loop.run_until_complete(agent.parse_message(text))
        latencies.append((time.perf_counter() - started) * 1000)
        intent = result.get("intent") or {}
        predictions.append({"intent": intent.get("name"), "confidence": float(intent.get("confidence") or 0.0)})
    return {"rss_before_kb": before, "rss_after_kb": after, "latencies_ms": latencies, "predictions": predictions}


def main() -> None:
    logging.disable(logging.WARNING)
    mode, *arguments = sys.argv[1:]
    result = train(*arguments) if mode == "train" else parse(*arguments)
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
