"""A core (inbox, processor, outbox, assistant) on SQLite or a real PostgreSQL, without HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.assistant import Assistant
from bot.core.inbox import Inbox
from bot.core.outbox import OutboxDispatcher, RetryPolicy
from bot.core.processor import MessageProcessor
from bot.core.tasks import TaskTracker
from bot.storage.database import create_engine, create_sessionmaker
from bot.storage.migrate import upgrade_async
from bot.storage.models import Conversation, Message
from flows.dialogue import Dialogue, HandoffRequest
from flows.messages import Reply
from tests.support import EchoDialogue, RecordingSender


class QueueingDesk:
    """Minimal desk: queues the conversation and keeps the bot silent afterwards."""

    def __init__(self) -> None:
        self.relayed: list[str] = []

    async def request(
        self, session: AsyncSession, conversation: Conversation, request: HandoffRequest, message: Message
    ) -> tuple[Reply, ...]:
        conversation.status = "queued"
        return ()

    async def relay(self, session: AsyncSession, conversation: Conversation, message: Message) -> tuple[Reply, ...]:
        self.relayed.append(message.text)
        return ()


@dataclass
class Core:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    assistant: Assistant
    processor: MessageProcessor
    dispatcher: OutboxDispatcher
    sender: RecordingSender
    desk: QueueingDesk
    tasks: TaskTracker


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'core.db'}"
    return str(request.getfixturevalue("postgres_url"))


#: Retries within tens of milliseconds, so that tests of failing deliveries run fast.
QUICK_RETRIES = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


async def build_core(url: str, dialogue: Dialogue | None = None, policy: RetryPolicy = QUICK_RETRIES) -> Core:
    await upgrade_async(url)
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    sender = RecordingSender()
    tasks = TaskTracker()
    dispatcher = OutboxDispatcher(sessions, {"test": sender}, policy, tasks)
    desk = QueueingDesk()
    processor = MessageProcessor(sessions, dialogue or EchoDialogue(), desk, dispatcher)
    assistant = Assistant(sessions, Inbox(sessions), processor, tasks)
    return Core(engine, sessions, assistant, processor, dispatcher, sender, desk, tasks)


@pytest_asyncio.fixture
async def core(database_url: str) -> AsyncIterator[Core]:
    built = await build_core(database_url)
    yield built
    await built.tasks.close()
    await built.engine.dispose()


async def handed_over_deliveries() -> None:
    """Wait for the deliveries units of work handed over (tests do not run the delivery loop)."""
    await asyncio.gather(*(task for task in asyncio.all_tasks() if task.get_name().startswith("deliver:")))
