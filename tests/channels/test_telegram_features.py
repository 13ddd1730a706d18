"""Telegram specifics: commands, the inline date picker, non-text messages, handoff, the CLI's
webhook and command registration, and polling — real python-telegram-bot, fake Bot API."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import SESSIONS
from bot.channels.telegram import TELEGRAM, webhook_url
from bot.commands.telegram import COMMANDS, set_webhook
from bot.storage.models import Conversation, Message
from flows.messages import Button, Reply
from tests.channels.conftest import TELEGRAM_WEBHOOK_SECRET, ChannelServerFactory
from tests.channels.support import ScriptedDialogue, count_rows, eventually, post_telegram
from tests.conftest import ConfigFactory
from tests.fakes import telegram_api
from tests.fakes.telegram_api import FakeTelegramApi, callback_data, callback_update, message_update, text_update
from tests.support import EchoDialogue


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("command", "payload"),
    [
        ("/start", "menu"),
        ("/menu", "menu"),
        ("/help", "menu"),
        ("/operator", "handoff"),
        ("/language", "intent:change_language"),
        ("/language ru", "lang:ru"),
        ("/menu@migassist_test_bot", "menu"),
    ],
)
async def test_commands_send_flow_payloads(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi, command: str, payload: str
) -> None:
    dialogue = ScriptedDialogue({}, default=(Reply("ok"),))
    server = await channel_server(dialogue)
    assert await post_telegram(server, text_update(1, command, language_code="ru-RU")) == 200
    await fake_telegram.wait_for("sendMessage", 1)
    assert dialogue.received[0].payload == payload
    assert dialogue.received[0].language_hint == "ru"


@pytest.mark.asyncio
async def test_date_question_shows_a_calendar_that_turns_months_and_sends_the_day(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    question = Reply("When did you arrive?", (Button("Cancel", "cancel"),), kind="date_picker")
    dialogue = ScriptedDialogue({"stay": (question,)}, default=(Reply("noted"),))
    server = await channel_server(dialogue)
    assert await post_telegram(server, text_update(1, "stay")) == 200
    shown = (await fake_telegram.wait_for("sendMessage", 1))[0]
    today = datetime.now(ZoneInfo("Asia/Baku")).date()
    data = callback_data(shown)
    assert f"date:{today.replace(day=1).isoformat()}" in data
    assert data[-1] == "cancel"  # the reply's own button stays under the calendar
    assert not any(d.startswith("date:") and not d.startswith(f"date:{today:%Y-%m}") for d in data)

    previous_arrow = shown["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert await post_telegram(server, callback_update(2, previous_arrow, shown)) == 200
    edited = (await fake_telegram.wait_for("editMessageReplyMarkup", 1))[0]
    earlier = date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)
    assert f"date:{earlier.isoformat()}" in callback_data(edited)
    assert callback_data(edited)[-1] == "cancel"
    assert await count_rows(server, Message, Message.direction == "in") == 1  # turning pages is not a message

    assert await post_telegram(server, callback_update(3, f"date:{earlier.isoformat()}", edited)) == 200
    await fake_telegram.wait_for("sendMessage", 2)
    assert dialogue.received[-1].payload == f"date:{earlier.isoformat()}"
    assert dialogue.received[-1].text == "1"  # the tapped day's label
    assert len(await fake_telegram.wait_for("answerCallbackQuery", 2)) == 2


@pytest.mark.asyncio
async def test_the_calendar_speaks_the_language_of_the_reply(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    question = Reply("Когда вы приехали?", kind="date_picker")
    server = await channel_server(ScriptedDialogue({"stay": (question,)}, language="ru"))
    assert await post_telegram(server, text_update(1, "stay")) == 200
    shown = (await fake_telegram.wait_for("sendMessage", 1))[0]
    header, weekdays = shown["reply_markup"]["inline_keyboard"][:2]
    today = datetime.now(ZoneInfo("Asia/Baku")).date()
    assert header[1]["text"] == f"{RUSSIAN_MONTHS[today.month - 1]} {today.year}"
    assert [button["text"] for button in weekdays][:2] == ["пн", "вт"]


RUSSIAN_MONTHS = (
    "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь",
)


@pytest.mark.asyncio
async def test_a_photo_gets_a_polite_reply_in_the_users_language(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    dialogue = ScriptedDialogue({}, default=(Reply("should not be used"),))
    server = await channel_server(dialogue)
    photo = {"photo": [{"file_id": "AgAD1", "file_unique_id": "u1", "width": 90, "height": 90}]}
    for _ in range(2):  # redelivered: answered once
        assert await post_telegram(server, message_update(1, photo, language_code="ru")) == 200
    reply = (await fake_telegram.wait_for("sendMessage", 1))[0]
    assert reply["text"].startswith("Извините, я понимаю только текстовые сообщения")
    assert "flow:stay" in callback_data(reply)  # the main menu, to carry on with a tap
    assert dialogue.received == []
    async with server.app[SESSIONS]() as session:
        stored = (await session.scalars(select(Message.text).where(Message.direction == "in"))).all()
    assert stored == ["[photo]"]
    await asyncio.sleep(0.3)
    assert len(fake_telegram.sent()) == 1


@pytest.mark.asyncio
async def test_a_flood_of_photos_is_rate_limited_like_text_politely_and_nothing_is_lost(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    server = await channel_server(
        ScriptedDialogue({}, default=(Reply("unused"),)),
        MIGASSIST_RATE_LIMITS__USER_MESSAGES="2", MIGASSIST_RATE_LIMITS__USER_PERIOD_SECONDS="3600",
    )
    for n in range(1, 6):
        photo = {"photo": [{"file_id": f"AgAD{n}", "file_unique_id": f"u{n}", "width": 90, "height": 90}]}
        assert await post_telegram(server, message_update(n, photo, language_code="en")) == 200
    await fake_telegram.wait_for("sendMessage", 3)
    await asyncio.sleep(0.3)  # time for any further (wrong) reply to arrive
    texts = [sent["text"] for sent in fake_telegram.sent()]
    assert len(texts) == 3  # two answers within the limit, then one "slow down", then silence
    assert all(t.startswith("Sorry, I can only read text messages") for t in texts[:2])
    assert "Please wait a minute" in texts[2]
    assert await count_rows(server, Message, Message.direction == "in", Message.processed_at.is_not(None)) == 5


@pytest.mark.asyncio
async def test_during_a_handoff_a_contact_reaches_the_operator_and_a_sticker_is_refused(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    server = await channel_server(EchoDialogue())
    assert await post_telegram(server, text_update(1, "human")) == 200

    async def queued() -> bool:
        async with server.app[SESSIONS]() as session:
            return await session.scalar(select(Conversation.status)) == "queued"

    await eventually(queued)
    contact = {"contact": {"phone_number": "+994501234567", "first_name": "Aysel", "last_name": "M", "user_id": 1}}
    assert await post_telegram(server, message_update(2, contact)) == 200

    async def relayed() -> bool:
        async with server.app[SESSIONS]() as session:
            row = await session.scalar(select(Message).where(Message.platform_message_id == "2"))
            return row is not None and row.processed_at is not None

    await eventually(relayed)
    async with server.app[SESSIONS]() as session:
        row = await session.scalar(select(Message).where(Message.platform_message_id == "2"))
        assert row is not None and row.text == "📇 Aysel M: +994501234567"

    sticker = {"sticker": {"file_id": "CAAD", "file_unique_id": "s1", "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}}
    assert await post_telegram(server, message_update(3, sticker)) == 200
    refusal = "The operator can only read text messages here. Please write your message in words."

    async def refused() -> bool:
        return any(m["text"] == refusal for m in fake_telegram.sent())

    await eventually(refused)


@pytest.mark.asyncio
async def test_set_webhook_registers_url_secret_and_commands_in_every_language(
    make_config: ConfigFactory, fake_telegram: FakeTelegramApi
) -> None:
    config = make_config(
        MIGASSIST_TELEGRAM__ENABLED="true",
        MIGASSIST_TELEGRAM__BASE_URL=fake_telegram.base_url,
        MIGASSIST_TELEGRAM_TOKEN=telegram_api.TOKEN,
        MIGASSIST_TELEGRAM_WEBHOOK_SECRET=TELEGRAM_WEBHOOK_SECRET,
        MIGASSIST_SERVER__PUBLIC_URL="https://migassist.example.az",
    )
    assert await set_webhook(config) == 0
    (registered,) = fake_telegram.sent("setWebhook")
    assert registered["url"] == webhook_url("https://migassist.example.az", TELEGRAM_WEBHOOK_SECRET)
    assert registered["secret_token"] == TELEGRAM_WEBHOOK_SECRET
    menus = {call.get("language_code"): call["commands"] for call in fake_telegram.sent("setMyCommands")}
    assert set(menus) == {"az", "ru", "en", None}
    assert [c["command"] for c in menus["ru"]] == [name for name, _ in COMMANDS]
    assert menus["ru"][2]["description"] == "Сменить язык"
    assert menus["az"][3]["description"] != menus["en"][3]["description"]


@pytest.mark.asyncio
async def test_polling_feeds_updates_through_the_same_pipeline(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    server = await channel_server(EchoDialogue())
    fake_telegram.updates = [text_update(41, "hello"), text_update(42, "again")]
    fake_telegram.fail("getUpdates", 502)  # a hiccup does not stop polling
    polling = asyncio.create_task(server.app[TELEGRAM].poll(timeout=1))
    try:
        sent = await fake_telegram.wait_for("sendMessage", 4)
    finally:
        polling.cancel()
    assert [m["text"] for m in sent] == ["echo: hello", "turn 1", "echo: again", "turn 2"]
    assert fake_telegram.sent("deleteWebhook")
    offsets = [call.get("offset") for call in fake_telegram.sent("getUpdates")]
    assert 43 in [int(o) for o in offsets if o is not None]
