"""``migassist serve --workers N`` on PostgreSQL and on SQLite: the workers share the port and
the database (on SQLite they upgrade a new database together), every message is answered once,
and SIGTERM stops them all."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import free_port
from tests.web.test_crash_recovery import wait_healthy


def children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return {int(p) for p in found}


async def ask(http: aiohttp.ClientSession, url: str, user: int, message: int) -> list[dict[str, object]]:
    body = {"sender": f"user-{user}", "message": "Qeydiyyat üçün neçə gün var?", "metadata": {"message_id": message}}
    async with http.post(f"{url}/webhooks/rest/webhook", json=body) as response:
        assert response.status == 200
        return list(await response.json())


@pytest.mark.asyncio
async def test_two_workers_serve_and_stop_together(shared_database_url: str, nlu_model_path: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "MIGASSIST_DATABASE_URL": shared_database_url,
        "MIGASSIST_DATA_DIR": str(tmp_path),
        "MIGASSIST_NLU__MODEL_PATH": str(nlu_model_path),
        "MIGASSIST_RATE_LIMITS__IP_REQUESTS": "100000",
    }
    if shared_database_url.startswith("postgresql"):  # SQLite: the workers upgrade it on start
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
        url = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            # Users ask at once, each twice in a row; every answer is stored once: a repeated
            # delivery (same message id), whichever worker it reaches, gets the same answer.
            first = await asyncio.gather(*(ask(http, url, user, 1) for user in range(24)))
            second = await asyncio.gather(*(ask(http, url, user, 2) for user in range(24)))
            again = await asyncio.gather(*(ask(http, url, user, 1) for user in range(24)))
        assert all(answer for answer in first + second)
        assert again == first
        parent.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(parent.wait, 60) == 0
        assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
