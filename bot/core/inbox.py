"""Accepting an incoming message: deduplicate and persist it before it is acknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.base import utcnow
from bot.storage.models import Conversation, Message
from flows.messages import ConversationKey, IncomingMessage


@dataclass(frozen=True, slots=True)
class Accepted:
    """The stored inbound message; ``duplicate`` is true when the platform redelivered it."""

    conversation_id: int
    message_id: int
    duplicate: bool


def _insert(session: AsyncSession, table: type) -> postgresql.Insert | sqlite.Insert:
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


async def conversation_id_for(session: AsyncSession, key: ConversationKey) -> int:
    """Return the conversation's id, creating the row if needed (safe under concurrency)."""
    await session.execute(
        _insert(session, Conversation)
        .values(channel=key.channel, user_id=key.user_id, state="{}", status="bot",
                created_at=utcnow(), updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["channel", "user_id"])
    )
    found = await session.scalar(
        select(Conversation.id).where(Conversation.channel == key.channel, Conversation.user_id == key.user_id)
    )
    assert found is not None
    return found


async def store_inbound(
    session: AsyncSession, message: IncomingMessage, processed_at: datetime | None = None
) -> Accepted:
    """Store ``message`` in the caller's transaction unless (channel, platform id) is already
    stored. ``processed_at`` marks a message answered without the dialogue (a channel's own reply)."""
    conversation_id = await conversation_id_for(session, message.key)
    inserted = await session.scalar(
        _insert(session, Message)
        .values(
            conversation_id=conversation_id,
            channel=message.key.channel,
            direction="in",
            author="user",
            platform_message_id=message.message_id,
            text=message.text,
            payload=message.payload,
            language_hint=message.language_hint,
            kind="text",
            created_at=message.received_at,
            processed_at=processed_at,
        )
        .on_conflict_do_nothing(index_elements=["channel", "platform_message_id"])
        .returning(Message.id)
    )
    if inserted is None:
        existing = await session.scalar(
            select(Message.id).where(
                Message.channel == message.key.channel,
                Message.platform_message_id == message.message_id,
            )
        )
        assert existing is not None
        return Accepted(conversation_id, existing, duplicate=True)
    conversation = await session.get_one(Conversation, conversation_id)
    conversation.last_inbound_at = message.received_at
    return Accepted(conversation_id, inserted, duplicate=False)


class Inbox:
    """Persists incoming messages exactly once per (channel, platform message id)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def accept(self, message: IncomingMessage) -> Accepted:
        async with self._sessions.begin() as session:
            return await store_inbound(session, message)
