"""Test doubles shared by the core tests: a scripted dialogue and a recording channel; and a
counter of an engine's commits."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.base import Delivery, PermanentDeliveryError, TransientDeliveryError
from flows.dialogue import ConversationState, HandoffRequest, Reading, Turn, Understanding
from flows.messages import Button, IncomingMessage, Reply


class EchoDialogue:
    """Replies ``echo: <text>`` with one button; a pressed button answers ``pressed <payload>``;
    the text ``human`` asks for a person. Counts turns in the state to prove state is persisted."""

    def understand(self, message: IncomingMessage, now: datetime) -> Reading | None:
        return None

    def respond(self, state: ConversationState, message: IncomingMessage, now: datetime, reading: Reading | None = None) -> Turn:
        turns = int(state.slots.get("turns", 0)) + 1
        new_state = state.evolve(slots={"turns": turns}, language=state.language or "en")
        understanding = Understanding(language="en", intent="echo", confidence=1.0)
        if message.payload:
            return Turn(new_state, (Reply(f"pressed {message.payload}"),), understanding)
        if message.text == "human":
            return Turn(new_state, (Reply("connecting"),), understanding, HandoffRequest("asked", 1))
        return Turn(
            new_state,
            (Reply(f"echo: {message.text}", (Button("Again", "again"),)), Reply(f"turn {turns}")),
            understanding,
        )


class RecordingSender:
    """Records deliveries; ``fail_next`` scripts failures ("transient", "permanent")."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail_next: list[str] = []
        self.delivered = asyncio.Event()

    async def send(self, delivery: Delivery) -> str | None:
        if self.fail_next:
            kind = self.fail_next.pop(0)
            if kind == "permanent":
                raise PermanentDeliveryError("blocked by user")
            raise TransientDeliveryError("HTTP 500", retry_after=0.01 if kind == "retry_after" else None)
        self.sent.append((delivery.user_id, delivery.reply.text))
        self.delivered.set()
        return f"p-{delivery.reference}"


def count_commits(engine: AsyncEngine) -> list[int]:
    """A one-item list counting the transactions ``engine`` commits from now on."""
    commits = [0]

    def committed(_connection: object) -> None:
        commits[0] += 1

    event.listen(engine.sync_engine, "commit", committed)
    return commits
