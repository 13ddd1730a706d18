"""The in-loop SQLite driver: statements run on the loop, a locked database is waited for off it."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import text

from bot.storage.database import create_engine, create_sessionmaker
from tests.starting_together import failures_starting_together

CREATE = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT)"
INSERT = text("INSERT INTO notes (body) VALUES (:body)")


class Notes:
    """A table of notes in a fresh SQLite file, used through the engine under test."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = create_engine(f"sqlite:///{path}")
        self.sessions = create_sessionmaker(self.engine)

    async def write(self, body: str) -> None:
        async with self.sessions.begin() as session:
            await session.execute(INSERT, {"body": body})

    async def write_creating_table(self) -> None:
        """Create the table if needed and write one note, then close the engine (a process that
        starts, writes and stops)."""
        try:
            async with self.engine.begin() as connection:
                await connection.execute(text(CREATE))
                await connection.execute(INSERT, {"body": "started"})
        finally:
            await self.engine.dispose()

    async def bodies(self) -> list[str]:
        async with self.engine.connect() as connection:
            return list((await connection.execute(text("SELECT body FROM notes ORDER BY id"))).scalars().all())

    def locked_by_another_process(self) -> sqlite3.Connection:
        """A second connection holding the write lock, as a CLI command run next to the server."""
        other = sqlite3.connect(self.path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        return other

    def turn_is_free(self) -> bool:
        """Whether no process holds its turn on the writer lock file (checked as a third one)."""
        descriptor = os.open(f"{self.path}-writer", os.O_RDWR)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(descriptor)
        return True


@contextlib.asynccontextmanager
async def transaction_of_another_worker(path: Path, body: str) -> AsyncIterator[None]:
    """Another server worker (its own engine on the same file) in the middle of a transaction."""
    other = Notes(path)
    try:
        async with other.sessions.begin() as session:
            await session.execute(INSERT, {"body": body})
            yield
    finally:
        await other.engine.dispose()


async def ticking(ticks: list[int]) -> None:
    while True:
        await asyncio.sleep(0.01)
        ticks.append(1)


@pytest_asyncio.fixture
async def notes(tmp_path: Path) -> AsyncIterator[Notes]:
    made = Notes(tmp_path / "db.sqlite")
    async with made.engine.begin() as connection:
        await connection.execute(text(CREATE))
    yield made
    await made.engine.dispose()


@pytest.mark.asyncio
async def test_core_and_orm_statements_run_and_roll_back(notes: Notes) -> None:
    async with notes.engine.begin() as connection:
        await connection.execute(INSERT, [{"body": "a"}, {"body": "b"}])
    with pytest.raises(RuntimeError):
        async with notes.sessions.begin() as session:
            await session.execute(INSERT, {"body": "lost"})
            raise RuntimeError("the unit of work fails")
    assert await notes.bodies() == ["a", "b"]


@pytest.mark.asyncio
async def test_a_write_lock_held_by_another_process_is_waited_for_without_blocking_the_loop(notes: Notes) -> None:
    other = notes.locked_by_another_process()
    other.execute("INSERT INTO notes (body) VALUES ('first')")
    ticks: list[int] = []
    ticker = asyncio.create_task(ticking(ticks))
    writer = asyncio.create_task(notes.write("second"))
    try:
        await asyncio.sleep(0.3)
        assert not writer.done()  # waiting for the lock...
        assert len(ticks) >= 10  # ...while the loop went on serving others
        other.execute("COMMIT")
        await asyncio.wait_for(writer, 10)
        assert await notes.bodies() == ["first", "second"]
    finally:
        ticker.cancel()
        other.close()


@pytest.mark.asyncio
async def test_workers_sharing_the_file_take_turns_on_the_writer_lock(notes: Notes) -> None:
    ticks: list[int] = []
    ticker = asyncio.create_task(ticking(ticks))
    try:
        async with transaction_of_another_worker(notes.path, "first"):
            writer = asyncio.create_task(notes.write("second"))
            await asyncio.sleep(0.3)
            assert not writer.done()  # waiting for its turn...
            assert len(ticks) >= 10  # ...while the loop went on serving others
            assert not notes.turn_is_free()
        await asyncio.wait_for(writer, 10)
        assert await notes.bodies() == ["first", "second"]
        assert notes.turn_is_free()  # ended with the commit
        with pytest.raises(RuntimeError):
            async with notes.sessions.begin() as session:
                await session.execute(INSERT, {"body": "lost"})
                raise RuntimeError("the unit of work fails")
        assert notes.turn_is_free()  # ended with the rollback
    finally:
        ticker.cancel()


@pytest.mark.asyncio
async def test_a_session_ends_before_any_other_task_runs(notes: Notes) -> None:
    """SQLAlchemy ends a session's ``async with`` in a task of its own; meanwhile every ready
    task ran with the transaction (and the writer lock) still held."""
    pool = notes.engine.sync_engine.pool
    checked_out: list[int] = []

    def record_later() -> None:  # runs at the first moment this task lets others run
        asyncio.get_running_loop().call_soon(lambda: checked_out.append(pool.checkedout()))  # type: ignore[attr-defined]

    async with notes.sessions.begin() as session:
        await session.execute(INSERT, {"body": "a"})
        record_later()
    await asyncio.sleep(0)
    async with notes.sessions() as session:
        await session.execute(text("SELECT 1"))
        record_later()
    await asyncio.sleep(0)
    assert checked_out == [0, 0]
    assert notes.turn_is_free()


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
@pytest.mark.parametrize("holder", ["command", "worker"])
async def test_a_request_cancelled_while_waiting_for_the_lock_leaves_the_loop_and_connection_working(
    notes: Notes, holder: str
) -> None:
    """Waiting for SQLite's lock (a command holds it) or for the turn (another worker does)."""
    async with contextlib.AsyncExitStack() as stack:
        if holder == "command":
            other = notes.locked_by_another_process()
            stack.callback(other.close)
            release = lambda: other.execute("COMMIT")  # noqa: E731
        else:
            held = asyncio.Event()
            done = asyncio.Event()

            async def worker() -> None:
                async with transaction_of_another_worker(notes.path, "other"):
                    held.set()
                    await done.wait()

            holding = asyncio.create_task(worker())
            await held.wait()
            release = done.set
        writer = asyncio.create_task(notes.write("abandoned"))
        await asyncio.sleep(0.1)
        writer.cancel()  # e.g. the HTTP client went away
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.sleep(0.2)
        assert loop.time() - started < 1.0  # the loop was not held up by the waiting thread
        release()
        if holder == "worker":
            await asyncio.wait_for(holding, 10)
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(writer, 10)
        await asyncio.wait_for(notes.write("next"), 10)
        assert "abandoned" not in await notes.bodies()
        assert notes.turn_is_free()


def _write_to_new_database(path: Path) -> None:
    asyncio.run(Notes(path).write_creating_table())


def test_processes_opening_a_new_database_together_all_connect(tmp_path: Path) -> None:
    # A new file starts in rollback-journal mode; each connection switches it to WAL. Switching
    # at once, one process got "database is locked" without waiting (SQLite's deadlock rule):
    # 45 of 800 connections failed here before the switch took the writer lock's turn.
    assert failures_starting_together(_write_to_new_database, tmp_path, databases=100) == []
