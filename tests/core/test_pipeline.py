"""The unit of work: dedupe, persistence, order, state, outbox retries, recovery — on SQLite and
on a real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.outbox import OutboxDispatcher, RetryPolicy
from bot.storage.base import utcnow
from bot.storage.models import Conversation, Message, OutboxEntry
from flows.dialogue import ConversationState, Reading, Turn
from flows.messages import ConversationKey, IncomingMessage
from tests.core.conftest import Core, build_core, handed_over_deliveries
from tests.support import EchoDialogue


def incoming(user: str, message_id: str, text: str, payload: str | None = None) -> IncomingMessage:
    return IncomingMessage(ConversationKey("test", user), message_id, text, utcnow(), payload=payload)


async def count(core: Core, model: type, *where: object) -> int:
    async with core.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def receive_processed(core: Core, message: IncomingMessage) -> None:
    """Accept as a pushing channel does (replies go through the outbox) and wait for processing."""
    await core.assistant.receive(message)
    await wait_until_processed(core)


@pytest.mark.asyncio
async def test_message_is_persisted_answered_and_delivered(core: Core) -> None:
    await receive_processed(core, incoming("u1", "m1", "hello"))
    await deliver_now(core)
    assert core.sender.sent == [("u1", "echo: hello"), ("u1", "turn 1")]
    async with core.sessions() as session:
        inbound = await session.scalar(select(Message).where(Message.direction == "in"))
        assert inbound is not None and inbound.processed_at is not None
        assert inbound.intent == "echo" and inbound.confidence == 1.0
        statuses = (await session.scalars(select(OutboxEntry.status))).all()
        assert statuses == ["sent", "sent"]


@pytest.mark.asyncio
async def test_replies_handed_to_the_waiting_caller_are_stored_but_never_enter_the_outbox(core: Core) -> None:
    accepted, replies = await core.assistant.receive_and_wait(incoming("u1", "m1", "hello"))
    assert [r.text for r in replies] == ["echo: hello", "turn 1"]
    assert replies[0].buttons[0].payload == "again"
    await deliver_now(core)
    assert core.sender.sent == []  # the caller (an HTTP response) delivered them
    async with core.sessions() as session:
        inbound = await session.get_one(Message, accepted.message_id)
        assert inbound.processed_at is not None
        assert (await session.scalars(select(OutboxEntry))).all() == []  # nothing left to deliver


class FlakyDialogue(EchoDialogue):
    """Fails (a bug in a flow) until ``fixed``."""

    fixed = False

    def respond(self, state: ConversationState, message: IncomingMessage, now: datetime, reading: Reading | None = None) -> Turn:
        if not self.fixed:
            raise RuntimeError("a bug in a flow")
        return super().respond(state, message, now, reading)


@pytest.mark.asyncio
async def test_a_failed_answer_leaves_the_waiting_callers_message_stored_for_a_retry(database_url: str) -> None:
    dialogue = FlakyDialogue()
    core = await build_core(database_url, dialogue)
    try:
        with pytest.raises(RuntimeError, match="a bug in a flow"):
            await core.assistant.receive_and_wait(incoming("u1", "m1", "hello"))
        assert await count(core, Message, Message.direction == "in", Message.processed_at.is_(None)) == 1
        dialogue.fixed = True
        assert await core.assistant.recover() == 1
        await wait_until_processed(core)
        _, replies = await core.assistant.receive_and_wait(incoming("u1", "m1", "hello"))  # the client retries
        assert [r.text for r in replies] == ["echo: hello", "turn 1"]
    finally:
        await core.tasks.close()
        await core.engine.dispose()


class ReadingDialogue(EchoDialogue):
    """Reads texts ahead as the real engine does, noting whether a database connection (and so a
    transaction) was in use meanwhile, and which reading each turn was handed."""

    def __init__(self) -> None:
        self.engine: AsyncEngine | None = None
        self.connections_in_use: list[int] = []
        self.handed: list[str | None] = []

    def understand(self, message: IncomingMessage, now: datetime) -> Reading | None:
        assert self.engine is not None
        self.connections_in_use.append(self.engine.sync_engine.pool.checkedout())  # type: ignore[attr-defined]
        return Reading(message.text, message.language_hint, now.date(), f"read {message.text}")

    def respond(self, state: ConversationState, message: IncomingMessage, now: datetime, reading: Reading | None = None) -> Turn:
        self.handed.append(reading.parse if reading else None)
        return super().respond(state, message, now, reading)


@pytest.mark.asyncio
async def test_texts_are_read_before_any_transaction_and_handed_to_their_turn(database_url: str) -> None:
    dialogue = ReadingDialogue()
    core = await build_core(database_url, dialogue)
    dialogue.engine = core.engine
    try:
        await core.assistant.receive_and_wait(incoming("u1", "m1", "hello"))  # answered in the request
        await core.assistant.receive(incoming("u2", "m2", "salam"))  # answered in the background
        while len(dialogue.handed) < 2:  # (not polling the database: that would use a connection)
            await asyncio.sleep(0.01)
        assert dialogue.connections_in_use == [0, 0]
        assert dialogue.handed == ["read hello", "read salam"]
    finally:
        await core.tasks.close()
        await core.engine.dispose()


@pytest.mark.asyncio
async def test_duplicate_delivery_is_stored_and_answered_once(core: Core) -> None:
    first, _ = await core.assistant.receive_and_wait(incoming("u1", "same-id", "hello"))
    again, replies = await core.assistant.receive_and_wait(incoming("u1", "same-id", "hello"))
    assert again.duplicate and again.message_id == first.message_id
    assert [r.text for r in replies] == ["echo: hello", "turn 1"]  # the original replies, not new ones
    assert await count(core, Message, Message.direction == "in") == 1
    assert await count(core, Message, Message.direction == "out") == 2


@pytest.mark.asyncio
async def test_state_persists_between_messages(core: Core) -> None:
    for n in range(1, 4):
        _, replies = await core.assistant.receive_and_wait(incoming("u1", f"m{n}", "hi"))
        assert replies[-1].text == f"turn {n}"


@pytest.mark.asyncio
async def test_messages_of_one_conversation_are_processed_in_order(core: Core) -> None:
    texts = [f"msg {n}" for n in range(12)]
    for n, text in enumerate(texts):
        await core.assistant.receive(incoming("u1", f"m{n}", text))
    for n, text in enumerate(["other"] * 3):
        await core.assistant.receive(incoming("u2", f"o{n}", text))
    await wait_until_processed(core)
    await deliver_now(core)
    u1 = [text for user, text in core.sender.sent if user == "u1"]
    expected: list[str] = []
    for n, text in enumerate(texts, start=1):
        expected += [f"echo: {text}", f"turn {n}"]
    assert u1 == expected
    assert [t for u, t in core.sender.sent if u == "u2"][-1] == "turn 3"


@pytest.mark.asyncio
async def test_transient_failures_are_retried_in_order_and_permanent_ones_recorded(core: Core) -> None:
    core.sender.fail_next = ["transient", "retry_after"]
    await receive_processed(core, incoming("u1", "m1", "one"))
    for _ in range(50):
        await deliver_now(core)
        if len(core.sender.sent) == 2:
            break
        await asyncio.sleep(0.02)
    assert core.sender.sent == [("u1", "echo: one"), ("u1", "turn 1")]
    async with core.sessions() as session:
        attempts = (await session.scalars(select(OutboxEntry.attempts).order_by(OutboxEntry.id))).all()
    assert attempts == [3, 1]

    core.sender.fail_next = ["permanent"]
    await receive_processed(core, incoming("u1", "m2", "two"))
    await deliver_now(core)
    async with core.sessions() as session:
        failed = (await session.scalars(select(OutboxEntry).where(OutboxEntry.status == "failed"))).all()
    assert len(failed) == 1 and failed[0].last_error == "blocked by user"
    assert core.sender.sent[-1] == ("u1", "turn 2")  # the next reply still went out


@pytest.mark.asyncio
async def test_gives_up_after_max_attempts(core: Core) -> None:
    core.sender.fail_next = ["transient"] * 10
    await receive_processed(core, incoming("u1", "m1", "x"))
    for _ in range(40):
        await deliver_now(core)
        await asyncio.sleep(0.02)
    async with core.sessions() as session:
        first = await session.scalar(select(OutboxEntry).order_by(OutboxEntry.id).limit(1))
    assert first is not None and first.status == "failed" and first.attempts == 3


@pytest.mark.asyncio
async def test_restart_processes_unprocessed_messages_and_delivers_pending_replies(core: Core, database_url: str) -> None:
    # Accepted (acknowledged) but the process died before processing it:
    await core.assistant._inbox.accept(incoming("u1", "m1", "lost?"))  # simulate the crash point
    await core.tasks.close()
    await core.engine.dispose()

    restarted = await build_core(database_url)
    try:
        assert await restarted.assistant.recover() == 1
        await wait_until_processed(restarted)
        await deliver_now(restarted)
        assert restarted.sender.sent == [("u1", "echo: lost?"), ("u1", "turn 1")]
    finally:
        await restarted.tasks.close()
        await restarted.engine.dispose()


@pytest.mark.asyncio
async def test_bot_is_silent_while_a_person_owns_the_chat(core: Core) -> None:
    await core.assistant.receive_and_wait(incoming("u1", "m1", "human"))
    _, replies = await core.assistant.receive_and_wait(incoming("u1", "m2", "are you there?"))
    assert replies == []
    assert core.desk.relayed == ["are you there?"]
    async with core.sessions() as session:
        conversation = await session.scalar(select(Conversation))
        assert conversation is not None and conversation.status == "queued"
        assert json.loads(conversation.state)["slots"] == {"turns": 1}


@pytest.mark.asyncio
async def test_two_dispatchers_deliver_each_reply_once(core: Core) -> None:
    other = OutboxDispatcher(core.sessions, {"test": core.sender}, RetryPolicy(3, 0.01, 0.05), core.tasks)
    for n in range(5):
        await core.assistant.receive(incoming(f"u{n}", f"m{n}", "x"))
    await wait_until_processed(core)
    await asyncio.gather(core.dispatcher.deliver_due(), other.deliver_due(), core.dispatcher.deliver_due())
    await deliver_now(core)
    assert sorted(core.sender.sent) == sorted([(f"u{n}", t) for n in range(5) for t in ("echo: x", "turn 1")])


async def deliver_now(core: Core) -> None:
    """Let the deliveries that units of work handed over finish, then deliver what is still due."""
    await handed_over_deliveries()
    await core.dispatcher.deliver_due()


async def wait_until_processed(core: Core, timeout: float = 10.0) -> None:
    async def pending() -> int:
        return await count(core, Message, Message.direction == "in", Message.processed_at.is_(None))

    deadline = asyncio.get_running_loop().time() + timeout
    while await pending():
        assert asyncio.get_running_loop().time() < deadline, "messages were not processed in time"
        await asyncio.sleep(0.02)
