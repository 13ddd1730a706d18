"""A server's commits leave WAL checkpoints to a background task (bot.storage.wal)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage import wal
from bot.storage.database import create_engine, create_sessionmaker

PAGE = 4096


@pytest.mark.asyncio
async def test_commits_leave_checkpoints_to_the_background_task(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite"
    engine = create_engine(f"sqlite:///{database}", checkpoint_in_background=True)
    sessions = create_sessionmaker(engine)
    try:
        async with sessions.begin() as session:
            await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
            assert (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == wal.COMMIT_CHECKPOINT_PAGES
        for _ in range(30):  # ~1500 pages in 30 commits: past SQLite's default of 1000
            async with sessions.begin() as session:
                rows = [{"body": "x" * 3000} for _ in range(50)]
                await session.execute(text("INSERT INTO notes (body) VALUES (:body)"), rows)
        size_before = database.stat().st_size
        assert Path(f"{database}-wal").stat().st_size > 1000 * PAGE  # no commit checkpointed

        checkpoints = asyncio.create_task(wal.checkpoint_forever(str(database), interval=0.05))
        try:
            for _ in range(100):
                await asyncio.sleep(0.05)
                if database.stat().st_size > size_before + 1000 * PAGE:
                    break
            assert database.stat().st_size > size_before + 1000 * PAGE  # copied into the database file
        finally:
            checkpoints.cancel()
            await asyncio.gather(checkpoints, return_exceptions=True)
        with contextlib.closing(sqlite3.connect(database)) as other:
            logged, copied = wal.checkpoint(other)
        assert logged == copied > 1000
    finally:
        await engine.dispose()
