"""Answering a message without the dialogue (a photo the flows cannot read, a channel command).

The message is still stored (deduplicated on the platform id, so a redelivery is answered once)
and the answer still goes through the outbox, in the same transaction, like every reply; the
message is stored as already processed so the dialogue never sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.inbox import store_inbound
from bot.core.outbox import enqueue_replies
from bot.storage.base import utcnow
from bot.storage.models import Conversation
from flows.messages import ConversationKey, IncomingMessage, Reply


@dataclass(frozen=True, slots=True)
class ConversationSnapshot:
    """What a channel needs to know about a conversation before deciding how to answer."""

    status: str  # bot | queued | human
    language: str | None


async def look_up(sessions: async_sessionmaker[AsyncSession], key: ConversationKey) -> ConversationSnapshot:
    """The conversation's status and language (a new conversation: ``bot``, no language yet)."""
    async with sessions() as session:
        row = (
            await session.execute(
                select(Conversation.status, Conversation.language).where(
                    Conversation.channel == key.channel, Conversation.user_id == key.user_id
                )
            )
        ).first()
    return ConversationSnapshot("bot", None) if row is None else ConversationSnapshot(row.status, row.language)


async def reply_directly(
    sessions: async_sessionmaker[AsyncSession], message: IncomingMessage, replies: Sequence[Reply]
) -> bool:
    """Store ``message`` as processed and enqueue ``replies`` to it; ``False`` for a redelivery.

    The caller kicks the outbox dispatcher when this returns ``True``.
    """
    async with sessions.begin() as session:
        stored = await store_inbound(session, message, processed_at=utcnow())
        if stored.duplicate:
            return False
        conversation = await session.get_one(Conversation, stored.conversation_id)
        await enqueue_replies(
            session, conversation.id, conversation.channel, replies, author="bot", language=conversation.language,
            in_reply_to=stored.message_id,
        )
    return True
