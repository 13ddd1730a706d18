"""The call-centre desk the core hands conversations to (see ``bot.core.processor.HandoffDesk``).

While a conversation is not with the bot the core calls :meth:`CallCentreDesk.relay` instead of
the dialogue: the user's message goes live to the operator console and the bot stays silent,
except to confirm a cancelled handoff, a stored callback message or a satisfaction rating.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import FlowSettings, HandoffSettings
from bot.core.events import EventHub
from bot.handoff import notices
from bot.handoff.hours import WorkingHours
from bot.handoff.live import message_event, publish_after_commit
from bot.handoff.queue import AWAITING_RATING, HandoffQueue, reset_to_menu
from bot.storage.models import Conversation, Message
from flows.dialogue import HandoffRequest
from flows.i18n import Catalogs
from flows.messages import Reply

DEFAULT_TIMEZONE = FlowSettings().timezone

class CallCentreDesk:
    """Queues conversations for operators; while a person owns a chat the bot stays silent."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], hub: EventHub, catalogs: Catalogs) -> None:
        # ``sessions`` is part of the core's constructor contract; the desk itself always works
        # inside the unit of work the core passes to request/relay.
        del sessions
        self._hub = hub
        self._catalogs = catalogs
        self.configure(HandoffSettings(), DEFAULT_TIMEZONE)

    def configure(self, settings: HandoffSettings, timezone: str) -> None:
        """Apply the ``handoff`` settings (called at start-up by ``setup_console`` before any
        operator connects, so the core can keep constructing the desk with three arguments)."""
        self.queue = HandoffQueue(self._hub, self._catalogs, settings, WorkingHours({str(day): span for day, span in settings.working_hours.items()}, timezone))

    async def request(
        self, session: AsyncSession, conversation: Conversation, request: HandoffRequest, message: Message
    ) -> tuple[Reply, ...]:
        """Queue the conversation; the user is told their position and wait (or that nobody is
        available and they may leave a message)."""
        return await self.queue.enqueue(session, conversation, request)

    async def relay(self, session: AsyncSession, conversation: Conversation, message: Message) -> tuple[Reply, ...]:
        """Forward the user's message to the console; reply only to a cancel, rating or a message
        left while nobody can answer."""
        t = self.queue.translator(conversation)
        if conversation.status == AWAITING_RATING:
            score = notices.parse_rating(message.payload)
            if score is not None:
                return await self.queue.rate(session, conversation, score)
            # Not an answer to the question: the rating is skipped and the bot answers this
            # message itself (the processor runs the dialogue when the chat is back with the bot).
            reset_to_menu(conversation)
            return ()
        if message.payload == notices.CANCEL_PAYLOAD:
            return await self.queue.cancel(session, conversation)
        entry = await self.queue.active_entry(session, conversation.id)
        if entry is None:  # nothing to wait for (e.g. closed meanwhile): the bot is back
            reset_to_menu(conversation)
            return (notices.back_to_bot(t, by_operator=False),)
        publish_after_commit(session, self.queue.hub, [message_event(message), {"type": "queue"}])
        if entry.status == "queued" and not entry.left_message:
            available = await self.queue.availability(session, entry.language)
            if not available.answerable:
                entry.left_message = True
                return (notices.message_saved(t),)
        return ()
