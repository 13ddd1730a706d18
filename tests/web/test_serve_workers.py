"""``migassist serve --workers N`` on PostgreSQL: workers share the port, SIGTERM stops them all."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.web.test_crash_recovery import wait_healthy


def children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return {int(p) for p in found}


@pytest.mark.asyncio
async def test_two_workers_serve_and_stop_together(postgres_url: str, nlu_model_path: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MIGASSIST_DATABASE_URL": postgres_url,
        "MIGASSIST_DATA_DIR": str(tmp_path),
        "MIGASSIST_NLU__MODEL_PATH": str(nlu_model_path),
    }
    subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, check=True, capture_output=True)
    port = free_port()
    parent = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--log-level", "WARNING", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await wait_healthy(f"http://127.0.0.1:{port}")
        # The spawned workers (multiprocessing's resource tracker is a child too, but not a worker).
        workers = {pid for pid in children(parent.pid) if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()}
        assert len(workers) == 2
        parent.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(parent.wait, 60) == 0
        assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
