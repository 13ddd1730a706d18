"""One unit of work per incoming message: understand, decide, store replies, commit.

Messages of one conversation are processed strictly in arrival order (an in-process lock plus,
on PostgreSQL, an advisory lock inside the transaction); different conversations run
concurrently. Nothing here does network I/O inside a transaction: delivery happens afterwards,
from the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.inbox import Accepted, store_inbound
from bot.core.locks import (
    ConversationLocks,
    lock_conversation_in_transaction,
    try_conversation_turn,
    turn_before_storing,
)
from bot.core.outbox import QUEUED, Claim, OutboxDispatcher, enqueue_replies
from bot.storage.base import utcnow
from bot.storage.group_commit import GroupCommit
from bot.storage.models import Conversation, Message, conversations_table, messages_table
from bot.storage.prepared import Prepared
from flows.dialogue import ConversationState, Dialogue, HandoffRequest, Reading, Turn, Understanding
from flows.messages import ConversationKey, IncomingMessage, Reply

log = logging.getLogger(__name__)


class HandoffDesk(Protocol):
    """The call-centre side of the core (implemented in ``bot/handoff``)."""

    async def request(
        self, session: AsyncSession, conversation: Conversation, request: HandoffRequest, message: Message
    ) -> tuple[Reply, ...]:
        """Queue the conversation for a person; return replies for the user (position, wait)."""
        ...

    async def relay(self, session: AsyncSession, conversation: Conversation, message: Message) -> tuple[Reply, ...]:
        """A user wrote while a person owns or is about to take the chat; the bot stays silent
        unless this returns replies (e.g. the user cancelled the handoff)."""
        ...


class MessageProcessor:
    """Processes stored, unprocessed inbound messages through the dialogue. Replies queued in the
    outbox are claimed for delivery in the same transaction and handed to ``outbox`` once it has
    committed (see :meth:`OutboxDispatcher.claim`)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dialogue: Dialogue,
        desk: HandoffDesk,
        outbox: OutboxDispatcher,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._dialogue = dialogue
        self._desk = desk
        self._outbox = outbox
        self._clock = clock
        self._locks = ConversationLocks()
        # Messages accepted together (concurrent requests) share a transaction on SQLite.
        self._accepting = GroupCommit(sessions, self._accept_and_answer_in, name="accept")

    def understand(self, message: IncomingMessage) -> Reading | None:
        """Read the message's text now, outside any transaction (see :class:`Reading`); pass
        the result on to :meth:`process_conversation` keyed by the stored message's id."""
        return self._dialogue.understand(message, self._clock())

    async def process_conversation(
        self, conversation_id: int, answering: int | None = None, readings: Mapping[int, Reading] | None = None
    ) -> list[Reply] | None:
        """Process every pending inbound message of the conversation, oldest first.

        ``answering``: the caller delivers the replies to this message itself (in an HTTP
        response); they are returned, and stored without entering the outbox.
        ``None`` is returned if another task had already answered that message.
        ``readings``: texts already read (:meth:`understand`), by message id."""
        answered: list[Reply] | None = None
        async with self._locks.hold(conversation_id):
            more = True
            while more:
                more, replies = await self._process_next(conversation_id, answering, readings or {})
                if replies is not None:
                    answered = replies
        return answered

    async def decline(
        self, conversation_id: int, message_id: int, reply_for: Callable[[str | None], Reply] | None
    ) -> None:
        """Mark a stored message processed without the dialogue (rate limit), answering it with
        ``reply_for(language)`` if given. Runs under the conversation's locks like any unit of work."""
        async with self._locks.hold(conversation_id):
            async with self._transaction() as session:
                await lock_conversation_in_transaction(session, conversation_id)
                message = await session.get_one(Message, message_id)
                if message.processed_at is not None:
                    return
                conversation = await session.get_one(Conversation, conversation_id)
                if reply_for is not None:
                    language = conversation.language or message.language_hint
                    await enqueue_replies(
                        session, conversation.id, conversation.channel, (reply_for(language),), author="bot",
                        language=language, in_reply_to=message.id,
                    )
                message.processed_at = self._clock()

    async def pending_conversations(self, older_than: timedelta = timedelta(0)) -> list[int]:
        """Conversations with unprocessed inbound messages (crash recovery, sweeper)."""
        cutoff = self._clock() - older_than
        async with self._sessions() as session:
            return list(
                (
                    await session.scalars(
                        select(Message.conversation_id)
                        .where(Message.direction == "in", Message.processed_at.is_(None), Message.created_at <= cutoff)
                        .distinct()
                    )
                ).all()
            )

    async def accept_and_answer(
        self, message: IncomingMessage, reading: Reading | None, *, typed_payloads: bool = False, caller_delivers: bool = True
    ) -> tuple[Accepted, list[Reply] | None]:
        """Store ``message`` and answer it in the same transaction — one commit instead of two.
        ``caller_delivers``: the caller waits for the replies and hands them over itself (an HTTP
        response), so they never enter the outbox; otherwise they are queued in the outbox and
        claimed for delivery like any unit of work's. ``reading``: the message's text read
        beforehand (:meth:`understand`), not inside the transaction — on SQLite that holds the
        write lock all processes share.

        On PostgreSQL the conversation's turn is taken before storing locks its row
        (:func:`turn_before_storing`); for a conversation that is new, it is only tried after
        storing. The replies are ``None`` when the caller must go on with
        :meth:`process_conversation` — an older message of the conversation was still pending
        and was processed first, or another transaction had the new conversation's turn (the
        message is then stored, unprocessed) — and for a duplicate.

        On SQLite, messages accepted at the same time (concurrent requests) share one transaction
        (:class:`~bot.storage.group_commit.GroupCommit`); each caller returns once it has
        committed, and a message whose unit of work fails is retried in a transaction of its own,
        alone to fail."""
        answered = await self._accepting.run(_Accepting(message, reading, typed_payloads, caller_delivers))
        self._after_commit(answered.claim, answered.queued)
        return answered.accepted, answered.replies

    async def _accept_and_answer_in(self, session: AsyncSession, accepting: _Accepting) -> _Answered:
        message, reading, typed_payloads, caller_delivers = accepting
        # In a shared transaction, what earlier messages queued or claimed is theirs.
        session.info.pop(QUEUED, None)
        session.info.pop(_CLAIM, None)
        turn = await turn_before_storing(session, message.key)
        accepted = await store_inbound(session, message, typed_payloads=typed_payloads)
        replies = None
        if not accepted.duplicate and (
            turn == accepted.conversation_id or await try_conversation_turn(session, accepted.conversation_id)
        ):
            readings = readings_of(accepted, reading)
            _, replies = await self._unit_of_work(
                session, accepted.conversation_id, accepted.message_id, readings, caller_delivers, turn_taken=True
            )
        return _Answered(accepted, replies, session.info.pop(_CLAIM, None), session.info.pop(QUEUED, False))

    async def _process_next(
        self, conversation_id: int, answering: int | None, readings: Mapping[int, Reading]
    ) -> tuple[bool, list[Reply] | None]:
        async with self._transaction() as session:
            return await self._unit_of_work(session, conversation_id, answering, readings)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        """A unit of work's transaction; once it has committed, replies it claimed are handed
        to the outbox, and the outbox is woken for replies it queued without a claim."""
        async with self._sessions.begin() as session:
            yield session
            queued = session.info.get(QUEUED, False)
            claim = session.info.get(_CLAIM)
        self._after_commit(claim, queued)

    def _after_commit(self, claim: Claim | None, queued: bool) -> None:
        """Hand the replies a unit of work claimed to the outbox; wake it for ones it queued."""
        if claim is not None:
            self._outbox.hand_over(claim)
        elif queued:
            self._outbox.kick()

    async def _unit_of_work(
        self,
        session: AsyncSession,
        conversation_id: int,
        answering: int | None,
        readings: Mapping[int, Reading],
        caller_delivers: bool = True,
        turn_taken: bool = False,
    ) -> tuple[bool, list[Reply] | None]:
        """Process the conversation's oldest pending message in ``session`` (taking the
        conversation's turn unless ``turn_taken``); return whether another one waits, and the
        replies if the message was ``answering`` (which the caller delivers itself if
        ``caller_delivers``)."""
        if not turn_taken:
            await lock_conversation_in_transaction(session, conversation_id)
        # Two rows: the message to process now, and whether another one waits behind it
        # (saves an empty transaction at the end of every burst).
        waiting = await _PENDING.rows(session, {"conversation_id": conversation_id})
        if not waiting:
            return False, None
        pending = PendingMessage(*waiting[0])
        reading = readings.get(pending.id)
        if pending.status == "bot":
            outcome = await self._answer(session, conversation_id, pending, reading)
        else:
            outcome = await self._relay(session, conversation_id, pending, reading)
        understanding = outcome.understanding
        await _MARK_PROCESSED.run(
            session,
            {
                "message_id": pending.id,
                "processed": self._clock(),
                "detected_language": understanding.language if understanding else None,
                "detected_intent": understanding.intent if understanding else None,
                "detected_confidence": understanding.confidence if understanding else None,
            },
        )
        delivered = caller_delivers and pending.id == answering
        await enqueue_replies(
            session, conversation_id, pending.channel, outcome.replies, author="bot", language=outcome.language,
            in_reply_to=pending.id, delivered=delivered,
        )
        if outcome.replies and not delivered:
            session.info[_CLAIM] = await self._outbox.claim(session, conversation_id)
        return len(waiting) > 1, list(outcome.replies) if pending.id == answering else None

    async def _answer(
        self, session: AsyncSession, conversation_id: int, pending: PendingMessage, reading: Reading | None
    ) -> _Outcome:
        """Run the message through the dialogue and store the new state; the desk's replies are
        added when the dialogue hands the chat to a person."""
        incoming = IncomingMessage(
            key=ConversationKey(pending.channel, pending.user_id),
            message_id=pending.platform_message_id or str(pending.id),
            text=pending.text,
            received_at=pending.created_at,
            payload=pending.payload,
            language_hint=pending.language_hint,
        )
        now = self._clock()
        turn: Turn = self._dialogue.respond(ConversationState.from_json(pending.state), incoming, now, reading)
        await _SAVE_STATE.run(
            session,
            {"conversation_id": conversation_id, "new_state": turn.state.to_json(), "new_language": turn.state.language, "now": now},
        )
        replies = turn.replies
        if turn.handoff is not None:
            # The desk works on the ORM objects, loaded now with the state just stored.
            conversation = await session.get_one(Conversation, conversation_id, populate_existing=True)
            message = await session.get_one(Message, pending.id)
            replies += await self._desk.request(session, conversation, turn.handoff, message)
        return _Outcome(replies, turn.state.language, turn.understanding)

    async def _relay(
        self, session: AsyncSession, conversation_id: int, pending: PendingMessage, reading: Reading | None
    ) -> _Outcome:
        """A person owns or is about to take the chat: the desk decides what the user hears."""
        conversation = await session.get_one(Conversation, conversation_id)
        message = await session.get_one(Message, pending.id)
        replies = await self._desk.relay(session, conversation, message)
        if conversation.status == "bot" and not replies:
            # The desk handed the chat back without a word (e.g. a new question instead of the
            # satisfaction rating): the assistant answers this message itself, from the state
            # the desk left (written first, so the dialogue's state is not overwritten by it).
            await session.flush()
            return await self._answer(session, conversation_id, pending._replace(state=conversation.state), reading)
        return _Outcome(replies, conversation.language, None)


def readings_of(accepted: Accepted, reading: Reading | None) -> dict[int, Reading]:
    """``readings`` for :meth:`MessageProcessor.process_conversation`: the accepted message's."""
    return {accepted.message_id: reading} if reading is not None else {}


class PendingMessage(NamedTuple):
    """An unprocessed inbound message with what processing needs of its conversation."""

    id: int
    platform_message_id: str | None
    text: str
    payload: str | None
    language_hint: str | None
    created_at: datetime
    channel: str
    user_id: str
    state: str
    status: str


class _Accepting(NamedTuple):
    """A message to store and answer (:meth:`MessageProcessor.accept_and_answer`'s arguments)."""

    message: IncomingMessage
    reading: Reading | None
    typed_payloads: bool
    caller_delivers: bool


class _Answered(NamedTuple):
    """A message stored (and answered, unless ``replies`` is ``None``), with what its unit of
    work left for the outbox once committed."""

    accepted: Accepted
    replies: list[Reply] | None
    claim: Claim | None
    queued: bool


class _Outcome(NamedTuple):
    replies: tuple[Reply, ...]
    language: str | None
    understanding: Understanding | None


#: ``session.info`` key of the :class:`bot.core.outbox.Claim` a unit of work made.
_CLAIM = "migassist.outbox_claim"

# The hot path runs prepared Core statements (built once here), not ORM loads and flushes.
_M = messages_table
_C = conversations_table
_PENDING = Prepared(
    select(
        _M.c.id, _M.c.platform_message_id, _M.c.text, _M.c.payload, _M.c.language_hint, _M.c.created_at,
        _C.c.channel, _C.c.user_id, _C.c.state, _C.c.status,
    )
    .join_from(_M, _C, _C.c.id == _M.c.conversation_id)
    .where(_M.c.conversation_id == bindparam("conversation_id"), _M.c.direction == "in", _M.c.processed_at.is_(None))
    .order_by(_M.c.id)
    .limit(2)
)
_MARK_PROCESSED = Prepared(
    update(_M)
    .where(_M.c.id == bindparam("message_id"))
    .values(
        processed_at=bindparam("processed"),
        language=bindparam("detected_language"),
        intent=bindparam("detected_intent"),
        confidence=bindparam("detected_confidence"),
    )
)
_SAVE_STATE = Prepared(
    update(_C)
    .where(_C.c.id == bindparam("conversation_id"))
    .values(state=bindparam("new_state"), language=bindparam("new_language"), updated_at=bindparam("now"))
)
