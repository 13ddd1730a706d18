"""Operator presence: online / away / offline, kept fresh by the operator's open console."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.handoff.live import publish_after_commit
from bot.handoff.queue import HandoffQueue
from bot.storage.handoff import OperatorPresence

PresenceStatus = Literal["online", "away", "offline"]
PRESENCE_STATES: tuple[str, ...] = ("online", "away", "offline")


class PresenceBoard:
    """Records presence; an operator who becomes available lets waiting users know their position."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], queue: HandoffQueue, on_replies: Callable[[], None]
    ) -> None:
        self._sessions = sessions
        self._queue = queue
        self._on_replies = on_replies

    async def set(self, account_id: int, status: str, languages: tuple[str, ...]) -> None:
        """Change the operator's presence (also refreshes ``last_seen_at``)."""
        if status not in PRESENCE_STATES:
            raise ValueError(f"presence must be one of {', '.join(PRESENCE_STATES)}")
        async with self._sessions.begin() as session:
            row = await self._row(session, account_id)
            row.status = status
            row.last_seen_at = self._queue.clock()
            told = 0
            if status == "online":
                for language in languages:
                    told += await self._queue.announce_positions(session, language)
            publish_after_commit(session, self._queue.hub, [{"type": "queue"}])
        if told:
            self._on_replies()

    async def heartbeat(self, account_id: int) -> str:
        """The console is still open: refresh ``last_seen_at``; returns the current status."""
        async with self._sessions.begin() as session:
            row = await self._row(session, account_id)
            row.last_seen_at = self._queue.clock()
            return row.status

    async def status(self, account_id: int) -> str:
        async with self._sessions() as session:
            row = await session.get(OperatorPresence, account_id)
            return row.status if row is not None else "offline"

    async def _row(self, session: AsyncSession, account_id: int) -> OperatorPresence:
        row = await session.get(OperatorPresence, account_id)
        if row is None:
            row = OperatorPresence(account_id=account_id, status="offline", last_seen_at=self._queue.clock())
            session.add(row)
        return row
