"""The persisted outbox: replies are written in the unit of work, then delivered in order per
conversation with retries and backoff, surviving crashes and platform outages."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable, Mapping

from sqlalchemy import Row, Select, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import ChannelSender, PermanentDeliveryError, TransientDeliveryError
from bot.storage.base import utcnow
from bot.storage.models import Conversation, Message, OutboxEntry
from flows.messages import Button, Reply

log = logging.getLogger(__name__)

#: How long a process may deliver a conversation's outbox before others may take over; renewed
#: before every send, so it only runs out when the process died (or hangs) mid-delivery.
LEASE = timedelta(seconds=15)


def reply_to_json(reply: Reply) -> str:
    return json.dumps([{"title": b.title, "payload": b.payload} for b in reply.buttons], ensure_ascii=False)


def reply_from_row(message: Message) -> Reply:
    buttons = tuple(Button(b["title"], b["payload"]) for b in json.loads(message.buttons or "[]"))
    return Reply(text=message.text, buttons=buttons, kind=message.kind)  # type: ignore[arg-type]


#: ``session.info`` key set when a transaction queued replies for the dispatcher.
QUEUED = "migassist.outbox_queued"

_MESSAGES = Message.__table__
_INSERT_REPLIES = insert(_MESSAGES).returning(_MESSAGES.c.id, sort_by_parameter_order=True)
_INSERT_ENTRIES = insert(OutboxEntry.__table__)


async def enqueue_replies(
    session: AsyncSession,
    conversation_id: int,
    channel: str,
    replies: Iterable[Reply],
    *,
    author: str,
    language: str | None,
    in_reply_to: int | None = None,
    delivered: bool = False,
) -> list[Message]:
    """Store replies as outbound messages plus outbox entries (inside the caller's transaction);
    return the stored messages (detached from the session: read them, do not change them).

    ``delivered``: the caller hands the replies over itself, in the response to the request that
    asked (REST); their entries are recorded as sent, and the dispatcher has nothing to do."""
    now = utcnow()
    rows = [
        {
            "conversation_id": conversation_id, "channel": channel, "direction": "out", "author": author,
            "text": reply.text, "buttons": reply_to_json(reply), "kind": reply.kind, "language": language,
            "in_reply_to": in_reply_to, "created_at": now,
        }
        for reply in replies
    ]
    if not rows:
        return []
    # Core statements, not the ORM unit of work: this is on every message's path.
    ids = (await session.execute(_INSERT_REPLIES, rows)).scalars().all()
    outcome: dict[str, object] = {"status": "sent", "attempts": 1, "delivered_at": now} if delivered else {
        "status": "pending", "attempts": 0, "delivered_at": None
    }
    await session.execute(
        _INSERT_ENTRIES,
        [
            {"conversation_id": conversation_id, "message_id": message_id, "next_attempt_at": now, "created_at": now, **outcome}
            for message_id in ids
        ],
    )
    if not delivered:
        session.info[QUEUED] = True
    return [Message(id=message_id, **row) for message_id, row in zip(ids, rows, strict=True)]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_delay: float
    max_delay: float

    def delay(self, attempts: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        return min(self.base_delay * 2 ** (attempts - 1), self.max_delay)


class OutboxDispatcher:
    """Delivers pending outbox entries. One conversation is delivered by one process at a time
    (a lease on the conversation row), strictly in entry order: an entry waiting for a retry holds
    back the later ones."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        senders: Mapping[str, ChannelSender],
        policy: RetryPolicy,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._senders = senders
        self._policy = policy
        self._clock = clock
        self._wakeup = asyncio.Event()

    def kick(self) -> None:
        """Deliver soon (called after a unit of work committed replies)."""
        self._wakeup.set()

    async def run(self, poll_interval: float) -> None:
        """Deliver forever: on every kick, and every ``poll_interval`` for retries and recovery."""
        while True:
            self._wakeup.clear()
            try:
                await self.deliver_due()
            except Exception:  # a database hiccup must not stop delivery for good
                log.exception("outbox delivery round failed; retrying")
            try:
                await asyncio.wait_for(self._wakeup.wait(), poll_interval)
            except TimeoutError:
                pass

    async def deliver_due(self) -> None:
        async with self._sessions() as session:
            conversation_ids = (
                await session.scalars(
                    select(OutboxEntry.conversation_id)
                    .where(OutboxEntry.status == "pending", OutboxEntry.next_attempt_at <= self._clock())
                    .distinct()
                    .limit(500)
                )
            ).all()
        await asyncio.gather(*(self.deliver_conversation(cid) for cid in conversation_ids))

    async def deliver_conversation(self, conversation_id: int) -> None:
        """Send the conversation's due replies in order: one transaction to claim them, then one
        per reply to record the outcome (so a crash re-sends at most the reply in flight)."""
        pending = await self._claim(conversation_id)
        while pending:
            entry, message, conversation = pending[0]
            if entry.next_attempt_at > self._clock():
                await self._record(conversation_id, None, {}, [])  # keeps order: later replies wait
                return
            sender = self._senders.get(conversation.channel)
            if sender is None:
                log.error("outbox %s: no sender for channel %s", entry.id, conversation.channel)
                values: dict[str, object] = {"status": "failed", "last_error": f"no sender for channel {conversation.channel!r}"}
            else:
                values = await self._attempt(sender, conversation.user_id, entry, message)
            pending = await self._record(conversation_id, entry.id, values, pending[1:])

    def _pending(self, conversation_id: int) -> Select[tuple[OutboxEntry, Message, Conversation]]:
        return (
            select(OutboxEntry, Message, Conversation)
            .join(Message, Message.id == OutboxEntry.message_id)
            .join(Conversation, Conversation.id == OutboxEntry.conversation_id)
            .where(OutboxEntry.conversation_id == conversation_id, OutboxEntry.status == "pending")
            .order_by(OutboxEntry.id)
        )

    async def _claim(self, conversation_id: int) -> list[Row[tuple[OutboxEntry, Message, Conversation]]]:
        """Take the conversation's delivery lease and read its pending replies; nothing if another
        process holds the lease or nothing is pending (then the lease is not kept)."""
        now = self._clock()
        async with self._sessions.begin() as session:
            taken = await session.execute(
                update(Conversation)
                .where(
                    Conversation.id == conversation_id,
                    or_(Conversation.delivery_lease_until.is_(None), Conversation.delivery_lease_until < now),
                )
                .values(delivery_lease_until=now + LEASE)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                return []
            pending = list((await session.execute(self._pending(conversation_id))).all())
            if not pending:
                await self._release(session, conversation_id)
            return pending

    async def _record(
        self,
        conversation_id: int,
        entry_id: int | None,
        values: dict[str, object],
        rest: list[Row[tuple[OutboxEntry, Message, Conversation]]],
    ) -> list[Row[tuple[OutboxEntry, Message, Conversation]]]:
        """Store one attempt's outcome and say what to send next, renewing or releasing the lease."""
        async with self._sessions.begin() as session:
            if entry_id is not None:
                await session.execute(update(OutboxEntry).where(OutboxEntry.id == entry_id).values(**values))
            if entry_id is not None and "status" in values:  # sent or failed for good: go on
                following = rest or list((await session.execute(self._pending(conversation_id))).all())
                if following:
                    await session.execute(
                        update(Conversation)
                        .where(Conversation.id == conversation_id)
                        .values(delivery_lease_until=self._clock() + LEASE)
                    )
                    return following
            await self._release(session, conversation_id)  # done, or a retry holds back the rest
            return []

    @staticmethod
    async def _release(session: AsyncSession, conversation_id: int) -> None:
        await session.execute(update(Conversation).where(Conversation.id == conversation_id).values(delivery_lease_until=None))

    async def _attempt(
        self, sender: ChannelSender, user_id: str, entry: OutboxEntry, message: Message
    ) -> dict[str, object]:
        attempts = entry.attempts + 1
        try:
            platform_id = await sender.send(user_id, reply_from_row(message), str(message.id))
        except PermanentDeliveryError as exc:
            log.warning("outbox %s: permanent delivery failure: %s", entry.id, exc)
            return {"status": "failed", "attempts": attempts, "last_error": str(exc)[:500]}
        except (TransientDeliveryError, OSError, asyncio.TimeoutError) as exc:
            retry_after = exc.retry_after if isinstance(exc, TransientDeliveryError) else None
            if attempts >= self._policy.max_attempts:
                log.warning("outbox %s: giving up after %d attempts: %s", entry.id, attempts, exc)
                return {"status": "failed", "attempts": attempts, "last_error": str(exc)[:500]}
            delay = self._policy.delay(attempts, retry_after)
            log.info("outbox %s: attempt %d failed (%s); retrying in %.1fs", entry.id, attempts, exc, delay)
            return {
                "attempts": attempts,
                "last_error": str(exc)[:500],
                "next_attempt_at": self._clock() + timedelta(seconds=delay),
            }
        return {"status": "sent", "attempts": attempts, "delivered_at": self._clock(), "platform_message_id": platform_id}
