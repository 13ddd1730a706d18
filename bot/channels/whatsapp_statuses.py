"""WhatsApp delivery statuses, stored in shared transactions.

The Graph API reports every message we send back to the webhook, once per status (``sent``,
``delivered``, ``read``, ``failed``): two or three notifications per reply, more requests than
users send messages. Each is answered 200 only once its receipt is committed (an acknowledged
notification is never sent again), but they need not commit one by one: reports that arrive
while the writer is busy, or in the same turn of the event loop, are stored together in its next
transaction (a group commit) — the cost of a transaction is mostly its fixed part.

A report that cannot be stored must not take the others down with it: when a shared transaction
fails, each of its reports is retried in a transaction of its own, and only the failing one's
request fails (Meta then redelivers it).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import outbox_table
from bot.storage.prepared import Prepared
from bot.storage.receipts import record_receipt

#: A ``failed`` status marks the outbox entry of the message it reports on.
_FAIL_ENTRY = Prepared(
    update(outbox_table)
    .where(outbox_table.c.platform_message_id == bindparam("wamid"))
    .values(status="failed", last_error=bindparam("error"))
)


@dataclass(frozen=True, slots=True)
class StatusReported:
    """One status of a message we sent, as the webhook reported it."""

    platform_message_id: str
    status: str
    occurred_at: datetime
    error: str | None


Waiting = tuple[StatusReported, "asyncio.Future[None]"]


class StatusRecorder:
    """Stores the statuses a channel reported, several per transaction when they arrive
    together."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], channel: str) -> None:
        self._sessions = sessions
        self._channel = channel
        self._waiting: list[Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, status: StatusReported) -> None:
        """Store ``status`` (a redelivered report is not stored twice; a new ``failed`` one also
        marks the reply's outbox entry failed); return once it is committed."""
        stored: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((status, stored))
        if self._writer is None:
            # Runs after the tasks already scheduled: those that report a status join this batch.
            self._writer = asyncio.create_task(self._write_waiting(), name="whatsapp-statuses")
        await stored

    async def _write_waiting(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                await self._write(batch)
        finally:
            self._writer = None

    async def _write(self, batch: list[Waiting]) -> None:
        try:
            async with self._sessions.begin() as session:
                for status, _ in batch:
                    await self._store(session, status)
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0][1], error)
                return
            for waiting in batch:  # each alone: only a report that cannot be stored fails
                await self._write([waiting])
            return
        for _, stored in batch:
            _settle(stored, None)

    async def _store(self, session: AsyncSession, status: StatusReported) -> None:
        new = await record_receipt(
            session, self._channel, status.platform_message_id, status.status, status.error, status.occurred_at
        )
        if new and status.status == "failed":
            # Accepted by the platform but not delivered (e.g. the number left WhatsApp).
            error = f"{self._channel}: not delivered: {status.error or 'no reason given'}"
            await _FAIL_ENTRY.run(session, {"wamid": status.platform_message_id, "error": error})


def _settle(stored: asyncio.Future[None], error: Exception | None) -> None:
    if stored.done():  # the request waiting for it was cancelled (its client went away)
        return
    if error is None:
        stored.set_result(None)
    else:
        stored.set_exception(error)
