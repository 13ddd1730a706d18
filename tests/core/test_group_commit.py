"""GroupCommit's own edges (its use is tested with the outbox, statuses and accepted messages)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.database import create_engine, create_sessionmaker
from bot.storage.group_commit import GroupCommit


@pytest.mark.asyncio
async def test_callers_waiting_on_a_cancelled_writer_are_cancelled_not_left_waiting(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    started, never = asyncio.Event(), asyncio.Event()

    async def slow_write(_session: AsyncSession, item: int) -> int:
        started.set()
        await never.wait()
        return item

    writes = GroupCommit(create_sessionmaker(engine), slow_write, name="test")
    try:
        callers = [asyncio.create_task(writes.run(number)) for number in (1, 2)]
        await started.wait()
        late = asyncio.create_task(writes.run(3))  # waits for the next batch
        await asyncio.sleep(0)
        writes._writer.cancel()  # type: ignore[union-attr]  # as at shutdown
        for caller in [*callers, late]:
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(caller, 5)
        assert writes._writer is None
    finally:
        await engine.dispose()
