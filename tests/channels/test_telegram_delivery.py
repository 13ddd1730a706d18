"""Telegram through the real python-telegram-bot against the fake Bot API: webhook security,
deduplication, replies and keyboards, failures and recovery (with scripted dialogues)."""

from __future__ import annotations

import pytest

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
