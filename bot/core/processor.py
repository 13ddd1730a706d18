"""One unit of work per incoming message: understand, decide, store replies, commit.

Messages of one conversation are processed strictly in arrival order (an in-process lock plus,
on PostgreSQL, an advisory lock inside the transaction); different conversations run
concurrently. Nothing here does network I/O inside a transaction: delivery happens afterwards,
from the outbox.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.locks import ConversationLocks, lock_conversation_in_transaction
from bot.core.outbox import QUEUED, enqueue_replies
from bot.storage.base import utcnow
from bot.storage.models import Conversation, Message
from flows.dialogue import ConversationState, Dialogue, HandoffRequest, Turn
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
    """Processes stored, unprocessed inbound messages through the dialogue."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dialogue: Dialogue,
        desk: HandoffDesk,
        on_replies: Callable[[], None],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._dialogue = dialogue
        self._desk = desk
        self._on_replies = on_replies
        self._clock = clock
        self._locks = ConversationLocks()

    async def process_conversation(self, conversation_id: int, answering: int | None = None) -> list[Reply] | None:
        """Process every pending inbound message of the conversation, oldest first.

        ``answering``: the caller delivers the replies to this message itself (in an HTTP
        response); they are returned, and recorded as sent rather than queued in the outbox.
        ``None`` is returned if another task had already answered that message."""
        answered: list[Reply] | None = None
        async with self._locks.hold(conversation_id):
            more = True
            while more:
                more, replies = await self._process_next(conversation_id, answering)
                if replies is not None:
                    answered = replies
        return answered

    async def decline(
        self, conversation_id: int, message_id: int, reply_for: Callable[[str | None], Reply] | None
    ) -> None:
        """Mark a stored message processed without the dialogue (rate limit), answering it with
        ``reply_for(language)`` if given. Runs under the conversation's locks like any unit of work."""
        async with self._locks.hold(conversation_id):
            async with self._sessions.begin() as session:
                await lock_conversation_in_transaction(session, conversation_id)
                message = await session.get_one(Message, message_id)
                if message.processed_at is not None:
                    return
                conversation = await session.get_one(Conversation, conversation_id)
                if reply_for is not None:
                    language = conversation.language or message.language_hint
                    await enqueue_replies(
                        session, conversation, (reply_for(language),), author="bot", language=language, in_reply_to=message.id
                    )
                message.processed_at = self._clock()
        self._on_replies()

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

    async def _process_next(self, conversation_id: int, answering: int | None) -> tuple[bool, list[Reply] | None]:
        """Process the oldest pending message; return whether another one waits, and the replies
        if the message was ``answering``."""
        async with self._sessions.begin() as session:
            await lock_conversation_in_transaction(session, conversation_id)
            # Two rows: the message to process now, and whether another one waits behind it
            # (saves an empty transaction at the end of every burst).
            waiting = (
                await session.scalars(
                    select(Message)
                    .where(
                        Message.conversation_id == conversation_id,
                        Message.direction == "in",
                        Message.processed_at.is_(None),
                    )
                    .order_by(Message.id)
                    .limit(2)
                )
            ).all()
            if not waiting:
                return False, None
            message = waiting[0]
            conversation = await session.get_one(Conversation, conversation_id)
            if conversation.status == "bot":
                replies = await self._answer(session, conversation, message)
            else:
                replies = await self._desk.relay(session, conversation, message)
                if conversation.status == "bot" and not replies:
                    # The desk handed the chat back without a word (e.g. a new question instead
                    # of the satisfaction rating): the assistant answers this message itself.
                    replies = await self._answer(session, conversation, message)
            await enqueue_replies(
                session, conversation, replies, author="bot", language=conversation.language,
                in_reply_to=message.id, delivered=message.id == answering,
            )
            message.processed_at = self._clock()
            queued = session.info.get(QUEUED, False)
        if queued:
            self._on_replies()
        return len(waiting) > 1, list(replies) if message.id == answering else None

    async def _answer(self, session: AsyncSession, conversation: Conversation, message: Message) -> tuple[Reply, ...]:
        """Run the message through the dialogue; return the replies (the desk's included when
        the dialogue hands the chat to a person)."""
        state = ConversationState.from_json(conversation.state)
        incoming = IncomingMessage(
            key=ConversationKey(conversation.channel, conversation.user_id),
            message_id=message.platform_message_id or str(message.id),
            text=message.text,
            received_at=message.created_at,
            payload=message.payload,
            language_hint=message.language_hint,
        )
        turn: Turn = self._dialogue.respond(state, incoming, self._clock())
        if turn.understanding is not None:
            message.language = turn.understanding.language
            message.intent = turn.understanding.intent
            message.confidence = turn.understanding.confidence
        conversation.state = turn.state.to_json()
        conversation.language = turn.state.language
        replies = turn.replies
        if turn.handoff is not None:
            replies += await self._desk.request(session, conversation, turn.handoff, message)
        return replies
