"""WhatsApp statuses are stored in shared transactions, each acknowledged once committed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.whatsapp_statuses import StatusRecorder, StatusReported
from bot.storage.database import create_sessionmaker
from bot.storage.receipts import DeliveryReceipt
from tests.support import count_commits

AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def reported(wamid: str, status: str = "delivered") -> StatusReported:
    return StatusReported(wamid, status, AT, None)


async def stored(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str]]:
    async with sessions() as session:
        rows = await session.execute(select(DeliveryReceipt.platform_message_id, DeliveryReceipt.status))
        return sorted((wamid, status) for wamid, status in rows)


@pytest.mark.asyncio
async def test_reports_arriving_together_share_one_commit_on_sqlite_and_each_returns_after_its_commit(
    shared_engine: AsyncEngine,
) -> None:
    sessions = create_sessionmaker(shared_engine)
    recorder = StatusRecorder(sessions, "whatsapp")
    commits = count_commits(shared_engine)
    commits_seen_on_return = []

    async def report(status: StatusReported) -> None:
        await recorder.record(status)
        commits_seen_on_return.append(commits[0])

    batch = [reported("wamid.1", "sent"), reported("wamid.1"), reported("wamid.2", "sent"), reported("wamid.1", "sent")]
    await asyncio.gather(*(report(status) for status in batch))
    if shared_engine.dialect.name == "sqlite":
        assert commits == [1]
        assert commits_seen_on_return == [1, 1, 1, 1]  # nobody was answered before the commit
    else:  # PostgreSQL: side by side over the pool, a transaction each
        assert commits == [4]
        assert sorted(commits_seen_on_return) == commits_seen_on_return and 0 not in commits_seen_on_return
    assert await stored(sessions) == [("wamid.1", "delivered"), ("wamid.1", "sent"), ("wamid.2", "sent")]


class FailingFor(StatusRecorder):
    """Cannot store the reports of one message (say, a constraint the database enforces)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], wamid: str) -> None:
        super().__init__(sessions, "whatsapp")
        self.wamid = wamid

    async def _store(self, session: AsyncSession, status: StatusReported) -> None:
        if status.platform_message_id == self.wamid:
            raise RuntimeError("cannot store this one")
        await super()._store(session, status)


@pytest.mark.asyncio
async def test_a_report_that_cannot_be_stored_fails_alone(shared_engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(shared_engine)
    recorder = FailingFor(sessions, "wamid.bad")
    batch = [reported("wamid.1"), reported("wamid.bad"), reported("wamid.2")]
    outcomes = await asyncio.gather(*(recorder.record(status) for status in batch), return_exceptions=True)
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], RuntimeError)
    assert await stored(sessions) == [("wamid.1", "delivered"), ("wamid.2", "delivered")]
    await recorder.record(reported("wamid.3"))  # the recorder goes on
    assert ("wamid.3", "delivered") in await stored(sessions)
