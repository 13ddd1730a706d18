"""Per-conversation mutual exclusion: in-process with asyncio locks, across processes with a
PostgreSQL transaction-level advisory lock taken inside the unit of work (on SQLite every
transaction holds the database's one write lock, which all processes take in turns)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from contextlib import asynccontextmanager
from typing import AsyncIterator

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.database import ADVISORY_NAMESPACE, dialect_name


class ConversationLocks:
    """One asyncio lock per conversation id, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: defaultdict[int, int] = defaultdict(int)

    @asynccontextmanager
    async def hold(self, conversation_id: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        self._users[conversation_id] += 1
        try:
            async with lock:
                yield
        finally:
            self._users[conversation_id] -= 1
            if self._users[conversation_id] == 0:
                del self._users[conversation_id]
                del self._locks[conversation_id]


async def lock_conversation_in_transaction(session: AsyncSession, conversation_id: int) -> None:
    """Serialise units of work of one conversation across processes (PostgreSQL only; SQLite's
    BEGIN IMMEDIATE already serialises all writers, of every process)."""
    if dialect_name(session) == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(ADVISORY_NAMESPACE, conversation_id)))
