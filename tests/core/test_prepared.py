"""Prepared statements on SQLite run on the raw connection with SQLAlchemy's type processing:
the same values in and out as through ``session.execute``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core import inbox, outbox, processor
from bot.storage.models import Conversation, Message
from bot.storage.prepared import Prepared

THEN = datetime(2026, 3, 5, 6, 0, 30, 123456, tzinfo=UTC)


async def conversation(session: AsyncSession, user: str = "u1") -> int:
    params = {"channel": "rest", "user_id": user, "now": THEN, "inbound_at": THEN}
    conversation_id = await inbox._UPSERT_CONVERSATION["sqlite"].scalar(session, params)
    assert isinstance(conversation_id, int)
    return conversation_id


@pytest.mark.asyncio
async def test_values_go_in_and_come_out_as_through_the_session(sqlite_sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sqlite_sessions.begin() as session:
        conversation_id = await conversation(session)
        assert await conversation(session) == conversation_id  # the upsert finds it again
        message_id = await inbox._INSERT_MESSAGE["sqlite"].scalar(
            session,
            {
                "conversation_id": conversation_id, "channel": "rest", "platform_id": "m1", "body": "Salam 👋",
                "button": None, "hint": "az", "received_at": THEN, "processed": None,
            },
        )
        params = {"conversation_id": conversation_id}
        prepared_rows = await processor._PENDING.rows(session, params)
        session_rows = [tuple(row) for row in await session.execute(processor._PENDING.statement, params)]
    assert prepared_rows == session_rows
    assert prepared_rows[0][:6] == (message_id, "m1", "Salam 👋", None, "az", THEN)  # an aware datetime back
    async with sqlite_sessions() as session:
        stored = await session.get_one(Conversation, conversation_id)
    assert (stored.created_at, stored.last_inbound_at, stored.state, stored.status) == (THEN, THEN, "{}", "bot")


@pytest.mark.asyncio
async def test_python_side_defaults_are_applied(sqlite_sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sqlite_sessions.begin() as session:
        conversation_id = await conversation(session)
    now = datetime.now(UTC)
    async with sqlite_sessions.begin() as session:
        lease = {"conversation_id": conversation_id, "now": now, "until": now + timedelta(seconds=15)}
        assert await outbox._TAKE_LEASE.run(session, lease) == 1
        assert await outbox._TAKE_LEASE.run(session, lease) == 0  # held
        # The table's insert defaults (kind, created_at) for columns the statement leaves out:
        add_message = Prepared(insert(Message.__table__))
        await add_message.run(session, {"conversation_id": conversation_id, "channel": "rest", "direction": "out", "author": "bot", "text": "x"})
    async with sqlite_sessions() as session:
        stored = await session.get_one(Conversation, conversation_id)
        added = await session.scalar(select(Message).where(Message.conversation_id == conversation_id))
    assert stored.updated_at >= now > THEN  # onupdate=utcnow, as session.execute would set it
    assert added is not None and added.kind == "text" and added.created_at >= now


@pytest.mark.asyncio
async def test_inserts_return_ids_in_order_and_pending_orm_changes_are_flushed_first(
    sqlite_sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sqlite_sessions.begin() as session:
        session.add(Conversation(channel="web", user_id="orm-made"))  # not flushed yet
        found = await Prepared(select(Conversation.__table__.c.user_id)).rows(session, {})
        assert found == [("orm-made",)]
        conversation_id = await conversation(session)
        rows = [
            {
                "conversation_id": conversation_id, "channel": "rest", "direction": "out", "author": "bot",
                "text": f"reply {n}", "buttons": "[]", "kind": "text", "language": "en", "in_reply_to": None,
                "created_at": THEN,
            }
            for n in range(3)
        ]
        ids = await outbox._INSERT_REPLIES.scalar_each(session, rows)
        texts = await Prepared(select(Message.__table__.c.id, Message.__table__.c.text).order_by(Message.__table__.c.id)).rows(session, {})
    assert ids == sorted(ids) and texts == [(i, f"reply {n}") for n, i in enumerate(ids)]


@pytest.mark.asyncio
async def test_a_missing_parameter_is_an_error_not_a_null(sqlite_sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sqlite_sessions() as session:
        with pytest.raises(TypeError, match="conversation_id"):
            await processor._PENDING.rows(session, {})
