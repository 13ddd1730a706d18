"""``migassist serve --workers N`` on PostgreSQL and on SQLite: the workers share the port and
the database (on SQLite they upgrade a new database together), every message is answered once,
SIGTERM stops them all, and without a configured session key they share one (a staff login
works on every worker)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import free_port
from tests.handoff.staff import PASSWORD
from tests.web.test_crash_recovery import wait_healthy


def children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return {int(p) for p in found}


async def ask(http: aiohttp.ClientSession, url: str, user: int, message: int) -> list[dict[str, object]]:
    body = {"sender": f"user-{user}", "message": "Qeydiyyat üçün neçə gün var?", "metadata": {"message_id": message}}
    async with http.post(f"{url}/webhooks/rest/webhook", json=body) as response:
        assert response.status == 200
        return list(await response.json())


def worker_environment(database_url: str, data_dir: Path, nlu_model_path: Path) -> dict[str, str]:
    """The environment of a ``serve`` under test: no session key configured (unless the caller adds one)."""
    env = {
        **os.environ,
        "MIGASSIST_DATABASE_URL": database_url,
        "MIGASSIST_DATA_DIR": str(data_dir),
        "MIGASSIST_NLU__MODEL_PATH": str(nlu_model_path),
        "MIGASSIST_RATE_LIMITS__IP_REQUESTS": "100000",
    }
    env.pop("MIGASSIST_SESSION_SECRET", None)
    return env


@asynccontextmanager
async def serving(env: dict[str, str], workers: int = 2) -> AsyncIterator[tuple[subprocess.Popen[bytes], str]]:
    """``migassist serve --workers N`` started and healthy: the parent process and the URL."""
    port = free_port()
    parent = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--log-level", "WARNING", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        await wait_healthy(url)
        yield parent, url
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


@pytest.mark.asyncio
async def test_two_workers_serve_and_stop_together(shared_database_url: str, nlu_model_path: Path, tmp_path: Path) -> None:
    env = worker_environment(shared_database_url, tmp_path, nlu_model_path)
    if shared_database_url.startswith("postgresql"):  # SQLite: the workers upgrade it on start
        subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, check=True, capture_output=True)
    async with serving(env) as (parent, url):
        # The spawned workers (multiprocessing's resource tracker is a child too, but not a worker).
        workers = {pid for pid in children(parent.pid) if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()}
        assert len(workers) == 2
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


@pytest.mark.asyncio
async def test_workers_share_one_staff_session_key_when_none_is_configured(nlu_model_path: Path, tmp_path: Path) -> None:
    env = worker_environment(f"sqlite:///{tmp_path / 'migassist.db'}", tmp_path, nlu_model_path)
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "users", "add", "olga", "--languages", "az", "--password-stdin"],
        env=env, input=f"{PASSWORD}\n".encode(), check=True, capture_output=True,
    )
    async with serving(env) as (_, url):
        # A new connection for every request, so the kernel spreads them over both workers: the
        # sign-in form, the sign-in and the signed-in requests each reach either worker.
        connector = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(f"{url}/login") as response:
                form_token = re.search(r'name="csrf" value="([^"]+)"', await response.text())
            assert form_token is not None
            form = {"csrf": form_token.group(1), "username": "olga", "password": PASSWORD, "next": "/console/"}
            async with http.post(f"{url}/login", data=form, allow_redirects=False) as response:
                assert response.status == 303
            statuses = []
            for _ in range(20):
                async with http.get(f"{url}/console/api/me", allow_redirects=False) as response:
                    statuses.append(response.status)
        assert statuses == [200] * 20
