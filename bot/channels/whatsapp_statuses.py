"""WhatsApp delivery statuses, stored several per transaction.

The Graph API reports every message we send back to the webhook, once per status (``sent``,
``delivered``, ``read``, ``failed``): two or three notifications per reply, more requests than
users send messages. Each is answered 200 only once its receipt is committed (an acknowledged
notification is never sent again), but those that arrive together share a transaction
(:class:`bot.storage.group_commit.GroupCommit`); a report that cannot be stored fails alone,
and Meta redelivers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.group_commit import GroupCommit
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


class StatusRecorder:
    """Stores the statuses a channel reported, several per transaction when they arrive
    together."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], channel: str) -> None:
        self._channel = channel
        self._writes = GroupCommit(sessions, self._store, name=f"{channel}-statuses")

    async def record(self, status: StatusReported) -> None:
        """Store ``status`` (a redelivered report is not stored twice; a new ``failed`` one also
        marks the reply's outbox entry failed); return once it is committed."""
        await self._writes.run(status)

    async def _store(self, session: AsyncSession, status: StatusReported) -> None:
        new = await record_receipt(
            session, self._channel, status.platform_message_id, status.status, status.error, status.occurred_at
        )
        if new and status.status == "failed":
            # Accepted by the platform but not delivered (e.g. the number left WhatsApp).
            error = f"{self._channel}: not delivered: {status.error or 'no reason given'}"
            await _FAIL_ENTRY.run(session, {"wamid": status.platform_message_id, "error": error})
