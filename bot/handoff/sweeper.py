"""Periodic upkeep of the queue, run by every process (on PostgreSQL one at a time):

* an operator whose console has been silent too long is marked offline;
* chats of offline operators, and chats an operator claimed but did not answer within
  ``answer_timeout_seconds``, go back to the queue with their priority and place;
* waiting users whose position changed (or who can now be answered) are told.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.handoff.live import publish_after_commit
from bot.handoff.queue import HandoffQueue
from bot.storage.database import try_advisory_lock
from bot.storage.handoff import HandoffEntry, OperatorPresence

log = logging.getLogger(__name__)

#: Advisory-lock key of the sweep (conversation ids are positive, so 0 never collides).
SWEEP_LOCK_KEY = 0


class QueueSweeper:
    """One :meth:`sweep` per interval; every step is idempotent, so overlapping runs are harmless."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], queue: HandoffQueue, on_replies: Callable[[], None]
    ) -> None:
        self._sessions = sessions
        self._queue = queue
        self._on_replies = on_replies

    async def run(self, interval: float) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # the next round retries; a hiccup must not stop the upkeep
                log.exception("handoff queue sweep failed; will retry")
            await asyncio.sleep(interval)

    async def sweep(self) -> int:
        """One round; returns how many chats went back to the queue."""
        settings = self._queue.settings
        now = self._queue.clock()
        async with self._sessions.begin() as session:
            if not await self._exclusive(session):
                return 0
            went_offline = await session.execute(
                update(OperatorPresence)
                .where(
                    OperatorPresence.status != "offline",
                    OperatorPresence.last_seen_at < now - timedelta(seconds=settings.presence_timeout_seconds),
                )
                .values(status="offline")
            )
            offline = select(OperatorPresence.account_id).where(OperatorPresence.status == "offline")
            abandoned = (
                await session.scalars(
                    select(HandoffEntry)
                    .where(
                        HandoffEntry.status == "assigned",
                        or_(
                            HandoffEntry.operator_id.in_(offline),
                            (HandoffEntry.first_reply_at.is_(None))
                            & (HandoffEntry.assigned_at < now - timedelta(seconds=settings.answer_timeout_seconds)),
                        ),
                    )
                    .order_by(HandoffEntry.id)
                )
            ).all()
            for entry in abandoned:
                log.info("handoff %s returns to the queue (operator offline or silent)", entry.id)
                await self._queue.requeue(session, entry)
            told = 0
            for language in await session.scalars(
                select(HandoffEntry.language).where(HandoffEntry.status == "queued").distinct()
            ):
                told += await self._queue.announce_positions(session, language)
            if went_offline.rowcount:  # type: ignore[attr-defined]
                publish_after_commit(session, self._queue.hub, [{"type": "queue"}])
        if told or abandoned:
            self._on_replies()
        return len(abandoned)

    @staticmethod
    async def _exclusive(session: AsyncSession) -> bool:
        # On SQLite always true: BEGIN IMMEDIATE serialises all writers; a second sweep finds nothing to do.
        return await try_advisory_lock(session, SWEEP_LOCK_KEY)
