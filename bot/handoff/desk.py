"""The call-centre desk the core hands conversations to (see ``bot.core.processor.HandoffDesk``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.events import EventHub
from bot.storage.models import Conversation, Message
from flows.dialogue import HandoffRequest
from flows.i18n import Catalogs
from flows.messages import Reply


class CallCentreDesk:
    """Queues conversations for operators; while a person owns a chat the bot stays silent."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], hub: EventHub, catalogs: Catalogs) -> None:
        self._sessions = sessions
        self._hub = hub
        self._catalogs = catalogs

    async def request(
        self, session: AsyncSession, conversation: Conversation, request: HandoffRequest, message: Message
    ) -> tuple[Reply, ...]:
        conversation.status = "queued"
        return ()

    async def relay(self, session: AsyncSession, conversation: Conversation, message: Message) -> tuple[Reply, ...]:
        return ()
