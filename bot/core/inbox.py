"""Accepting an incoming message: deduplicate and persist it before it is acknowledged."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.base import utcnow
from bot.storage.database import dialect_name
from bot.storage.models import conversations_table, messages_table
from bot.storage.prepared import Prepared
from flows.messages import IncomingMessage


@dataclass(frozen=True, slots=True)
class Accepted:
    """The stored inbound message; ``duplicate`` is true when the platform redelivered it."""

    conversation_id: int
    message_id: int
    duplicate: bool


_C = conversations_table
_M = messages_table


def _upsert_conversation(dialect: ModuleType) -> Any:
    insert = dialect.insert(_C).values(
        channel=bindparam("channel"), user_id=bindparam("user_id"), state="{}", status="bot",
        created_at=bindparam("now"), updated_at=bindparam("now"), last_inbound_at=bindparam("inbound_at"),
    )
    latest = case(
        (_C.c.last_inbound_at.is_(None), insert.excluded.last_inbound_at),
        (insert.excluded.last_inbound_at > _C.c.last_inbound_at, insert.excluded.last_inbound_at),
        else_=_C.c.last_inbound_at,
    )
    # DO UPDATE rather than DO NOTHING, so that RETURNING also gives the id of an existing row.
    return insert.on_conflict_do_update(index_elements=["channel", "user_id"], set_={"last_inbound_at": latest}).returning(
        _C.c.id
    )


def _insert_message(dialect: ModuleType) -> Any:
    return (
        dialect.insert(_M)
        .values(
            conversation_id=bindparam("conversation_id"), channel=bindparam("channel"), direction="in", author="user",
            platform_message_id=bindparam("platform_id"), text=bindparam("body"), payload=bindparam("button"),
            language_hint=bindparam("hint"), kind="text", created_at=bindparam("received_at"),
            processed_at=bindparam("processed"),
        )
        .on_conflict_do_nothing(index_elements=["channel", "platform_message_id"])
        .returning(_M.c.id)
    )


# Prepared once per database dialect (accepting is on every message's path); the conversation
# upsert finds or creates the conversation and notes the latest inbound time in one statement.
_UPSERT_CONVERSATION = {
    "postgresql": Prepared(_upsert_conversation(postgresql)), "sqlite": Prepared(_upsert_conversation(sqlite))
}
_INSERT_MESSAGE = {"postgresql": Prepared(_insert_message(postgresql)), "sqlite": Prepared(_insert_message(sqlite))}
_FIND_MESSAGE = Prepared(
    select(_M.c.id).where(_M.c.channel == bindparam("channel"), _M.c.platform_message_id == bindparam("platform_id"))
)


_LAST_INBOUND = (
    select(func.coalesce(func.max(_M.c.id), 0))
    .where(_M.c.conversation_id == bindparam("conversation_id"), _M.c.direction == "in")
    .scalar_subquery()
)
_OFFERED_BUTTONS = Prepared(
    select(_M.c.buttons)
    .where(_M.c.conversation_id == bindparam("conversation_id"), _M.c.direction == "out", _M.c.id > _LAST_INBOUND)
    .order_by(_M.c.id)
)


async def offered_buttons(session: AsyncSession, conversation_id: int) -> dict[str, str]:
    """Payload → title of the buttons offered since the user's last message (one answer may
    span several replies)."""
    rows = await _OFFERED_BUTTONS.rows(session, {"conversation_id": conversation_id})
    return {b["payload"]: b["title"] for (raw,) in rows for b in json.loads(raw or "[]")}


async def store_inbound(
    session: AsyncSession, message: IncomingMessage, processed_at: datetime | None = None, *, typed_payloads: bool = False
) -> Accepted:
    """Store ``message`` in the caller's transaction unless (channel, platform id) is already
    stored. ``processed_at`` marks a message answered without the dialogue (a channel's own reply).

    ``typed_payloads``: the sender presses a button by sending its payload as text (Rasa's REST
    convention); such a text is stored as the press of the button offered last."""
    dialect = dialect_name(session)
    conversation_id = await _UPSERT_CONVERSATION[dialect].scalar(
        session,
        {"channel": message.key.channel, "user_id": message.key.user_id, "now": utcnow(), "inbound_at": message.received_at},
    )
    assert conversation_id is not None
    if typed_payloads and message.payload is None:
        title = (await offered_buttons(session, conversation_id)).get(message.text)
        if title is not None:
            message = dataclasses.replace(message, text=title, payload=message.text)
    ids = {"channel": message.key.channel, "platform_id": message.message_id}
    inserted = await _INSERT_MESSAGE[dialect].scalar(
        session,
        {
            **ids, "conversation_id": conversation_id, "body": message.text, "button": message.payload,
            "hint": message.language_hint, "received_at": message.received_at, "processed": processed_at,
        },
    )
    if inserted is None:
        existing = await _FIND_MESSAGE.scalar(session, ids)
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
