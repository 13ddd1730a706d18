"""Per-conversation mutual exclusion: in-process with asyncio locks, across processes with a
PostgreSQL transaction-level advisory lock taken inside the unit of work (on SQLite every
transaction holds the database's one write lock, which all processes take in turns).

On PostgreSQL a transaction that takes a conversation's turn (the advisory lock) takes it before
it locks the conversation's row; one that locks the row first (storing a message) either does not
wait for the turn or only tries it (:func:`try_conversation_turn`), so no two transactions wait
for each other in a circle."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.database import advisory_lock, dialect_name, try_advisory_lock
from bot.storage.models import conversations_table
from bot.storage.prepared import Prepared
from flows.messages import ConversationKey


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
    await advisory_lock(session, conversation_id)


async def turn_before_storing(session: AsyncSession, key: ConversationKey) -> int | None:
    """On PostgreSQL, before a message of ``key`` is stored: take the turn of its conversation if
    it exists (before storing locks the conversation's row); return that conversation's id.
    ``None`` on SQLite and for a conversation not stored yet."""
    if dialect_name(session) != "postgresql":
        return None
    conversation_id = await _CONVERSATION_ID.scalar(session, {"channel": key.channel, "user_id": key.user_id})
    if conversation_id is not None:
        await lock_conversation_in_transaction(session, conversation_id)
    return conversation_id


async def try_conversation_turn(session: AsyncSession, conversation_id: int) -> bool:
    """Take the conversation's turn if nobody holds it (PostgreSQL; always true on SQLite)."""
    return await try_advisory_lock(session, conversation_id)


_CONVERSATION_ID = Prepared(
    select(conversations_table.c.id).where(
        conversations_table.c.channel == bindparam("channel"), conversations_table.c.user_id == bindparam("user_id")
    )
)
