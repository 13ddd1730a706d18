"""Chats go back to the queue, with their priority, when the operator goes offline (explicitly or
by a silent console) or does not answer within ``answer_timeout_seconds``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.app import DESK, DISPATCHER, SESSIONS
from bot.handoff.sweeper import QueueSweeper
from bot.storage.base import utcnow
from bot.storage.handoff import HandoffEntry, OperatorPresence
from bot.storage.models import Conversation, Message
from tests.handoff.staff import StaffClient, add_account, go_online, rest_say
from tests.support import EchoDialogue

# The app's own sweeper waits an hour between rounds; the tests run rounds themselves.
QUIET = {"MIGASSIST_HANDOFF__SWEEP_INTERVAL_SECONDS": "3600", "MIGASSIST_HANDOFF__ANSWER_TIMEOUT_SECONDS": "30"}


async def _claimed_chat(server):  # type: ignore[no-untyped-def]
    operator = await add_account(server.app, "olga")
    await go_online(server.app, operator)
    await rest_say(server.url, "user-1", "human")
    client = StaffClient(server.url)
    await client.login("olga")
    board = await client.get("/console/api/board")
    entry_id = board["queue"][0]["id"]
    assert (await client.post(f"/console/api/chats/{entry_id}/claim"))[0] == 200
    return client, operator, entry_id


async def _sweep(server) -> int:  # type: ignore[no-untyped-def]
    return await QueueSweeper(server.app[SESSIONS], server.app[DESK].queue, server.app[DISPATCHER].kick).sweep()


async def _state(server, entry_id: int) -> tuple[str, int | None, str, int]:  # type: ignore[no-untyped-def]
    async with server.app[SESSIONS]() as session:
        entry = await session.get_one(HandoffEntry, entry_id)
        conversation = await session.get_one(Conversation, entry.conversation_id)
        return entry.status, entry.operator_id, conversation.status, entry.priority


async def _last_bot_text(server, entry_id: int) -> str:  # type: ignore[no-untyped-def]
    async with server.app[SESSIONS]() as session:
        entry = await session.get_one(HandoffEntry, entry_id)
        text = await session.scalar(
            select(Message.text).where(Message.conversation_id == entry.conversation_id).order_by(Message.id.desc()).limit(1)
        )
    return str(text)


@pytest.mark.asyncio
async def test_unanswered_claim_returns_to_the_queue_after_the_timeout(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(**QUIET), dialogue=EchoDialogue())
    client, _operator, entry_id = await _claimed_chat(server)
    try:
        assert await _sweep(server) == 0  # within the answer time
        async with server.app[SESSIONS].begin() as session:
            await session.execute(
                update(HandoffEntry).where(HandoffEntry.id == entry_id).values(assigned_at=utcnow() - timedelta(seconds=31))
            )
        assert await _sweep(server) == 1
        assert await _state(server, entry_id) == ("queued", None, "queued", 1)
        assert await _last_bot_text(server, entry_id) == "You are number 1 in the queue. Estimated wait: about 6 minutes."
        # An answered chat is not taken away however long it lasts.
        assert (await client.post(f"/console/api/chats/{entry_id}/claim"))[0] == 200
        assert (await client.post(f"/console/api/chats/{entry_id}/reply", {"text": "Hi"}))[0] == 200
        async with server.app[SESSIONS].begin() as session:
            await session.execute(
                update(HandoffEntry).where(HandoffEntry.id == entry_id).values(assigned_at=utcnow() - timedelta(hours=1))
            )
        assert await _sweep(server) == 0
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_operator_going_offline_gives_chats_back(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(**QUIET), dialogue=EchoDialogue())
    client, _operator, entry_id = await _claimed_chat(server)
    try:
        assert await client.post("/console/api/presence", {"status": "away"}) == (200, {"presence": "away"})
        assert await _sweep(server) == 0  # away keeps the chats already taken
        assert await client.post("/console/api/presence", {"status": "offline"}) == (200, {"presence": "offline"})
        assert await _sweep(server) == 1
        assert await _state(server, entry_id) == ("queued", None, "queued", 1)
        # Nobody is online now: the user is told so rather than given a position.
        assert "No operator who speaks your language is online" in await _last_bot_text(server, entry_id)
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_a_silent_console_counts_as_offline(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(**QUIET), dialogue=EchoDialogue())
    client, operator, entry_id = await _claimed_chat(server)
    try:
        async with server.app[SESSIONS].begin() as session:
            await session.execute(
                update(OperatorPresence)
                .where(OperatorPresence.account_id == operator.id)
                .values(last_seen_at=utcnow() - timedelta(minutes=5))
            )
        assert await _sweep(server) == 1
        async with server.app[SESSIONS]() as session:
            presence = await session.get_one(OperatorPresence, operator.id)
        assert presence.status == "offline"
        assert (await _state(server, entry_id))[0] == "queued"
        # The console is told the chat is no longer theirs.
        assert (await client.post(f"/console/api/chats/{entry_id}/reply", {"text": "late"})) == (409, {"error": "not_your_chat"})
    finally:
        await client.close()
