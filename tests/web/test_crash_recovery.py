"""A real server process killed with SIGKILL under load loses nothing it acknowledged."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import free_port

LOAD_SECONDS = 1.5
USERS = 8


def start_server(data_dir: Path, model_path: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MIGASSIST_DATA_DIR": str(data_dir),
        "MIGASSIST_NLU__MODEL_PATH": str(model_path),
        "MIGASSIST_SERVER__PORT": str(port),
        # The simulated users type far faster than people: refused messages get no answer of
        # their own, which is not what this test is about.
        "MIGASSIST_RATE_LIMITS__ENABLED": "false",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--log-level", "WARNING", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_healthy(url: str, timeout: float = 120.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            assert asyncio.get_running_loop().time() < deadline, "server did not become healthy"
            await asyncio.sleep(0.2)


async def chatter(url: str, acked: list[str], stop: asyncio.Event) -> None:
    """One web-chat user sending messages as fast as they are acknowledged, until the server dies."""
    session = uuid.uuid4().hex
    try:
        async with aiohttp.ClientSession() as http, http.ws_connect(f"{url}/ws/chat?session={session}") as ws:
            await ws.receive_json()  # history
            n = 0
            while not stop.is_set():
                n += 1
                client_id = f"m{n}"
                await ws.send_json({"type": "message", "id": client_id, "text": f"salam {n}"})
                while True:
                    event = await ws.receive_json()
                    if event["type"] == "ack" and event["id"] == client_id:
                        acked.append(event["message_id"])
                        break
    except (TimeoutError, aiohttp.ClientError, TypeError, ConnectionError):
        return  # the server was killed mid-conversation


def unanswered(db: Path, message_ids: list[str]) -> list[str]:
    with sqlite3.connect(db) as connection:
        answered = {
            str(row[0])
            for row in connection.execute(
                "SELECT m.id FROM messages m WHERE m.direction = 'in' AND m.processed_at IS NOT NULL "
                "AND EXISTS (SELECT 1 FROM messages r JOIN outbox o ON o.message_id = r.id "
                "WHERE r.in_reply_to = m.id AND o.status = 'sent')"
            )
        }
    return [m for m in message_ids if m not in answered]


@pytest.mark.asyncio
async def test_sigkill_under_load_then_restart_answers_every_acknowledged_message(
    tmp_path: Path, nlu_model_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(tmp_path / "data", nlu_model_path, port)
    try:
        await wait_healthy(url)
        acked: list[str] = []
        stop = asyncio.Event()
        users = [asyncio.create_task(chatter(url, acked, stop)) for _ in range(USERS)]
        await asyncio.sleep(LOAD_SECONDS)
        server.send_signal(signal.SIGKILL)
        server.wait()
        stop.set()
        await asyncio.gather(*users)
        assert len(acked) > USERS, "the load did not get going"

        server = start_server(tmp_path / "data", nlu_model_path, port)
        await wait_healthy(url)
        db = tmp_path / "data" / "migassist.db"
        # Up to the outbox lease (15 s) the dead process held, plus processing time.
        for _ in range(400):
            missing = unanswered(db, acked)
            if not missing:
                break
            await asyncio.sleep(0.1)
        assert missing == [], f"{len(missing)} of {len(acked)} acknowledged messages have no delivered reply"
    finally:
        server.kill()
        server.wait()
