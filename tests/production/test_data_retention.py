"""Retention (``migassist purge``) and data-subject requests (``migassist user-data``) on SQLite
and PostgreSQL: old data goes, work in progress and other users' data stay."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import main
from bot.commands.purge import purge
from bot.config import RetentionSettings
from bot.storage.accounts import Account
from bot.storage.base import utcnow
from bot.storage.database import create_engine, create_sessionmaker
from bot.storage.handoff import HandoffEntry, HandoffNote, SatisfactionRating
from bot.storage.migrate import upgrade_async
from bot.storage.models import Conversation, Message, OutboxEntry

NOW = utcnow()
RETENTION = RetentionSettings(messages_days=90, delivery_records_days=30, handoff_records_days=365, conversations_days=365)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest_asyncio.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[str, async_sessionmaker[AsyncSession]]]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else f"sqlite:///{tmp_path / 'db.sqlite'}"
    await upgrade_async(url)
    engine = create_engine(url)
    yield url, create_sessionmaker(engine)
    await engine.dispose()


async def add_conversation(
    session: AsyncSession, user: str, age_days: float, status: str = "bot", channel: str = "telegram"
) -> Conversation:
    conversation = Conversation(
        channel=channel, user_id=user, state='{"slots": {"arrival": "2026-01-05"}}', status=status, language="ru",
        created_at=days_ago(age_days), updated_at=days_ago(age_days), last_inbound_at=days_ago(age_days),
    )
    session.add(conversation)
    await session.flush()
    return conversation


async def add_exchange(
    session: AsyncSession, conversation: Conversation, age_days: float, text: str,
    processed: bool = True, outbox_status: str = "sent",
) -> tuple[Message, Message]:
    inbound = Message(
        conversation_id=conversation.id, channel=conversation.channel, direction="in", author="user",
        platform_message_id=f"{conversation.user_id}-{text}", text=text, created_at=days_ago(age_days),
        processed_at=days_ago(age_days) if processed else None,
    )
    session.add(inbound)
    await session.flush()
    reply = Message(
        conversation_id=conversation.id, channel=conversation.channel, direction="out", author="bot",
        text=f"answer to {text}", in_reply_to=inbound.id, created_at=days_ago(age_days),
    )
    session.add(reply)
    await session.flush()
    session.add(OutboxEntry(conversation_id=conversation.id, message_id=reply.id, status=outbox_status,
                            created_at=days_ago(age_days), next_attempt_at=days_ago(age_days)))
    return inbound, reply


async def add_handoff(session: AsyncSession, conversation: Conversation, age_days: float, status: str) -> HandoffEntry:
    entry = HandoffEntry(
        conversation_id=conversation.id, status=status, reason="asked", language="ru", channel=conversation.channel,
        summary='{"last_messages": ["my passport AZE1234567"]}', queued_at=days_ago(age_days),
        created_at=days_ago(age_days), closed_at=days_ago(age_days) if status == "closed" else None,
    )
    session.add(entry)
    await session.flush()
    return entry


async def add_operator(session: AsyncSession) -> int:
    account = Account(username="op", display_name="Operator", password_hash="-", role="operator")
    session.add(account)
    await session.flush()
    return account.id


async def cli(argv: list[str]) -> int:
    """``migassist ...`` (it runs its own event loop, so in a thread)."""
    return await asyncio.to_thread(main, argv)


async def texts(sessions: async_sessionmaker[AsyncSession]) -> set[str]:
    async with sessions() as session:
        return set((await session.scalars(select(Message.text))).all())


@pytest.mark.asyncio
async def test_purge_applies_each_retention_period_and_spares_work_in_progress(
    database: tuple[str, async_sessionmaker[AsyncSession]],
) -> None:
    _, sessions = database
    async with sessions.begin() as session:
        idle = await add_conversation(session, "idle", age_days=400)
        await add_exchange(session, idle, 400, "idle-old")
        active = await add_conversation(session, "active", age_days=1)
        await add_exchange(session, active, 100, "active-old")
        await add_exchange(session, active, 100, "active-old-undelivered", outbox_status="pending")
        await add_exchange(session, active, 100, "active-old-unprocessed", processed=False, outbox_status="failed")
        await add_exchange(session, active, 40, "active-recent-delivery")
        await add_exchange(session, active, 1, "active-new")
        with_person = await add_conversation(session, "with-person", age_days=400, status="human")
        await add_exchange(session, with_person, 10, "with-person-msg")
        closed = await add_handoff(session, active, 400, "closed")
        session.add(SatisfactionRating(entry_id=closed.id, score=5, created_at=days_ago(400)))
        await add_handoff(session, with_person, 400, "assigned")
        operator = await add_operator(session)
        session.add(HandoffNote(conversation_id=active.id, author_id=operator, text="old note", created_at=days_ago(400)))

    dry = await purge(sessions, RETENTION, NOW, dry_run=True)
    report = await purge(sessions, RETENTION, NOW)
    again = await purge(sessions, RETENTION, NOW)

    assert dry == report
    assert report.conversations == 1 and report.handoff_records == 2
    assert again.conversations == again.messages == again.delivery_records == again.handoff_records == 0
    assert await texts(sessions) == {
        "answer to active-old-undelivered",  # not delivered yet (the question it answers went)
        "active-old-unprocessed",  # not answered yet (its old reply went)
        "active-recent-delivery", "answer to active-recent-delivery",
        "active-new", "answer to active-new",
        "with-person-msg", "answer to with-person-msg",
    }
    async with sessions() as session:
        users = set((await session.scalars(select(Conversation.user_id))).all())
        outbox = dict((await session.execute(select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status))).all())
        handoffs = set((await session.scalars(select(HandoffEntry.status))).all())
        notes = await session.scalar(select(func.count()).select_from(HandoffNote))
    assert users == {"active", "with-person"}
    assert outbox == {"pending": 1, "sent": 2}  # the 40-day-old delivery record went; 1 and 10 days stay
    assert handoffs == {"assigned"} and notes == 0


@pytest.mark.asyncio
async def test_user_data_export_and_delete_touch_only_that_user(
    database: tuple[str, async_sessionmaker[AsyncSession]], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    url, sessions = database
    async with sessions.begin() as session:
        alice = await add_conversation(session, "994501112233", age_days=2, channel="whatsapp")
        await add_exchange(session, alice, 2, "hello from alice")
        entry = await add_handoff(session, alice, 1, "closed")
        session.add(SatisfactionRating(entry_id=entry.id, score=4, created_at=days_ago(1)))
        operator = await add_operator(session)
        session.add(HandoffNote(conversation_id=alice.id, author_id=operator, text="called back", created_at=days_ago(1)))
        bob = await add_conversation(session, "994509998877", age_days=2, channel="whatsapp")
        await add_exchange(session, bob, 2, "hello from bob")
    monkeypatch.setenv("MIGASSIST_DATABASE_URL", url)
    monkeypatch.setenv("MIGASSIST_DATA_DIR", str(tmp_path))

    assert await cli(["user-data", "export", "--channel", "whatsapp", "--user", "994501112233"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [m["text"] for m in exported["messages"]] == ["hello from alice", "answer to hello from alice"]
    assert exported["messages"][1]["delivery"] == "sent"
    assert exported["handoffs"][0]["satisfaction"] == 4 and exported["staff_notes"][0]["text"] == "called back"
    assert exported["dialogue_state"]["slots"]["arrival"] == "2026-01-05"

    assert await cli(["user-data", "delete", "--channel", "whatsapp", "--user", "994501112233"]) == 0
    assert "would delete" in capsys.readouterr().out
    assert "hello from alice" in await texts(sessions)  # a dry run without --yes
    assert await cli(["user-data", "delete", "--channel", "whatsapp", "--user", "994501112233", "--yes"]) == 0
    assert capsys.readouterr().out.startswith("deleted: 1 conversation(s), 2 message(s), 1 handoff(s), 1 note(s)")
    assert await texts(sessions) == {"hello from bob", "answer to hello from bob"}
    assert await cli(["user-data", "export", "--channel", "whatsapp", "--user", "994501112233"]) == 1
