"""The user's side of a handoff over the REST channel: position and wait, nobody online,
working hours, cancelling, a silent bot while an operator owns the chat, and the rating."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.app import DESK, SENDERS, SESSIONS
from bot.storage.handoff import HandoffEntry, SatisfactionRating
from bot.storage.models import Conversation
from flows.dialogue import HandoffRequest
from tests.handoff.staff import StaffClient, add_account, go_online, rest_say
from tests.support import EchoDialogue, RecordingSender


async def _entries(app) -> list[HandoffEntry]:  # type: ignore[no-untyped-def]
    async with app[SESSIONS]() as session:
        return list((await session.scalars(select(HandoffEntry).order_by(HandoffEntry.id))).all())


async def _wait_for(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.mark.asyncio
async def test_position_wait_and_update_when_the_queue_moves(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(), dialogue=EchoDialogue())
    pushed = RecordingSender()
    server.app[SENDERS]["rest"] = pushed
    operator = await add_account(server.app, "olga")
    await go_online(server.app, operator)

    first = await rest_say(server.url, "user-1", "human")
    second = await rest_say(server.url, "user-2", "human")

    assert first[0]["text"] == "connecting"
    assert "You are number 1 in the queue." in first[1]["text"] and "about 6 minutes" in first[1]["text"]
    assert first[1]["buttons"] == [{"title": "Back to the assistant", "payload": "handoff:cancel"}]
    assert "You are number 2 in the queue." in second[1]["text"] and "about 12 minutes" in second[1]["text"]

    client = StaffClient(server.url)
    try:
        assert await client.login("olga") == 303
        board = await client.get("/console/api/board")
        assert [card["conversation_id"] for card in board["queue"]] == [e.conversation_id for e in await _entries(server.app)]
        await asyncio.sleep(0.1)  # would be enough for the outbox to push anything it had
        assert pushed.sent == []  # the answers above travelled in the HTTP responses
        status, _ = await client.post(f"/console/api/chats/{board['queue'][0]['id']}/claim")
        assert status == 200
    finally:
        await client.close()

    await _wait_for(lambda: len(pushed.sent) == 2)
    assert sorted(pushed.sent) == [
        ("user-1", "An operator has joined the chat."),
        ("user-2", "Update: you are now number 1 in the queue. Estimated wait: about 6 minutes."),
    ]


@pytest.mark.asyncio
async def test_an_emergency_goes_ahead_of_earlier_chats(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(), dialogue=EchoDialogue())
    await go_online(server.app, await add_account(server.app, "olga"))
    await rest_say(server.url, "calm-user", "human")
    async with server.app[SESSIONS].begin() as session:
        conversation = Conversation(channel="rest", user_id="urgent", state="{}", status="bot", language="en")
        session.add(conversation)
        await session.flush()
        replies = await server.app[DESK].queue.enqueue(
            session, conversation, HandoffRequest("emergency", 100, {"intents": []})
        )
    assert "You are number 1 in the queue." in replies[0].text
    entries = await _entries(server.app)
    assert [e.reason for e in entries] == ["asked", "emergency"]


@pytest.mark.asyncio
async def test_nobody_online_is_said_honestly_and_a_message_can_be_left(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(), dialogue=EchoDialogue())
    await add_account(server.app, "olga")  # exists, but offline

    replies = await rest_say(server.url, "user-1", "human")
    assert "No operator who speaks your language is online right now." in replies[1]["text"]
    assert "phone number" in replies[1]["text"]
    saved = await rest_say(server.url, "user-1", "please call me on +994 50 123 45 67")
    assert [r["text"] for r in saved] == ["Thank you, your message is saved for the operator."]
    assert await rest_say(server.url, "user-1", "any news?") == []  # acknowledged once, then silent
    (entry,) = await _entries(server.app)
    assert entry.status == "queued" and entry.left_message


@pytest.mark.asyncio
async def test_outside_working_hours_the_user_is_told_the_centre_is_closed(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    # Open only 00:00-00:01 on every day: practically always closed, yet a valid configuration.
    hours = {f"MIGASSIST_HANDOFF__WORKING_HOURS__{day}": "00:00-00:01" for day in ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")}
    server = await live_server(handoff_config(**hours), dialogue=EchoDialogue())
    await go_online(server.app, await add_account(server.app, "olga"))
    replies = await rest_say(server.url, "user-1", "human")
    assert "The call centre is closed at the moment." in replies[1]["text"]


@pytest.mark.asyncio
async def test_cancel_returns_the_user_to_the_bot(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(), dialogue=EchoDialogue())
    await go_online(server.app, await add_account(server.app, "olga"))
    await rest_say(server.url, "user-1", "human")
    back = await rest_say(server.url, "user-1", "handoff:cancel")
    assert [r["text"] for r in back] == ["You are back with the assistant. How can I help?"]
    (entry,) = await _entries(server.app)
    assert entry.status == "cancelled"
    assert (await rest_say(server.url, "user-1", "hello"))[0]["text"] == "echo: hello"


async def _operator_took_over(server) -> tuple[StaffClient, HandoffEntry]:  # type: ignore[no-untyped-def]
    """user-1 asked for a person and operator olga (online, signed in) claimed the chat."""
    await go_online(server.app, await add_account(server.app, "olga"))
    await rest_say(server.url, "user-1", "human")
    client = StaffClient(server.url)
    await client.login("olga")
    (entry,) = await _entries(server.app)
    assert (await client.post(f"/console/api/chats/{entry.id}/claim"))[0] == 200
    return client, entry


@pytest.mark.asyncio
async def test_bot_is_silent_while_an_operator_owns_the_chat_then_rating(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(), dialogue=EchoDialogue())
    client, entry = await _operator_took_over(server)
    try:
        assert await rest_say(server.url, "user-1", "are you there?") == []
        chat = await client.get(f"/console/api/chats/{entry.id}")
        assert [line["author"] for line in chat["transcript"]][:2] == ["user", "bot"]  # the bot's part is shown
        assert chat["transcript"][-1]["text"] == "are you there?"
        assert (await client.post(f"/console/api/chats/{entry.id}/reply", {"text": "Hello, I am Olga."}))[0] == 200
        assert (await client.post(f"/console/api/chats/{entry.id}/close", {"wrap_up": "answered"}))[0] == 200
    finally:
        await client.close()
    thanks = await rest_say(server.url, "user-1", "rating:4")
    assert [r["text"] for r in thanks] == ["Thank you for your rating!"]
    async with server.app[SESSIONS]() as session:
        assert (await session.scalars(select(SatisfactionRating.score))).all() == [4]
        conversation = await session.scalar(select(Conversation).where(Conversation.user_id == "user-1"))
        assert conversation is not None and conversation.status == "bot"
    assert (await rest_say(server.url, "user-1", "hi"))[0]["text"] == "echo: hi"


@pytest.mark.asyncio
async def test_a_question_instead_of_the_rating_is_answered_by_the_bot(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(), dialogue=EchoDialogue())
    client, entry = await _operator_took_over(server)
    try:
        assert (await client.post(f"/console/api/chats/{entry.id}/close", {"wrap_up": "answered"}))[0] == 200
    finally:
        await client.close()
    answer = await rest_say(server.url, "user-1", "one more question")
    assert answer[0]["text"] == "echo: one more question"
    async with server.app[SESSIONS]() as session:
        assert (await session.scalars(select(SatisfactionRating.score))).all() == []
