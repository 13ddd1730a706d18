"""Telegram through the real python-telegram-bot against the fake Bot API: webhook security,
deduplication, replies and keyboards, failures and recovery (with scripted dialogues)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import SESSIONS
from bot.storage.models import Conversation, Message, OutboxEntry
from flows.messages import Button, Reply
from tests.channels.conftest import ChannelServerFactory
from tests.channels.support import ScriptedDialogue, count_rows, eventually, post_telegram
from tests.fakes.telegram_api import USER_ID, FakeTelegramApi, callback_data, callback_update, text_update
from tests.support import EchoDialogue


@pytest.mark.asyncio
async def test_text_is_stored_and_answered_with_an_inline_keyboard(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    server = await channel_server(EchoDialogue())
    assert await post_telegram(server, text_update(1, "hello")) == 200
    sent = await fake_telegram.wait_for("sendMessage", 2)
    assert [m["text"] for m in sent] == ["echo: hello", "turn 1"]
    assert all(int(m["chat_id"]) == USER_ID for m in sent)
    assert sent[0]["reply_markup"] == {"inline_keyboard": [[{"text": "Again", "callback_data": "again"}]]}
    assert "reply_markup" not in sent[1]


@pytest.mark.asyncio
async def test_forged_missing_or_misaddressed_updates_are_rejected_and_not_stored(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    server = await channel_server(EchoDialogue())
    assert await post_telegram(server, text_update(1, "hello"), secret=None) == 401
    assert await post_telegram(server, text_update(2, "hello"), secret="guessed-secret") == 403
    wrong_path = f"{server.url}/webhooks/telegram/0123456789abcdef0123456789abcdef"
    assert await post_telegram(server, text_update(3, "hello"), url=wrong_path) == 404
    assert await post_telegram(server, text_update(4, "hello"), url=f"{server.url}/webhooks/telegram/şəki") == 404
    assert await count_rows(server, Message) == 0
    assert await count_rows(server, Conversation) == 0
    assert fake_telegram.sent() == []


@pytest.mark.asyncio
async def test_a_redelivered_update_is_answered_once(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    server = await channel_server(EchoDialogue())
    for _ in range(3):  # Telegram retries when it did not see our 200 in time
        assert await post_telegram(server, text_update(7, "hello")) == 200
    await fake_telegram.wait_for("sendMessage", 2)
    assert await post_telegram(server, text_update(8, "again")) == 200
    sent = await fake_telegram.wait_for("sendMessage", 4)
    assert [m["text"] for m in sent] == ["echo: hello", "turn 1", "echo: again", "turn 2"]
    assert await count_rows(server, Message, Message.direction == "in") == 2


@pytest.mark.asyncio
async def test_outage_then_complete_in_order_delivery(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    server = await channel_server(EchoDialogue())
    fake_telegram.fail("sendMessage", 429, retry_after=1)  # flood control first, then down
    fake_telegram.outage = True
    for update_id, text in enumerate(["one", "two", "three"], start=1):
        assert await post_telegram(server, text_update(update_id, text)) == 200

    async def retried() -> bool:
        return await count_rows(server, OutboxEntry, OutboxEntry.attempts >= 3) >= 1

    await eventually(retried)
    assert fake_telegram.sent() == []
    fake_telegram.outage = False
    sent = await fake_telegram.wait_for("sendMessage", 6, timeout=15)
    assert [m["text"] for m in sent] == ["echo: one", "turn 1", "echo: two", "turn 2", "echo: three", "turn 3"]

    async def all_sent() -> bool:
        return await count_rows(server, OutboxEntry, OutboxEntry.status == "sent") == 6

    await eventually(all_sent)


@pytest.mark.asyncio
async def test_retry_after_is_respected(channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi) -> None:
    server = await channel_server(ScriptedDialogue({}, default=(Reply("answer"),)))
    fake_telegram.fail("sendMessage", 429, retry_after=1)
    assert await post_telegram(server, text_update(1, "hi")) == 200
    await fake_telegram.wait_for("sendMessage", 1)

    async def sent() -> bool:
        return await count_rows(server, OutboxEntry, OutboxEntry.status == "sent") == 1

    await eventually(sent)
    async with server.app[SESSIONS]() as session:
        entry = await session.scalar(select(OutboxEntry))
        assert entry is not None and entry.attempts == 2
        assert entry.delivered_at is not None and entry.delivered_at - entry.created_at >= timedelta(seconds=0.9)


@pytest.mark.asyncio
async def test_blocked_user_fails_permanently_without_retries(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    server = await channel_server(ScriptedDialogue({}, default=(Reply("answer"),)))
    fake_telegram.fail("sendMessage", 403)  # "Forbidden: bot was blocked by the user"
    assert await post_telegram(server, text_update(1, "hi")) == 200

    async def failed() -> bool:
        return await count_rows(server, OutboxEntry, OutboxEntry.status == "failed") == 1

    await eventually(failed)
    async with server.app[SESSIONS]() as session:
        entry = await session.scalar(select(OutboxEntry))
        assert entry is not None and entry.attempts == 1 and "Forbidden" in (entry.last_error or "")
    assert fake_telegram.sent() == []


@pytest.mark.asyncio
async def test_long_answer_is_split_at_sentences_with_the_keyboard_on_the_last_part(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    sentence = "Registration at the place of stay is free of charge & done by the host <not the guest>. "
    text = sentence * 100  # about 8,900 characters
    server = await channel_server(ScriptedDialogue({}, default=(Reply(text, (Button("Main menu", "menu"),)),)))
    assert await post_telegram(server, text_update(1, "long")) == 200
    sent = await fake_telegram.wait_for("sendMessage", 3)
    assert all(len(m["text"]) <= 4096 and m["text"].endswith(".") for m in sent)
    assert " ".join(m["text"] for m in sent) == text.strip()  # plain text: nothing escaped or lost
    assert ["reply_markup" in m for m in sent] == [False, False, True]
    assert "parse_mode" not in sent[0]


@pytest.mark.asyncio
async def test_a_long_answer_failing_halfway_is_resumed_not_resent(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    sentence = "Registration at the place of stay is free of charge & done by the host. "
    text = sentence * 140  # about 10,200 characters: three messages
    server = await channel_server(ScriptedDialogue({}, default=(Reply(text, (Button("Main menu", "menu"),)),)))
    fake_telegram.fail("sendMessage", 502, after=1)  # the second part fails once
    assert await post_telegram(server, text_update(1, "long")) == 200
    sent = await fake_telegram.wait_for("sendMessage", 3, timeout=15)
    await asyncio.sleep(0.3)  # a resend of the first part would arrive now
    assert len(fake_telegram.sent()) == 3
    assert " ".join(m["text"] for m in sent) == text.strip()
    assert ["reply_markup" in m for m in sent] == [False, False, True]


@pytest.mark.asyncio
async def test_a_long_payload_travels_as_a_token_and_comes_back_whole(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    long_payload = "article:" + "registration-at-the-place-of-stay-for-foreigners-and-stateless-persons"
    dialogue = ScriptedDialogue(
        {"hi": (Reply("Pick one", (Button("Registration", long_payload), Button("Menu", "menu"))),)},
        default=(Reply("ok"),),
    )
    server = await channel_server(dialogue)
    assert await post_telegram(server, text_update(1, "hi")) == 200
    shown = (await fake_telegram.wait_for("sendMessage", 1))[0]
    token, menu = callback_data(shown)
    assert menu == "menu" and len(token.encode()) <= 64 and token != long_payload
    assert await post_telegram(server, callback_update(2, token, shown)) == 200
    await fake_telegram.wait_for("sendMessage", 2)
    assert dialogue.received[-1].payload == long_payload
    assert dialogue.received[-1].text == "Registration"
    answered = await fake_telegram.wait_for("answerCallbackQuery", 1)
    assert answered[0]["callback_query_id"] == "cbq-2"
