"""Accepting an incoming message: deduplicate and persist it before it is acknowledged."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
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


async def _conversation_with_inbound(session: AsyncSession, key: ConversationKey, inbound_at: datetime) -> int:
    """Return the conversation's id, creating the row if needed, and note that a message from
    the user arrived at ``inbound_at`` (kept if it is the latest). One statement, safe under
    concurrency."""
    now = utcnow()
    insert = _insert(session, Conversation).values(
        channel=key.channel, user_id=key.user_id, state="{}", status="bot", created_at=now, updated_at=now,
        last_inbound_at=inbound_at,
    )
    latest = case(
        (Conversation.last_inbound_at.is_(None), insert.excluded.last_inbound_at),
        (insert.excluded.last_inbound_at > Conversation.last_inbound_at, insert.excluded.last_inbound_at),
        else_=Conversation.last_inbound_at,
    )
    # DO UPDATE rather than DO NOTHING, so that RETURNING also gives the id of an existing row.
    found = await session.scalar(
        insert.on_conflict_do_update(index_elements=["channel", "user_id"], set_={"last_inbound_at": latest})
        .returning(Conversation.id)
    )
    assert found is not None
    return found


async def offered_buttons(session: AsyncSession, conversation_id: int) -> dict[str, str]:
    """Payload → title of the buttons offered since the user's last message (one answer may
    span several replies)."""
    last_inbound = (
        select(func.coalesce(func.max(Message.id), 0))
        .where(Message.conversation_id == conversation_id, Message.direction == "in")
        .scalar_subquery()
    )
    rows = await session.scalars(
        select(Message.buttons)
        .where(Message.conversation_id == conversation_id, Message.direction == "out", Message.id > last_inbound)
        .order_by(Message.id)
    )
    return {b["payload"]: b["title"] for raw in rows for b in json.loads(raw or "[]")}


async def store_inbound(
    session: AsyncSession, message: IncomingMessage, processed_at: datetime | None = None, *, typed_payloads: bool = False
) -> Accepted:
    """Store ``message`` in the caller's transaction unless (channel, platform id) is already
    stored. ``processed_at`` marks a message answered without the dialogue (a channel's own reply).

    ``typed_payloads``: the sender presses a button by sending its payload as text (Rasa's REST
    convention); such a text is stored as the press of the button offered last."""
    conversation_id = await _conversation_with_inbound(session, message.key, message.received_at)
    if typed_payloads and message.payload is None:
        title = (await offered_buttons(session, conversation_id)).get(message.text)
        if title is not None:
            message = dataclasses.replace(message, text=title, payload=message.text)
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
    return Accepted(conversation_id, inserted, duplicate=False)


class Inbox:
    """Persists incoming messages exactly once per (channel, platform message id)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def accept(self, message: IncomingMessage, *, typed_payloads: bool = False) -> Accepted:
        """Store ``message`` in its own transaction (see :func:`store_inbound`)."""
        async with self._sessions.begin() as session:
            return await store_inbound(session, message, typed_payloads=typed_payloads)
