"""Replies are claimed for delivery in the transaction that queues them and sent as soon as it
commits — no claiming transaction, no wait for the delivery loop — still in order and once."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import select, update

from bot.core.locks import lock_conversation_in_transaction
from bot.core.outbox import RetryPolicy
from bot.storage.base import utcnow
from bot.storage.models import Conversation, Message, OutboxEntry
from flows.dialogue import ConversationState, Reading, Turn
from flows.messages import IncomingMessage
from tests.core.conftest import Core, build_core, handed_over_deliveries
from tests.core.test_pipeline import count, incoming, wait_until_processed
from tests.support import EchoDialogue, count_commits


@pytest.mark.asyncio
async def test_a_pushed_message_is_answered_in_the_transaction_that_stores_it(core: Core) -> None:
    for number in (1, 2):  # a new conversation, then an existing one
        await core.assistant.receive(incoming("u1", f"m{number}", "hello"))
        assert not [task for task in asyncio.all_tasks() if task.get_name().startswith("process:")]
        # Stored, processed and queued before receive returned.
        assert await count(core, Message, Message.direction == "in", Message.processed_at.is_(None)) == 0
        assert await count(core, OutboxEntry) == 2 * number


@pytest.mark.asyncio
async def test_claimed_replies_are_delivered_without_the_delivery_loop(core: Core) -> None:
    for user in ("u1", "u2"):
        await core.assistant.receive(incoming(user, f"{user}-m1", "hello"))
    await wait_until_processed(core)
    await handed_over_deliveries()
    assert sorted(core.sender.sent) == [("u1", "echo: hello"), ("u1", "turn 1"), ("u2", "echo: hello"), ("u2", "turn 1")]
    async with core.sessions() as session:
        assert set((await session.scalars(select(OutboxEntry.status))).all()) == {"sent"}
        # The lease taken with the claim is given back once the replies are out.
        assert (await session.scalars(select(Conversation.delivery_lease_until))).all() == [None, None]


@pytest.mark.asyncio
async def test_a_reply_queued_behind_one_waiting_for_a_retry_is_not_sent_ahead_of_it(database_url: str) -> None:
    core = await build_core(database_url, policy=RetryPolicy(max_attempts=3, base_delay=60, max_delay=60))
    try:
        core.sender.fail_next = ["transient"]
        await core.assistant.receive(incoming("u1", "m1", "one"))
        await wait_until_processed(core)
        await handed_over_deliveries()
        assert core.sender.sent == []  # "echo: one" failed and waits a minute; "turn 1" waits behind it

        await core.assistant.receive(incoming("u1", "m2", "two"))
        await wait_until_processed(core)
        await handed_over_deliveries()
        await core.dispatcher.deliver_due()
        assert core.sender.sent == []
        async with core.sessions() as session:
            statuses = (await session.scalars(select(OutboxEntry.status).order_by(OutboxEntry.id))).all()
            assert statuses == ["pending"] * 4
            assert await session.scalar(select(Conversation.delivery_lease_until)) is None
    finally:
        await core.tasks.close()
        await core.engine.dispose()


@pytest.mark.asyncio
async def test_on_postgresql_a_message_waits_for_its_conversations_turn_before_locking_the_row(postgres_url: str) -> None:
    core = await build_core(postgres_url)
    try:
        await core.assistant.receive(incoming("u1", "m1", "hello"))
        async with core.sessions() as session:
            conversation_id = await session.scalar(select(Conversation.id))
        assert conversation_id is not None
        async with core.sessions.begin() as holder:  # another unit of work of the conversation
            await lock_conversation_in_transaction(holder, conversation_id)
            waiting = asyncio.create_task(core.assistant.receive(incoming("u1", "m2", "again")))
            await asyncio.sleep(0.3)
            assert not waiting.done()
            # Meanwhile the conversation's row is free: the waiting message has not locked it.
            async with core.sessions.begin() as other:
                touch = update(Conversation).where(Conversation.id == conversation_id).values(updated_at=utcnow())
                await asyncio.wait_for(other.execute(touch), 5)
        await asyncio.wait_for(waiting, 10)
        assert await count(core, Message, Message.direction == "in", Message.processed_at.is_(None)) == 0
        assert not [task for task in asyncio.all_tasks() if task.get_name().startswith("process:")]
    finally:
        await core.tasks.close()
        await core.engine.dispose()


class FailsOnce(EchoDialogue):
    """The first turn fails inside the unit of work (a bug, a lost connection); later ones work."""

    def __init__(self) -> None:
        self.failed = False

    def respond(self, state: ConversationState, message: IncomingMessage, now: datetime, reading: Reading | None = None) -> Turn:
        if not self.failed:
            self.failed = True
            raise RuntimeError("the unit of work failed")
        return super().respond(state, message, now, reading)


@pytest.mark.asyncio
async def test_a_message_whose_unit_of_work_fails_is_still_stored_acknowledged_and_answered(database_url: str) -> None:
    core = await build_core(database_url, dialogue=FailsOnce())
    try:
        accepted = await core.assistant.receive(incoming("u1", "m1", "hello"))  # no exception: acknowledged
        assert not accepted.duplicate
        async with core.sessions() as session:
            assert await session.get(Message, accepted.message_id) is not None  # stored before returning
        await wait_until_processed(core)  # answered in the background
        await handed_over_deliveries()
        assert core.sender.sent == [("u1", "echo: hello"), ("u1", "turn 1")]
    finally:
        await core.tasks.close()
        await core.engine.dispose()


@pytest.mark.asyncio
async def test_attempts_that_end_together_are_recorded_in_shared_transactions_on_sqlite(core: Core) -> None:
    core.dispatcher.hand_over = lambda claim: None  # type: ignore[method-assign]  # leave them to deliver_due
    for user in ("u1", "u2", "u3"):
        await core.assistant.receive(incoming(user, f"{user}-m1", "hello"))
    async with core.sessions.begin() as session:
        await session.execute(update(Conversation).values(delivery_lease_until=None))  # as after 15 s
    commits = count_commits(core.engine)

    await core.dispatcher.deliver_due()  # three conversations at once, two replies each

    assert sorted(core.sender.sent) == sorted((user, text) for user in ("u1", "u2", "u3") for text in ("echo: hello", "turn 1"))
    # A claiming transaction per conversation, then the six attempts: recorded in fewer than six
    # transactions on SQLite, in one each on PostgreSQL (side by side over the pool).
    if core.engine.dialect.name == "sqlite":
        assert commits[0] < 3 + 6
    else:
        assert commits[0] == 3 + 6
    async with core.sessions() as session:
        assert set((await session.scalars(select(OutboxEntry.status))).all()) == {"sent"}
        assert set((await session.scalars(select(Conversation.delivery_lease_until))).all()) == {None}
