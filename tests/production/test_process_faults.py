"""Faults with several server processes on one database — PostgreSQL, and a SQLite file the
processes share: a worker killed under load, and interleaved messages of one conversation
arriving at two processes; on PostgreSQL also the database restarted under load.

The single-process SIGKILL case is ``tests/web/test_crash_recovery.py``; its helpers (server
process, health wait, web-chat user) are reused here."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.postgres import ThrowawayPostgres
from bot.core.outbox import LEASE
from bot.storage.database import create_engine
from bot.storage.migrate import upgrade_async
from tests.conftest import free_port
from tests.web.test_crash_recovery import chatter, start_server, wait_healthy

USERS = 6
# Handled: processed, and every reply it produced delivered. (A message may rightly produce no
# bot reply: after a few confusing turns the flows hand the chat to a person, and the bot then
# stays silent.)
HANDLED = text(
    "SELECT m.id FROM messages m WHERE m.direction = 'in' AND m.processed_at IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM messages r JOIN outbox o ON o.message_id = r.id "
    "WHERE r.in_reply_to = m.id AND o.status <> 'sent')"
)
# Replies to one message written by more than one unit of work = answered twice.
ANSWERED_TWICE = text(
    "SELECT in_reply_to FROM messages WHERE direction = 'out' AND in_reply_to IS NOT NULL "
    "GROUP BY in_reply_to HAVING COUNT(DISTINCT created_at) > 1"
)


@pytest.fixture
def database_url(shared_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MIGASSIST_DATABASE_URL", shared_database_url)  # inherited by server processes
    return shared_database_url


@pytest.fixture
def engine(database_url: str, shared_engine: AsyncEngine) -> AsyncEngine:
    """The shared database's engine, with its URL set for the server processes (``database_url``)."""
    return shared_engine


class Servers:
    """Server processes started by a test, killed at its end whatever happens."""

    def __init__(self, tmp_path: Path, model_path: Path) -> None:
        self._tmp_path = tmp_path
        self._model_path = model_path
        self.processes: list[subprocess.Popen[bytes]] = []

    async def start(self, port: int) -> subprocess.Popen[bytes]:
        process = start_server(self._tmp_path / f"data-{port}", self._model_path, port)
        self.processes.append(process)
        await wait_healthy(f"http://127.0.0.1:{port}")
        return process

    def kill_all(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()


@pytest.fixture
def servers(tmp_path: Path, nlu_model_path: Path) -> Iterator[Servers]:
    started = Servers(tmp_path, nlu_model_path)
    yield started
    started.kill_all()


async def wait_until_handled(engine: AsyncEngine, acked: list[str], seconds: float) -> list[str]:
    """Poll until every acknowledged message is handled; return the ones still missing."""
    missing = acked
    for _ in range(int(seconds * 10)):
        async with engine.connect() as connection:
            handled = {str(row[0]) for row in await connection.execute(HANDLED)}
        missing = [m for m in acked if m not in handled]
        if not missing:
            break
        await asyncio.sleep(0.1)
    return missing


async def answered_twice(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        return [row[0] for row in await connection.execute(ANSWERED_TWICE)]


@pytest.mark.asyncio
async def test_worker_killed_under_load_loses_nothing_and_answers_nothing_twice(
    engine: AsyncEngine, servers: Servers
) -> None:
    ports = [free_port(), free_port()]
    first = await servers.start(ports[0])
    await servers.start(ports[1])
    acked: list[str] = []
    stop = asyncio.Event()
    users = [asyncio.create_task(chatter(f"http://127.0.0.1:{ports[n % 2]}", acked, stop)) for n in range(USERS)]
    await asyncio.sleep(2.0)
    first.send_signal(signal.SIGKILL)
    first.wait()
    await asyncio.sleep(1.0)  # the survivor keeps serving its users meanwhile
    stop.set()
    await asyncio.gather(*users)
    assert len(acked) > USERS, "the load did not get going"

    await servers.start(ports[0])  # the restarted worker recovers what the killed one left
    # Conversations the killed worker was delivering stay leased to it until the lease expires.
    assert await wait_until_handled(engine, acked, seconds=LEASE.total_seconds() + 15) == []
    assert await answered_twice(engine) == []


@pytest.mark.postgres
@pytest.mark.asyncio
async def test_database_restart_under_load_recovers_by_itself(
    tmp_path: Path, nlu_model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ThrowawayPostgres() as pg:
        url = pg.create_database("restart")
        monkeypatch.setenv("MIGASSIST_DATABASE_URL", url)
        await upgrade_async(url)
        engine = create_engine(url)
        servers = Servers(tmp_path, nlu_model_path)
        try:
            port = free_port()
            await servers.start(port)
            base = f"http://127.0.0.1:{port}"
            acked: list[str] = []
            stop = asyncio.Event()
            users = [asyncio.create_task(keep_chatting(base, acked, stop)) for _ in range(4)]
            await asyncio.sleep(1.5)
            await asyncio.to_thread(pg.stop, "immediate")  # a crash, not a polite shutdown
            await asyncio.sleep(2.0)
            async with aiohttp.ClientSession() as http, http.get(base + "/readyz") as response:
                assert response.status == 503  # tells the load balancer to route elsewhere
            await asyncio.to_thread(pg.start)
            await asyncio.sleep(3.0)  # service resumes without a restart of ours
            stop.set()
            await asyncio.gather(*users)
            async with aiohttp.ClientSession() as http, http.get(base + "/readyz") as response:
                assert response.status == 200
            assert len(acked) > 4, "the load did not get going"
            # A delivery in flight at the crash cannot release its conversation's lease; the lease
            # then expires on its own, so recovery may take up to the lease's length.
            assert await wait_until_handled(engine, acked, seconds=LEASE.total_seconds() + 15) == []
            assert await answered_twice(engine) == []
        finally:
            servers.kill_all()
            await engine.dispose()


async def keep_chatting(url: str, acked: list[str], stop: asyncio.Event) -> None:
    """A web-chat user who reconnects when the service has trouble, until told to stop."""
    while not stop.is_set():
        await chatter(url, acked, stop)
        await asyncio.sleep(0.2)


@pytest.mark.asyncio
async def test_interleaved_messages_of_one_conversation_on_two_processes_are_processed_in_order_once(
    engine: AsyncEngine, servers: Servers
) -> None:
    ports = [free_port(), free_port()]
    for port in ports:
        await servers.start(port)
    sender = f"interleaved-{uuid.uuid4().hex[:8]}"
    texts = [f"Salam {n}" for n in range(24)]

    async def send(http: aiohttp.ClientSession, n: int) -> int:
        # Arrival order = n, alternating between the processes. The spacing keeps each accept
        # (a few ms) apart: two accepts committing at the same instant have no defined order
        # (a later id may commit first), which is not what this test is about.
        await asyncio.sleep(0.05 * n)
        body = {"sender": sender, "message": texts[n], "metadata": {"message_id": f"m{n}"}}
        async with http.post(f"http://127.0.0.1:{ports[n % 2]}/webhooks/rest/webhook", json=body) as response:
            return response.status

    async with aiohttp.ClientSession() as http:
        statuses = await asyncio.gather(*(send(http, n) for n in range(len(texts))))
    assert set(statuses) == {200}
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT m.id, m.processed_at FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                    "WHERE c.user_id = :sender AND m.direction = 'in' ORDER BY m.id"
                ),
                {"sender": sender},
            )
        ).all()
    assert len(rows) == len(texts)  # each stored once
    processed = [row.processed_at for row in rows]
    assert None not in processed and processed == sorted(processed)  # in arrival order
    assert await answered_twice(engine) == []
