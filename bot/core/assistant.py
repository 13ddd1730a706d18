"""The core's front door used by every channel: accept a message, have it processed, read replies."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.inbox import Accepted, Inbox, offered_buttons
from bot.core.outbox import reply_from_row
from bot.core.processor import MessageProcessor, readings_of
from bot.core.tasks import TaskTracker
from bot.ratelimit import UserThrottle
from bot.storage.models import Conversation, Message
from flows.messages import ConversationKey, IncomingMessage, Reply

log = logging.getLogger(__name__)

#: An unprocessed message older than this is assumed orphaned (its process died) and is
#: picked up by the sweeper of any process.
ORPHAN_AGE = timedelta(seconds=10)


class Assistant:
    """Channels call :meth:`receive` (persist, acknowledge, process in the background) or
    :meth:`receive_and_wait` (the REST channel answers in the HTTP response)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        inbox: Inbox,
        processor: MessageProcessor,
        tasks: TaskTracker,
        throttle: UserThrottle | None = None,
    ) -> None:
        self._sessions = sessions
        self._inbox = inbox
        self._processor = processor
        self._tasks = tasks
        self._throttle = throttle

    async def receive(self, message: IncomingMessage) -> Accepted:
        """Persist the message (deduplicated) before returning; its replies go through the outbox.

        The message is answered in the transaction that stores it
        (:meth:`MessageProcessor.accept_and_answer`), and its replies are claimed for delivery
        there too. When older messages of the conversation still wait, another process had a new
        conversation's turn, or that unit of work failed (the message is then stored on its own),
        processing continues in the background after this returns.

        A user over the rate limit is not run through the dialogue: the message is stored and
        the first one refused in a burst gets a polite "please slow down" reply."""
        decision = self._throttle.check(message.key) if self._throttle else None
        if decision is not None and not decision.allowed:
            accepted = await self._inbox.accept(message)
            if not accepted.duplicate:
                await self._decline(accepted, answer=decision.first_refusal)
            return accepted
        reading = None
        try:
            reading = self._processor.understand(message)
            accepted, replies = await self._processor.accept_and_answer(message, reading, caller_delivers=False)
        except Exception:
            log.exception("answering a message as it was stored failed; storing it to answer in the background")
            accepted, replies = await self._inbox.accept(message), None
        if replies is None and not accepted.duplicate:
            self._tasks.spawn(
                self._processor.process_conversation(accepted.conversation_id, readings=readings_of(accepted, reading)),
                name=f"process:{accepted.conversation_id}",
            )
        return accepted

    async def receive_and_wait(
        self, message: IncomingMessage, *, typed_payloads: bool = False
    ) -> tuple[Accepted, list[Reply]]:
        """Persist and process the message now; return the replies to it (also for a duplicate),
        which the caller delivers (they never enter the outbox). Over the rate limit, the reply is
        always the polite refusal: an HTTP caller waits for one. ``typed_payloads``: see
        :func:`bot.core.inbox.store_inbound`.

        Storing and answering share one transaction (:meth:`MessageProcessor.accept_and_answer`):
        if the unit of work fails, the message is stored on its own (unprocessed, for the sweeper
        to retry) before the error propagates. The text is read (the NLU) before any transaction
        begins."""
        decision = self._throttle.check(message.key) if self._throttle else None
        if decision is not None and not decision.allowed:
            accepted = await self._inbox.accept(message, typed_payloads=typed_payloads)
            if not accepted.duplicate:
                await self._decline(accepted, answer=True)
            return accepted, await self.replies_to(accepted.message_id)
        reading = self._processor.understand(message)
        try:
            accepted, replies = await self._processor.accept_and_answer(message, reading, typed_payloads=typed_payloads)
        except Exception:
            await self._inbox.accept(message, typed_payloads=typed_payloads)
            raise
        if replies is None and not accepted.duplicate:  # older messages were waiting, or it was not our turn
            replies = await self._processor.process_conversation(
                accepted.conversation_id, answering=accepted.message_id, readings=readings_of(accepted, reading)
            )
        if replies is None:  # a duplicate, or answered meanwhile by another task
            replies = await self.replies_to(accepted.message_id)
        return accepted, replies

    def within_limits(self, key: ConversationKey, language: str | None, replies: list[Reply]) -> list[Reply]:
        """What to answer a message a channel answers itself (a sticker, a photo): ``replies``
        while the user is within the rate limit; over it, the polite refusal to the first
        message of a burst, then nothing (the message is still stored)."""
        decision = self._throttle.check(key) if self._throttle else None
        if decision is None or decision.allowed:
            return replies
        assert self._throttle is not None
        return [self._throttle.reply(language)] if decision.first_refusal else []

    async def _decline(self, accepted: Accepted, answer: bool) -> None:
        assert self._throttle is not None
        await self._processor.decline(accepted.conversation_id, accepted.message_id, self._throttle.reply if answer else None)

    def schedule(self, conversation_id: int) -> None:
        self._tasks.spawn(self._processor.process_conversation(conversation_id), name=f"process:{conversation_id}")

    async def replies_to(self, message_id: int) -> list[Reply]:
        async with self._sessions() as session:
            rows = await session.scalars(select(Message).where(Message.in_reply_to == message_id).order_by(Message.id))
            return [reply_from_row(row) for row in rows]

    async def last_buttons(self, key: ConversationKey) -> dict[str, str]:
        """Payload → title of the buttons offered since the user's last message, to recognise
        a choice typed as text."""
        async with self._sessions() as session:
            conversation_id = await session.scalar(
                select(Conversation.id).where(Conversation.channel == key.channel, Conversation.user_id == key.user_id)
            )
            return {} if conversation_id is None else await offered_buttons(session, conversation_id)

    async def recover(self) -> int:
        """Schedule every conversation with unprocessed messages (after a crash or restart)."""
        pending = await self._processor.pending_conversations()
        for conversation_id in pending:
            self.schedule(conversation_id)
        if pending:
            log.info("recovering %d conversations with unprocessed messages", len(pending))
        return len(pending)

    async def sweep(self, interval: float) -> None:
        """Periodically pick up messages orphaned by another process that died."""
        while True:
            await asyncio.sleep(interval)
            try:
                for conversation_id in await self._processor.pending_conversations(ORPHAN_AGE):
                    self.schedule(conversation_id)
            except Exception:
                log.exception("sweep for orphaned messages failed; will retry")
