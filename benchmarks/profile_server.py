"""Where a MigAssist server spends its time under load: ``python -m benchmarks.profile_server``.

Starts a server (SQLite), samples it with py-spy (``pip install py-spy``) while the load generator
runs one level, and prints the share of the event-loop thread's samples per library and the
project functions with the most inclusive time. Idle time (waiting in ``select``) is shown too: a
mostly idle loop with slow answers means waiting, not computing. SQLAlchemy runs statements in
greenlets, whose samples py-spy reports without the calling project frames: the per-library
shares include them, the inclusive project figures do not.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from benchmarks.e2e import format_row, run_load, server_environment
from benchmarks.server import ROOT, free_port, start_migassist, stop

FRAME = re.compile(r"\((?P<file>[^:()]+):\d+\)$")
PROJECT_PACKAGES = ("bot/", "flows/", "nlu/", "knowledge_base/")


def library(frame: str) -> str:
    match = FRAME.search(frame)
    path = match.group("file") if match else frame
    if path.startswith(PROJECT_PACKAGES):
        return "migassist (" + path.split("/")[0] + ")"
    return "python stdlib: " + path if "/" not in path else path.split("/")[0]


def summarise(raw: Path, top: int) -> None:
    by_library: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not count.isdigit() or "MainThread" not in frames[0]:  # other threads; broken lines
            continue  # worker threads (a locked SQLite BEGIN, the executor) are reported by their effect
        samples = int(count)
        total += samples
        by_library[library(frames[-1])] += samples
        for frame in set(frames[1:]):
            if frame.split(" (")[-1].startswith(PROJECT_PACKAGES):
                inclusive[frame] += samples
    print(f"# event-loop thread: {total} samples")
    for name, samples in by_library.most_common(12):
        print(f"{100 * samples / total:5.1f}%  {name}")
    print(f"# project functions, inclusive (top {top})")
    for name, samples in inclusive.most_common(top):
        print(f"{100 * samples / total:5.1f}%  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--channel", choices=("rest", "whatsapp"), default="rest")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    graph_port = free_port()
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="migassist-profile-") as tmp:
        port = free_port()
        server = start_migassist(port, Path(tmp) / "data", server_environment("sqlite", args.channel, stack, graph_port))
        raw = Path(tmp) / "profile.txt"
        try:
            sampler = subprocess.Popen(
                [py_spy, "record", "--pid", str(server.pid), "--duration", str(int(args.duration) + 2),
                 "--rate", "200", "--threads", "--format", "raw", "--output", str(raw), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
            )
            figures = run_load(
                f"http://127.0.0.1:{port}", args.channel, args.concurrency, args.duration, warmup=1.0,
                graph_port=graph_port, server_group=server.pid,
            )
            sampler.wait(timeout=60)
        finally:
            stop(server)
        print(format_row(f"migassist {args.channel}/sqlite (profiled)", figures))
        summarise(raw, args.top)


if __name__ == "__main__":
    main()
