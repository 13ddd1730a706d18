"""The real flows (NLU, dialogue engine, knowledge base) on both messaging channels: a greeting
and the menu, a registration-deadline question answered in one message, and button presses."""

from __future__ import annotations

from typing import Any

import pytest

from tests.channels.conftest import ChannelServerFactory
from tests.channels.support import post_telegram, post_whatsapp
from tests.fakes.graph_api import FakeGraphApi, list_reply_webhook, signed, text_webhook
from tests.fakes.telegram_api import FakeTelegramApi, callback_data, callback_update, text_update

REGISTRATION_QUESTION = {
    "en": "I entered visa-free on 1 March 2026, I'm from Georgia. Until when must I register?",
    "ru": "Я въехал без визы 1 марта 2026, я из Грузии. До какого числа нужно зарегистрироваться?",
}


def whatsapp_text(message: dict[str, Any]) -> str:
    return str(message["interactive"]["body"]["text"] if message["type"] == "interactive" else message["text"]["body"])


@pytest.mark.asyncio
async def test_telegram_menu_button_and_registration_deadline(
    channel_server: ChannelServerFactory, fake_telegram: FakeTelegramApi
) -> None:
    server = await channel_server()
    assert await post_telegram(server, text_update(1, "/start", language_code="en")) == 200
    menu = (await fake_telegram.wait_for("sendMessage", 1))[-1]
    assert {"flow:stay", "handoff"} <= set(callback_data(menu))
    assert menu["text"] == "What would you like to know? Pick a topic or type your question."

    assert await post_telegram(server, callback_update(2, "flow:stay", menu)) == 200
    question = (await fake_telegram.wait_for("sendMessage", 2))[-1]
    assert question["text"].startswith("On what date did you arrive in Azerbaijan?")
    assert sum(d.startswith("date:") for d in callback_data(question)) >= 28  # the calendar
    assert await fake_telegram.wait_for("answerCallbackQuery", 1)

    count = len(fake_telegram.sent())
    assert await post_telegram(server, text_update(3, REGISTRATION_QUESTION["en"])) == 200
    await fake_telegram.wait_for("sendMessage", count + 1)
    answer = " ".join(m["text"] for m in fake_telegram.sent()[count:])
    assert "16 March 2026" in answer


@pytest.mark.asyncio
async def test_whatsapp_greeting_list_choice_and_registration_deadline_in_russian(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:
    server = await channel_server()
    user = "994551112233"
    assert await post_whatsapp(server, *signed(text_webhook(user, "wamid.G", "Hello"))) == 200
    sent = await fake_graph.wait_for(2)
    assert whatsapp_text(sent[0]).startswith("Hello!")
    menu = sent[-1]
    assert menu["interactive"]["type"] == "list"
    rows = menu["interactive"]["action"]["sections"][0]["rows"]
    assert "flow:work_permit_fee" in [row["id"] for row in rows]
    assert all(len(row["title"]) <= 24 for row in rows)

    assert await post_whatsapp(server, *signed(list_reply_webhook(user, "wamid.L", "flow:work_permit_fee", "3. Work permit fees"))) == 200
    fee_question = (await fake_graph.wait_for(3))[-1]
    assert whatsapp_text(fee_question).startswith("For how long is the permit?")
    options = [row["id"] for row in fee_question["interactive"]["action"]["sections"][0]["rows"]]
    assert "cancel" in options
    assert await post_whatsapp(server, *signed(list_reply_webhook(user, "wamid.X", "cancel", "Cancel"))) == 200
    cancelled = (await fake_graph.wait_for(4))[-1]
    assert whatsapp_text(cancelled) == "Cancelled. What would you like to know?"

    count = len(fake_graph.messages)
    assert await post_whatsapp(server, *signed(text_webhook(user, "wamid.R", REGISTRATION_QUESTION["ru"]))) == 200
    await fake_graph.wait_for(count + 1)
    answer = " ".join(whatsapp_text(m) for m in fake_graph.messages[count:])
    assert "16 марта 2026" in answer
