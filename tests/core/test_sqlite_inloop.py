"""The in-loop SQLite driver: statements run on the loop, a locked database is waited for off it."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage.database import create_engine, create_sessionmaker


@pytest.mark.asyncio
async def test_core_and_orm_statements_run_and_roll_back(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
            await connection.execute(text("INSERT INTO notes (body) VALUES (:body)"), [{"body": "a"}, {"body": "b"}])
        sessions = create_sessionmaker(engine)
        with pytest.raises(RuntimeError):
            async with sessions.begin() as session:
                await session.execute(text("INSERT INTO notes (body) VALUES ('lost')"))
                raise RuntimeError("the unit of work fails")
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).scalars().all()
        assert rows == ["a", "b"]
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_a_write_lock_held_by_another_process_is_waited_for_without_blocking_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    sessions = create_sessionmaker(engine)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    other = sqlite3.connect(path, isolation_level=None)  # a CLI command in another process
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO notes (body) VALUES ('first')")

    async def write() -> None:
        async with sessions.begin() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('second')"))

    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    writer = asyncio.create_task(write())
    try:
        await asyncio.sleep(0.3)
        assert not writer.done()  # waiting for the lock...
        assert ticks >= 10  # ...while the loop went on serving others
        other.execute("COMMIT")
        await asyncio.wait_for(writer, 10)
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).scalars().all()
        assert rows == ["first", "second"]
    finally:
        ticker.cancel()
        other.close()
        await engine.dispose()


@pytest.mark.asyncio
async def test_the_connection_is_handed_out_first_come_first_served(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    sessions = create_sessionmaker(engine)
    served: list[str] = []
    release = asyncio.Event()

    async def use(name: str) -> None:
        async with sessions.begin() as session:
            await session.execute(text("SELECT 1"))
            served.append(name)

    async def holder() -> None:
        async with sessions.begin() as session:
            await session.execute(text("SELECT 1"))
            await release.wait()

    try:
        holding = asyncio.create_task(holder())
        await asyncio.sleep(0.05)
        waiting = [asyncio.create_task(use(name)) for name in ("first", "second", "third")]
        await asyncio.sleep(0.05)
        release.set()
        # Requests keep arriving, one per turn of the loop, as under load: none may overtake
        # the ones that were already waiting.
        arriving = []
        for n in range(30):
            arriving.append(asyncio.create_task(use(f"new {n}")))
            await asyncio.sleep(0)
        await asyncio.gather(holding, *waiting, *arriving)
        assert served == ["first", "second", "third"] + [f"new {n}" for n in range(30)]
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_a_request_cancelled_while_waiting_for_the_lock_leaves_the_loop_and_connection_working(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    sessions = create_sessionmaker(engine)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def write(body: str) -> None:
        async with sessions.begin() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": body})

    try:
        writer = asyncio.create_task(write("abandoned"))
        await asyncio.sleep(0.1)
        writer.cancel()  # e.g. the HTTP client went away
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.sleep(0.2)
        assert loop.time() - started < 1.0  # the loop was not held up by the waiting thread
        other.execute("COMMIT")
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(writer, 10)
        await asyncio.wait_for(write("next"), 10)
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT body FROM notes"))).scalars().all()
        assert rows == ["next"]
    finally:
        other.close()
        await engine.dispose()
