"""Helpers for channel tests: posting webhooks, counting stored rows, scripted dialogues."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bot.app import SESSIONS
from bot.channels.telegram import webhook_url
from flows.dialogue import ConversationState, Reading, Turn, Understanding
from flows.messages import IncomingMessage, Reply
from tests.channels.conftest import TELEGRAM_WEBHOOK_SECRET
from tests.conftest import LiveServer


async def post_telegram(
    server: LiveServer, update: Any, secret: str | None = TELEGRAM_WEBHOOK_SECRET, url: str | None = None
) -> int:
    """POST ``update`` as JSON to our Telegram webhook like Telegram does; return the HTTP status."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with aiohttp.ClientSession() as http:
        target = url or webhook_url(server.url, TELEGRAM_WEBHOOK_SECRET)
        async with http.post(target, json=update, headers=headers) as response:
            return response.status


async def post_whatsapp(server: LiveServer, body: bytes, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{server.url}/webhooks/whatsapp", data=body, headers=headers) as response:
            return response.status


async def count_rows(server: LiveServer, model: type, *where: object) -> int:
    async with server.app[SESSIONS]() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def eventually(check: Callable[[], Any], timeout: float = 10.0) -> None:
    """Wait until the async ``check()`` returns a true value."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


class ScriptedDialogue:
    """Answers each text (or payload) with the replies scripted for it, and records what it got."""

    def __init__(self, script: dict[str, tuple[Reply, ...]], default: tuple[Reply, ...] = (), language: str = "en") -> None:
        self.script = script
        self.default = default
        self.language = language
        self.received: list[IncomingMessage] = []

    def understand(self, message: IncomingMessage, now: datetime) -> Reading | None:
        return None

    def respond(self, state: ConversationState, message: IncomingMessage, now: datetime, reading: Reading | None = None) -> Turn:
        self.received.append(message)
        replies = self.script.get(message.payload or message.text, self.default)
        return Turn(state.evolve(language=state.language or self.language), replies, Understanding(self.language, None, None))
