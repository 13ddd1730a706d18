"""The persisted outbox: replies are written in the unit of work, then delivered in order per
conversation with retries and backoff, surviving crashes and platform outages."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import ChannelSender, Delivery, PermanentDeliveryError, TransientDeliveryError
from bot.core.tasks import TaskTracker
from bot.storage.base import utcnow
from bot.storage.group_commit import GroupCommit
from bot.storage.models import Message, conversations_table, messages_table, outbox_table
from bot.storage.prepared import Prepared
from flows.messages import Button, Reply

log = logging.getLogger(__name__)

#: How long a process may deliver a conversation's outbox before others may take over; renewed
#: before every send, so it only runs out when the process died (or hangs) mid-delivery.
LEASE = timedelta(seconds=15)


def reply_to_json(reply: Reply) -> str:
    return json.dumps([{"title": b.title, "payload": b.payload} for b in reply.buttons], ensure_ascii=False)


def reply_from_row(message: Message | DueReply) -> Reply:
    """A stored outbound message (an ORM row, or a due outbox entry's reply)."""
    buttons = tuple(Button(b["title"], b["payload"]) for b in json.loads(message.buttons or "[]"))
    return Reply(text=message.text, buttons=buttons, kind=message.kind)  # type: ignore[arg-type]


#: ``session.info`` key set when a transaction queued replies for the dispatcher.
QUEUED = "migassist.outbox_queued"

_MESSAGES = messages_table
_INSERT_REPLIES = Prepared(insert(_MESSAGES).returning(_MESSAGES.c.id, sort_by_parameter_order=True))
_INSERT_ENTRIES = Prepared(insert(outbox_table))


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
) -> list[StoredReply]:
    """Store replies as outbound messages plus outbox entries (inside the caller's transaction);
    return what was stored.

    ``delivered``: the caller hands the replies over itself, in the response to the request that
    asked (REST); they are stored as messages only and never enter the outbox."""
    now = utcnow()
    replies = tuple(replies)
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
    ids = await _INSERT_REPLIES.scalar_each(session, rows)
    if not delivered:
        await _INSERT_ENTRIES.run(
            session,
            [
                {"conversation_id": conversation_id, "message_id": message_id, "next_attempt_at": now, "created_at": now}
                for message_id in ids
            ],
        )
        session.info[QUEUED] = True
    return [
        StoredReply(message_id, conversation_id, author, reply.text, reply.kind, now)
        for message_id, reply in zip(ids, replies, strict=True)
    ]


class StoredReply(NamedTuple):
    """An outbound message just stored: what the operator console shows of it."""

    id: int
    conversation_id: int
    author: str
    text: str
    kind: str
    created_at: datetime


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
        tasks: TaskTracker,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._senders = senders
        self._policy = policy
        self._tasks = tasks
        self._clock = clock
        self._wakeup = asyncio.Event()
        # Attempts that end together (concurrent deliveries) are recorded in one transaction.
        self._records = GroupCommit(sessions, self._record_in, name="outbox-records")

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
            conversation_ids = [cid for (cid,) in await _DUE_CONVERSATIONS.rows(session, {"now": self._clock()})]
        await asyncio.gather(*(self.deliver_conversation(cid) for cid in conversation_ids))

    async def claim(self, session: AsyncSession, conversation_id: int) -> Claim:
        """In the transaction that queued the conversation's replies: take its delivery lease and
        read what it has pending, so that :meth:`hand_over` can send them once that transaction
        has committed — without a transaction of its own to claim them. Nothing is claimed while
        another delivery holds the lease (it reads the new replies when it has sent its own)."""
        return Claim(conversation_id, await _claim_in(session, conversation_id, self._clock()))

    def hand_over(self, claim: Claim) -> None:
        """After the claiming transaction committed: deliver the claimed replies in a task of
        their own; with none claimed, wake the delivery loop instead."""
        if claim.replies:
            self._tasks.spawn(self._deliver(claim.conversation_id, claim.replies), name=f"deliver:{claim.conversation_id}")
        else:
            self.kick()

    async def deliver_conversation(self, conversation_id: int) -> None:
        """Send the conversation's due replies in order: one transaction to claim them, then one
        per reply to record the outcome (so a crash re-sends at most the reply in flight)."""
        async with self._sessions.begin() as session:
            pending = await _claim_in(session, conversation_id, self._clock())
        await self._deliver(conversation_id, pending)

    async def _deliver(self, conversation_id: int, pending: list[DueReply]) -> None:
        """Send claimed replies in order, then whatever was queued meanwhile; release the lease."""
        while pending:
            due = pending[0]
            if due.next_attempt_at > self._clock():
                await self._record(conversation_id, None, pending[1:])  # keeps order: later replies wait
                return
            sender = self._senders.get(due.channel)
            if sender is None:
                log.error("outbox %s: no sender for channel %s", due.entry_id, due.channel)
                outcome = _Outcome(_FAILED, {"attempts": due.attempts, "error": f"no sender for channel {due.channel!r}"})
            else:
                outcome = await self._attempt(sender, due)
            pending = await self._record(conversation_id, (due.entry_id, outcome), pending[1:])

    async def _record(
        self, conversation_id: int, attempt: tuple[int, _Outcome] | None, rest: list[DueReply]
    ) -> list[DueReply]:
        """Store one attempt's outcome and say what to send next, renewing or releasing the lease
        (committed before it returns: a crash re-sends at most the reply in flight)."""
        return await self._records.run(_Record(conversation_id, attempt, rest))

    async def _record_in(self, session: AsyncSession, record: _Record) -> list[DueReply]:
        conversation_id, attempt, rest = record
        if attempt is not None:
            entry_id, outcome = attempt
            await outcome.statement.run(session, {"entry_id": entry_id, **outcome.values})
            if outcome.statement is not _RETRY:  # sent or failed for good: go on
                following = rest or await _pending_replies(session, conversation_id)
                if following:
                    until = self._clock() + LEASE
                    await _SET_LEASE.run(session, {"conversation_id": conversation_id, "until": until})
                    return following
        # Done, or a retry holds back the rest.
        await _SET_LEASE.run(session, {"conversation_id": conversation_id, "until": None})
        return []

    async def _attempt(self, sender: ChannelSender, due: DueReply) -> _Outcome:
        attempts = due.attempts + 1
        try:
            platform_id = await sender.send(
                Delivery(due.user_id, reply_from_row(due), str(due.message_id), due.language, due.last_inbound_at, due.parts_sent)
            )
        except PermanentDeliveryError as exc:
            log.warning("outbox %s: permanent delivery failure: %s", due.entry_id, exc)
            return _Outcome(_FAILED, {"attempts": attempts, "error": str(exc)[:500]})
        except (TimeoutError, TransientDeliveryError, OSError) as exc:
            retry_after = exc.retry_after if isinstance(exc, TransientDeliveryError) else None
            parts_sent = max(due.parts_sent, exc.parts_sent) if isinstance(exc, TransientDeliveryError) else due.parts_sent
            if attempts >= self._policy.max_attempts:
                log.warning("outbox %s: giving up after %d attempts: %s", due.entry_id, attempts, exc)
                return _Outcome(_FAILED, {"attempts": attempts, "error": str(exc)[:500]})
            delay = self._policy.delay(attempts, retry_after)
            log.info("outbox %s: attempt %d failed (%s); retrying in %.1fs", due.entry_id, attempts, exc, delay)
            return _Outcome(
                _RETRY,
                {
                    "attempts": attempts, "error": str(exc)[:500], "next_at": self._clock() + timedelta(seconds=delay),
                    "parts_sent": parts_sent,
                },
            )
        return _Outcome(_SENT, {"attempts": attempts, "delivered": self._clock(), "platform_id": platform_id})


@dataclass(frozen=True)
class _Outcome:
    """How one attempt ended: the prepared statement recording it, and its values."""

    statement: Prepared
    values: dict[str, Any]


class _Record(NamedTuple):
    """What :meth:`OutboxDispatcher._record` stores: the conversation, the attempt (the entry and
    how it ended; ``None`` when a retry holds the conversation back), the claimed entries left."""

    conversation_id: int
    attempt: tuple[int, _Outcome] | None
    rest: list[DueReply]


class DueReply(NamedTuple):
    """A pending outbox entry with the reply and the recipient (a row of ``_PENDING_REPLIES``)."""

    entry_id: int
    attempts: int
    parts_sent: int
    next_attempt_at: datetime
    message_id: int
    text: str
    buttons: str | None
    kind: str
    language: str | None
    channel: str
    user_id: str
    last_inbound_at: datetime | None


class Claim(NamedTuple):
    """Replies of one conversation claimed for delivery (see :meth:`OutboxDispatcher.claim`)."""

    conversation_id: int
    replies: list[DueReply]


async def _claim_in(session: AsyncSession, conversation_id: int, now: datetime) -> list[DueReply]:
    """Take the conversation's delivery lease and read its pending replies; nothing if another
    delivery holds the lease or nothing is pending (then the lease is not kept)."""
    taken = await _TAKE_LEASE.run(session, {"conversation_id": conversation_id, "now": now, "until": now + LEASE})
    if taken != 1:
        return []
    pending = await _pending_replies(session, conversation_id)
    if not pending:
        await _SET_LEASE.run(session, {"conversation_id": conversation_id, "until": None})
    return pending


async def _pending_replies(session: AsyncSession, conversation_id: int) -> list[DueReply]:
    return [DueReply(*row) for row in await _PENDING_REPLIES.rows(session, {"conversation_id": conversation_id})]


# Delivery runs prepared Core statements (built once here): it is on every reply's path.
_E = outbox_table
_C = conversations_table
_DUE_CONVERSATIONS = Prepared(
    select(_E.c.conversation_id)
    .where(_E.c.status == "pending", _E.c.next_attempt_at <= bindparam("now"))
    .distinct()
    .limit(500)
)
_PENDING_REPLIES = Prepared(
    select(
        _E.c.id.label("entry_id"), _E.c.attempts, _E.c.parts_sent, _E.c.next_attempt_at, _MESSAGES.c.id.label("message_id"),
        _MESSAGES.c.text, _MESSAGES.c.buttons, _MESSAGES.c.kind, _MESSAGES.c.language, _C.c.channel, _C.c.user_id,
        _C.c.last_inbound_at,
    )
    .join_from(_E, _MESSAGES, _MESSAGES.c.id == _E.c.message_id)
    .join(_C, _C.c.id == _E.c.conversation_id)
    .where(_E.c.conversation_id == bindparam("conversation_id"), _E.c.status == "pending")
    .order_by(_E.c.id)
)
_TAKE_LEASE = Prepared(
    update(_C)
    .where(
        _C.c.id == bindparam("conversation_id"),
        or_(_C.c.delivery_lease_until.is_(None), _C.c.delivery_lease_until < bindparam("now")),
    )
    .values(delivery_lease_until=bindparam("until"))
)
_SET_LEASE = Prepared(
    update(_C).where(_C.c.id == bindparam("conversation_id")).values(delivery_lease_until=bindparam("until"))
)
_ENTRY = update(_E).where(_E.c.id == bindparam("entry_id"))
_SENT = Prepared(
    _ENTRY.values(
        status="sent", attempts=bindparam("attempts"), delivered_at=bindparam("delivered"),
        platform_message_id=bindparam("platform_id"),
    )
)
_FAILED = Prepared(_ENTRY.values(status="failed", attempts=bindparam("attempts"), last_error=bindparam("error")))
_RETRY = Prepared(
    _ENTRY.values(
        attempts=bindparam("attempts"), last_error=bindparam("error"), next_attempt_at=bindparam("next_at"),
        parts_sent=bindparam("parts_sent"),
    )
)
