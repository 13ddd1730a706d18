"""WhatsApp Cloud API: webhook verification and signatures, interactive replies, statuses,
the 24-hour window, outages — real HTTP against the fake Graph API, scripted dialogues."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import select, update

from bot.app import SESSIONS
from bot.storage.base import utcnow
from bot.storage.models import Conversation, Message, OutboxEntry
from bot.storage.receipts import DeliveryReceipt
from flows.messages import Button, Reply
from tests.channels.conftest import ChannelServerFactory
from tests.channels.support import ScriptedDialogue, count_rows, eventually, post_whatsapp
from tests.fakes import graph_api
from tests.fakes.graph_api import (
    FakeGraphApi,
    button_reply_webhook,
    contacts_webhook,
    image_webhook,
    list_reply_webhook,
    signed,
    status_webhook,
    text_webhook,
)
from tests.support import EchoDialogue

USER = "994501234567"


def texts(messages: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [m["text"]["body"] for m in messages]


@pytest.mark.asyncio
async def test_subscription_check_echoes_the_challenge_only_for_our_token(channel_server: ChannelServerFactory) -> None:
    server = await channel_server(EchoDialogue())
    async with aiohttp.ClientSession() as http:
        good = {"hub.mode": "subscribe", "hub.verify_token": graph_api.VERIFY_TOKEN, "hub.challenge": "1158201444"}
        async with http.get(f"{server.url}/webhooks/whatsapp", params=good) as response:
            assert response.status == 200 and await response.text() == "1158201444"
        async with http.get(f"{server.url}/webhooks/whatsapp", params={**good, "hub.verify_token": "nope"}) as response:
            assert response.status == 403


@pytest.mark.asyncio
async def test_forged_or_unsigned_posts_are_rejected_and_nothing_is_stored(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:
    server = await channel_server(EchoDialogue())
    body, headers = signed(text_webhook(USER, "wamid.IN1", "hello"))
    assert await post_whatsapp(server, body, {"Content-Type": "application/json"}) == 401
    _, forged = signed(text_webhook(USER, "wamid.IN1", "hello"), secret="someone-elses-secret")
    assert await post_whatsapp(server, body, forged) == 403
    tampered = body.replace(b"hello", b"HELLO")
    assert await post_whatsapp(server, tampered, headers) == 403
    assert await count_rows(server, Message) == 0 and await count_rows(server, Conversation) == 0
    await asyncio.sleep(0.2)
    assert fake_graph.messages == []


@pytest.mark.asyncio
async def test_text_is_answered_and_a_redelivery_is_answered_once(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:
    server = await channel_server(EchoDialogue())
    for _ in range(2):
        assert await post_whatsapp(server, *signed(text_webhook(USER, "wamid.IN1", "hello"))) == 200
    sent = await fake_graph.wait_for(2)
    assert sent[0]["to"] == USER and sent[0]["messaging_product"] == "whatsapp"
    assert sent[0]["type"] == "interactive" and sent[0]["interactive"]["type"] == "button"
    assert sent[0]["interactive"]["body"]["text"] == "echo: hello"
    assert sent[0]["interactive"]["action"]["buttons"] == [{"type": "reply", "reply": {"id": "again", "title": "Again"}}]
    assert sent[1] == {**sent[1], "type": "text", "text": {"body": "turn 1", "preview_url": False}}
    await asyncio.sleep(0.3)
    assert len(fake_graph.messages) == 2
    assert await count_rows(server, Message, Message.direction == "in") == 1


@pytest.mark.asyncio
async def test_button_and_list_replies_send_their_payloads(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:
    dialogue = ScriptedDialogue({}, default=(Reply("ok"),))
    server = await channel_server(dialogue)
    assert await post_whatsapp(server, *signed(button_reply_webhook(USER, "wamid.B1", "rate:up", "👍"))) == 200
    assert await post_whatsapp(server, *signed(list_reply_webhook(USER, "wamid.L1", "intent:visa", "Visas and e-visa"))) == 200
    await fake_graph.wait_for(2)
    assert [(m.payload, m.text) for m in dialogue.received] == [("rate:up", "👍"), ("intent:visa", "Visas and e-visa")]


@pytest.mark.asyncio
async def test_options_become_buttons_a_list_or_numbered_text_and_a_typed_number_picks_one(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:
    menu = tuple(Button(f"{n}. Topic number {n} with a longer title", f"topic:{n}") for n in range(1, 8))
    many = tuple(Button(f"Option {n}", f"option:{n}") for n in range(1, 13))
    dialogue = ScriptedDialogue({"menu": (Reply("Pick a topic", menu),), "many": (Reply("Pick one", many),)}, default=(Reply("ok"),))
    server = await channel_server(dialogue)
    assert await post_whatsapp(server, *signed(text_webhook(USER, "wamid.1", "menu"))) == 200
    (listed,) = await fake_graph.wait_for(1)
    assert listed["interactive"]["type"] == "list"
    rows = listed["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [f"topic:{n}" for n in range(1, 8)]
    assert all(len(r["title"]) <= 24 for r in rows) and rows[0]["description"] == menu[0].title
    assert len(listed["interactive"]["action"]["button"]) <= 20

    assert await post_whatsapp(server, *signed(text_webhook(USER, "wamid.2", "many"))) == 200
    numbered = (await fake_graph.wait_for(2))[1]
    body = numbered["text"]["body"]
    assert body.startswith("Pick one\n\n1. Option 1\n2. Option 2") and body.endswith("Reply with a number from 1 to 12.")
    assert "option:" not in body  # payloads are never shown

    assert await post_whatsapp(server, *signed(text_webhook(USER, "wamid.3", "2"))) == 200
    await fake_graph.wait_for(3)
    assert (dialogue.received[-1].payload, dialogue.received[-1].text) == ("option:2", "Option 2")


@pytest.mark.asyncio
async def test_statuses_are_stored_once_and_a_failed_one_marks_the_reply_failed(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:
    server = await channel_server(ScriptedDialogue({}, default=(Reply("answer"),)))
    assert await post_whatsapp(server, *signed(text_webhook(USER, "wamid.IN1", "hi"))) == 200
    (sent,) = await fake_graph.wait_for(1)
    wamid = sent["_wamid"]

    async def sent_recorded() -> bool:
        return await count_rows(server, OutboxEntry, OutboxEntry.platform_message_id == wamid) == 1

    await eventually(sent_recorded)
    for status in ("sent", "delivered", "delivered", "read"):
        assert await post_whatsapp(server, *signed(status_webhook(wamid, status, USER))) == 200
    assert await post_whatsapp(server, *signed(status_webhook(wamid, "failed", USER, error_code=131047))) == 200
    async with server.app[SESSIONS]() as session:
        statuses = (await session.scalars(select(DeliveryReceipt.status).order_by(DeliveryReceipt.id))).all()
        entry = await session.scalar(select(OutboxEntry).where(OutboxEntry.platform_message_id == wamid))
    assert statuses == ["sent", "delivered", "read", "failed"]
    assert entry is not None and entry.status == "failed" and "131047" in (entry.last_error or "")


@pytest.mark.asyncio
async def test_outage_then_complete_in_order_delivery(channel_server: ChannelServerFactory, fake_graph: FakeGraphApi) -> None:
    server = await channel_server(EchoDialogue())
    fake_graph.fail(429, retry_after=1, code=130429)
    fake_graph.outage = True
    for n, text in enumerate(["one", "two", "three"], start=1):
        assert await post_whatsapp(server, *signed(text_webhook(USER, f"wamid.IN{n}", text))) == 200

    async def retried() -> bool:
        return fake_graph.rejected >= 3

    await eventually(retried)
    assert fake_graph.messages == []
    fake_graph.outage = False
    sent = await fake_graph.wait_for(6, timeout=15)
    bodies = [m["interactive"]["body"]["text"] if m["type"] == "interactive" else m["text"]["body"] for m in sent]
    assert bodies == ["echo: one", "turn 1", "echo: two", "turn 2", "echo: three", "turn 3"]


@pytest.mark.asyncio
async def test_a_long_reply_failing_halfway_is_resumed_not_resent(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:
    sentences = [f"Sentence number {n} of a long answer about registration." for n in range(140)]
    long_answer = " ".join(sentences)  # over WhatsApp's 4096 characters: two messages
    server = await channel_server(ScriptedDialogue({}, default=(Reply(long_answer),)))
    fake_graph.fail(500, code=2, after=1)  # the first part goes out, the second fails once
    assert await post_whatsapp(server, *signed(text_webhook(USER, "wamid.IN1", "tell me everything"))) == 200

    sent = await fake_graph.wait_for(2, timeout=15)
    assert fake_graph.rejected == 1
    await asyncio.sleep(0.3)  # a resend of the first part would arrive now
    assert len(fake_graph.messages) == 2
    assert " ".join(texts(sent)) == long_answer

    async def delivered() -> bool:
        return await count_rows(server, OutboxEntry, OutboxEntry.status == "sent") == 1

    await eventually(delivered)
    async with server.app[SESSIONS]() as session:
        entry = await session.scalar(select(OutboxEntry))
    assert entry is not None and (entry.attempts, entry.parts_sent) == (2, 1)


@pytest.mark.asyncio
async def test_rejected_message_fails_permanently_without_retries(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:
    server = await channel_server(ScriptedDialogue({}, default=(Reply("answer"),)))
    fake_graph.fail(400, code=131026)  # "message undeliverable"
    assert await post_whatsapp(server, *signed(text_webhook(USER, "wamid.IN1", "hi"))) == 200

    async def failed() -> bool:
        return await count_rows(server, OutboxEntry, OutboxEntry.status == "failed") == 1

    await eventually(failed)
    await asyncio.sleep(0.3)
    assert fake_graph.rejected == 1 and fake_graph.messages == []


async def _close_window(server: object) -> None:
    async with server.app[SESSIONS].begin() as session:  # type: ignore[attr-defined]
        await session.execute(update(Conversation).values(last_inbound_at=utcnow() - timedelta(hours=25)))


async def _operators_late_answer(server: object, text: str) -> None:
    """An operator's answer queued the way the console queues it, then delivered by the outbox."""
    from bot.app import DESK, DISPATCHER

    app = server.app  # type: ignore[attr-defined]
    async with app[SESSIONS].begin() as session:
        conversation = await session.scalar(select(Conversation))
        await app[DESK].queue.tell(session, conversation, (Reply(text),), author="operator")
    app[DISPATCHER].kick()


@pytest.mark.asyncio
async def test_outside_the_24_hour_window_without_a_template_the_reply_fails_with_the_reason(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:

    server = await channel_server(ScriptedDialogue({}, default=(Reply("answer"),)))
    assert await post_whatsapp(server, *signed(text_webhook(USER, "wamid.IN1", "hi"))) == 200
    await fake_graph.wait_for(1)
    await _close_window(server)
    await _operators_late_answer(server, "An operator's late answer")

    async def failed_with_the_reason() -> bool:
        async with server.app[SESSIONS]() as session:
            error = await session.scalar(select(OutboxEntry.last_error).where(OutboxEntry.status == "failed"))
        return error is not None and "24-hour customer-service window" in error

    await eventually(failed_with_the_reason)
    assert len(fake_graph.messages) == 1


@pytest.mark.asyncio
async def test_outside_the_24_hour_window_the_configured_template_is_sent(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:

    server = await channel_server(
        ScriptedDialogue({}, default=(Reply("answer"),)),
        MIGASSIST_WHATSAPP__TEMPLATE_NAME="operator_reply",
        MIGASSIST_WHATSAPP__TEMPLATE_HAS_TEXT_PARAMETER="true",
    )
    assert await post_whatsapp(server, *signed(text_webhook(USER, "wamid.IN1", "hi"))) == 200
    await fake_graph.wait_for(1)
    await _close_window(server)
    await _operators_late_answer(server, "Your documents are ready.")
    _, template = await fake_graph.wait_for(2)
    assert template["type"] == "template"
    assert template["template"]["name"] == "operator_reply" and template["template"]["language"] == {"code": "en"}
    assert template["template"]["components"][0]["parameters"] == [{"type": "text", "text": "Your documents are ready."}]


@pytest.mark.asyncio
async def test_an_image_gets_a_polite_reply_and_a_contact_in_a_handoff_reaches_the_operator(
    channel_server: ChannelServerFactory, fake_graph: FakeGraphApi
) -> None:
    server = await channel_server(EchoDialogue())
    assert await post_whatsapp(server, *signed(image_webhook(USER, "wamid.IMG"))) == 200
    (polite,) = await fake_graph.wait_for(1)
    assert polite["interactive"]["body"]["text"].startswith("Bağışlayın")  # no language known yet: Azerbaijani
    assert await post_whatsapp(server, *signed(text_webhook(USER, "wamid.H", "human"))) == 200

    async def queued() -> bool:
        async with server.app[SESSIONS]() as session:
            return await session.scalar(select(Conversation.status)) == "queued"

    await eventually(queued)
    assert await post_whatsapp(server, *signed(contacts_webhook(USER, "wamid.C", "Aysel M", "+994 50 123 45 67"))) == 200

    async def relayed() -> bool:
        async with server.app[SESSIONS]() as session:
            row = await session.scalar(select(Message).where(Message.platform_message_id == "wamid.C"))
            return row is not None and row.processed_at is not None and row.text == "📇 Aysel M: +994 50 123 45 67"

    await eventually(relayed)
