"""Our NLU's parse latency (p50/p99) on one core and the memory the loaded model adds.

    .venv/bin/python benchmarks/nlu_speed.py [--model PATH] [--data nlu/dev] [--json]

``--model`` defaults to the configured ``nlu_model_path`` (train it first: ``migassist nlu train``).

Runs in a fresh process pinned to CPU 0: RSS is read before importing/loading and after the
model is loaded, then every dev message is parsed 5 times (one warm-up pass first).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

REPEATS = 5


def rss_kb() -> int:
    """Resident set size of this process in KiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(model_path: Path, data: Path) -> dict[str, object]:
    """Load the model and time ``parse`` on every example of ``data``; return raw figures."""
    os.sched_setaffinity(0, {0})
    before = rss_kb()
    from nlu import NluModel
    from nlu.data import load_examples

    model = NluModel.load(model_path)
    after = rss_kb()
    texts = [example.text for example in load_examples(data)]
    for text in texts:
        model.parse(text)
    latencies = []
    for _ in range(REPEATS):
        for text in texts:
            started = time.perf_counter()
            model.parse(text)
            latencies.append((time.perf_counter() - started) * 1000)
    return {
        "messages": len(texts),
        "parses": len(latencies),
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "rss_delta_mb": (after - before) / 1024,
        "model_file_mb": model_path.stat().st_size / 1e6,
    }


def main() -> None:
    from bot.config import load_config
    from nlu.paths import DEV_DATA_DIR

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="default: the configured nlu_model_path")
    parser.add_argument("--data", type=Path, default=DEV_DATA_DIR)
    parser.add_argument("--json", action="store_true", help="print one JSON object (for nlu_vs_rasa.py)")
    args = parser.parse_args()
    model_path = args.model or load_config().settings.nlu_model_path
    figures = measure(model_path, args.data)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"model {model_path} ({figures['model_file_mb']:.1f} MB on disk)")
    print(f"{figures['parses']} parses of {figures['messages']} dev messages on one core")
    print(f"parse p50 {figures['p50_ms']:.3f} ms   p99 {figures['p99_ms']:.3f} ms")
    print(f"RSS added by importing and loading the model: {figures['rss_delta_mb']:.0f} MB")


if __name__ == "__main__":
    main()
