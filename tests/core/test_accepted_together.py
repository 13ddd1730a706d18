"""Messages accepted at the same time share one transaction on SQLite, each still answered only
once committed; a message whose unit of work fails takes no other down with it."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from bot.storage.models import Message
from flows.dialogue import ConversationState, Reading, Turn
from flows.messages import IncomingMessage
from tests.core.conftest import Core, build_core
from tests.core.test_pipeline import count, incoming
from tests.support import EchoDialogue, count_commits


@pytest.mark.asyncio
async def test_concurrent_requests_share_a_commit_on_sqlite_and_each_gets_its_own_answer(core: Core) -> None:
    commits = count_commits(core.engine)
    answered = await asyncio.gather(
        *(core.assistant.receive_and_wait(incoming(user, f"{user}-m1", f"hello {user}")) for user in ("u1", "u2", "u3"))
    )
    assert [[reply.text for reply in replies] for _, replies in answered] == [
        [f"echo: hello {user}", "turn 1"] for user in ("u1", "u2", "u3")
    ]
    assert commits == [1] if core.engine.dialect.name == "sqlite" else commits == [3]
    assert await count(core, Message, Message.direction == "in", Message.processed_at.is_not(None)) == 3


class FailsOnBoom(EchoDialogue):
    def respond(self, state: ConversationState, message: IncomingMessage, now: datetime, reading: Reading | None = None) -> Turn:
        if message.text == "boom":
            raise RuntimeError("the dialogue failed")
        return super().respond(state, message, now, reading)


@pytest.mark.asyncio
async def test_a_message_whose_unit_of_work_fails_fails_alone_and_is_kept(database_url: str) -> None:
    core = await build_core(database_url, FailsOnBoom())
    try:
        outcomes = await asyncio.gather(
            core.assistant.receive_and_wait(incoming("u1", "m1", "hello")),
            core.assistant.receive_and_wait(incoming("u2", "m2", "boom")),
            core.assistant.receive_and_wait(incoming("u3", "m3", "hi")),
            return_exceptions=True,
        )
        assert isinstance(outcomes[1], RuntimeError)
        assert [reply.text for reply in outcomes[0][1]] == ["echo: hello", "turn 1"]  # type: ignore[index]
        assert [reply.text for reply in outcomes[2][1]] == ["echo: hi", "turn 1"]  # type: ignore[index]
        # The failed one is stored, unprocessed, for the sweeper to try again.
        assert await count(core, Message, Message.direction == "in") == 3
        assert await count(core, Message, Message.direction == "in", Message.processed_at.is_(None)) == 1
    finally:
        await core.tasks.close()
        await core.engine.dispose()
