"""Authenticated but malformed input: Telegram answers 400, WhatsApp acknowledges with 200 (Meta
would redeliver anything else for days), polling steps over it — never a 500, nothing stored."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.telegram import TELEGRAM, parse_update
from bot.channels.telegram_updates import read_update
from bot.channels.whatsapp import TextReceived, parse_webhook
from bot.storage.models import Conversation, Message
from bot.storage.receipts import DeliveryReceipt
from tests.channels.conftest import ChannelServerFactory
from tests.channels.support import count_rows, post_telegram, post_whatsapp
from tests.fakes.graph_api import (
    FakeGraphApi,
    signed,
    signed_body,
    status_webhook,
    text_webhook,
)
from tests.fakes.telegram_api import (
    FakeTelegramApi,
    callback_update,
    message_update,
    text_update,
)
from tests.support import EchoDialogue

WA_USER = "994501234567"


def shown_keyboard() -> dict[str, Any]:
    return {"text": "Pick one", "reply_markup": {"inline_keyboard": [[{"text": "Fees", "callback_data": "menu:fees"}]]}}


MALFORMED_TELEGRAM_UPDATES = [
    {"update_id": 1, "callback_query": False},
    {"update_id": 2, "message": []},
    message_update(3, {"text": 5}),  # python-telegram-bot would keep the 5; parse_update would break on it
    message_update(4, {"text": "hi", "date": 2**40}),  # a date past year 9999
    {**text_update(5, "hi"), "update_id": "5"},
    {"update_id": 6, "message": {**text_update(6, "hi")["message"], "from": {"id": 1, "language_code": ["en"]}}},
    [text_update(7, "hi")],
]


@pytest.mark.asyncio
async def test_telegram_webhook_answers_400_to_malformed_updates_and_stores_nothing(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    server = await channel_server(EchoDialogue())
    for update in MALFORMED_TELEGRAM_UPDATES:
        assert await post_telegram(server, update) == 400, update
    assert await count_rows(server, Message) == 0 and await count_rows(server, Conversation) == 0
    assert await post_telegram(server, text_update(8, "hello")) == 200  # the webhook still works
    assert await count_rows(server, Message, Message.direction == "in") == 1


@pytest.mark.asyncio
async def test_polling_skips_a_malformed_update_and_handles_the_next(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    server = await channel_server(EchoDialogue())
    fake_telegram.updates = [{"update_id": 41, "callback_query": False}, text_update(42, "hello")]
    polling = asyncio.create_task(server.app[TELEGRAM].poll(timeout=1))
    try:
        sent = await fake_telegram.wait_for("sendMessage", 2)
        assert not polling.done()  # the malformed update did not end the loop
    finally:
        polling.cancel()
    assert [m["text"] for m in sent] == ["echo: hello", "turn 1"]
    assert await count_rows(server, Message, Message.direction == "in") == 1
    offsets = [int(call["offset"]) for call in fake_telegram.sent("getUpdates") if "offset" in call]
    assert 43 in offsets


MALFORMED_WHATSAPP_NOTIFICATIONS: list[Any] = [
    {"entry": True},
    {"entry": [{"changes": [None]}]},
    {"entry": "entries"},
    {"entry": [{"changes": [{"value": {"messages": {"from": WA_USER}, "statuses": [7]}}]}]},
    {"entry": [{"changes": [{"value": {"messages": [{"from": [WA_USER], "id": "wamid.A", "type": "text"}]}}]}]},
    {"entry": [{"changes": [{"value": {"messages": [{"from": "9" * 200, "id": "wamid.B", "type": "text"}]}}]}]},
    {"entry": [{"changes": [{"value": {"statuses": [{"id": "wamid.C", "status": ["read"]}]}}]}]},
    [],
    None,
]


@pytest.mark.asyncio
async def test_whatsapp_webhook_acknowledges_malformed_notifications_and_stores_nothing(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:
    server = await channel_server(EchoDialogue())
    for notification in MALFORMED_WHATSAPP_NOTIFICATIONS:
        assert await post_whatsapp(server, *signed(notification)) == 200, notification
    for body in (b"{not json", b"[" * 100_000):  # not JSON at all: not a notification
        assert await post_whatsapp(server, *signed_body(body)) == 400
    for model in (Message, Conversation, DeliveryReceipt):
        assert await count_rows(server, model) == 0
    assert fake_graph.messages == []


@pytest.mark.asyncio
async def test_whatsapp_reads_the_good_parts_of_a_partly_malformed_notification(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:
    server = await channel_server(EchoDialogue())
    good = text_webhook(WA_USER, "wamid.GOOD", "hello")
    notification = {"entry": [None, {"changes": "none"}, *good["entry"]]}
    assert await post_whatsapp(server, *signed(notification)) == 200
    assert await count_rows(server, Message, Message.direction == "in") == 1
    assert texts_sent(await fake_graph.wait_for(2)) == ["echo: hello", "turn 1"]


def texts_sent(messages: list[dict[str, Any]]) -> list[str]:
    return [m["interactive"]["body"]["text"] if m["type"] == "interactive" else m["text"]["body"] for m in messages]


# --- the parsers themselves: documentation-shaped payloads with one part replaced by any JSON ---

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key / index path into a JSON value."""
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [prefix] + [path for key, child in children for path in paths(child, (*prefix, key))]


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, new)}
    return [replaced(item, rest, new) if index == head else item for index, item in enumerate(value)]


@st.composite
def mutated(draw: st.DrawFn, originals: list[Any]) -> Any:
    original = draw(st.sampled_from(originals))
    return replaced(original, draw(st.sampled_from(paths(original))), draw(json_values))


TELEGRAM_ORIGINALS = [
    text_update(1, "hello"),
    callback_update(2, "menu:fees", shown_keyboard()),
    message_update(3, {"contact": {"phone_number": "+994501234567", "first_name": "Aysel", "last_name": "M"}}),
    message_update(4, {"document": {"file_id": "d", "file_unique_id": "u", "file_name": "a.pdf", "mime_type": "application/pdf"}, "caption": "my visa"}),
]
WHATSAPP_ORIGINALS = [
    text_webhook(WA_USER, "wamid.1", "hello"),
    status_webhook("wamid.2", "failed", WA_USER, error_code=131047),
]
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(mutated(TELEGRAM_ORIGINALS))
def test_a_telegram_update_is_read_and_understood_or_refused(data: Any) -> None:
    update = read_update(data, None)
    if update is not None:
        parse_update(update)


def test_well_formed_telegram_updates_are_read() -> None:
    for original in TELEGRAM_ORIGINALS:
        update = read_update(original, None)
        assert update is not None and parse_update(update) is not None


@FUZZ
@given(mutated(WHATSAPP_ORIGINALS))
def test_a_whatsapp_notification_is_read_as_far_as_it_makes_sense(data: Any) -> None:
    for event in parse_webhook(data):
        assert event is not None


def test_a_well_formed_whatsapp_text_is_read() -> None:
    [event] = parse_webhook(WHATSAPP_ORIGINALS[0])
    assert isinstance(event, TextReceived) and event.message.text == "hello" and event.message.key.user_id == WA_USER
