"""Live events for operator consoles, published only once the transaction that caused them commits.

Every console subscribes to :data:`TOPIC`. Events: ``{"type": "queue"}`` (the queue or an
assignment changed: re-read it) and ``{"type": "message", "conversation_id", "message"}``
(a new line of a transcript). With PostgreSQL the hub forwards them to every process.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.events import EventHub
from bot.core.outbox import StoredReply
from bot.storage.models import Message

TOPIC = "handoff"


def message_event(message: Message | StoredReply) -> dict[str, Any]:
    return {
        "type": "message",
        "conversation_id": message.conversation_id,
        "message": transcript_line(message),
    }


def transcript_line(message: Message | StoredReply) -> dict[str, Any]:
    """A message as the console shows it (text is untrusted: the page renders it as text)."""
    return {
        "id": message.id,
        "author": message.author,
        "text": message.text,
        "kind": message.kind,
        "at": message.created_at.isoformat(),
    }


def publish_after_commit(session: AsyncSession, hub: EventHub, events: list[dict[str, Any]]) -> None:
    """Publish ``events`` to consoles when ``session`` commits (dropped on rollback), so a console
    that re-reads the queue on an event always sees the change."""
    if not events:
        return

    def _publish(_session: object) -> None:
        for item in events:
            hub.publish(TOPIC, item)

    event.listen(session.sync_session, "after_commit", _publish, once=True)
