"""Processes starting together on new SQLite databases, as ``serve --workers N`` does."""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path


def failures_starting_together(start: Callable[[Path], None], directory: Path, databases: int, processes: int = 4) -> list[str]:
    """Run ``start`` (a module-level function: it is sent to spawned processes) in ``processes``
    processes at once on each of ``databases`` new files in ``directory``, all waiting at a
    barrier before each file; return what failed, by database (empty if nothing did)."""
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(processes)
    reported: Queue[str] = spawn.Queue()
    starting = [
        spawn.Process(target=_start_on_each, args=(start, barrier, directory, databases, reported)) for _ in range(processes)
    ]
    for process in starting:
        process.start()
    for process in starting:
        process.join(120)
    failures = [f"a process ended with exit code {process.exitcode}" for process in starting if process.exitcode != 0]
    while True:
        try:
            failures.append(reported.get(timeout=0.1))
        except queue.Empty:
            return failures


def _start_on_each(start: Callable[[Path], None], barrier: Barrier, directory: Path, databases: int, reported: Queue[str]) -> None:
    for number in range(databases):
        barrier.wait()
        try:
            start(directory / f"new-{number}.db")
        except Exception as exc:  # reported to the test, which names it
            reported.put(f"database {number}: {exc!r}")
