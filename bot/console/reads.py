"""What the console shows: the queue board and one chat (read-only queries)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.accounts.web import Staff
from bot.channels.whatsapp_window import whatsapp_window_open
from bot.config import HandoffSettings
from bot.handoff.live import transcript_line
from bot.storage.accounts import Account
from bot.storage.base import utcnow
from bot.storage.handoff import HandoffEntry, HandoffNote, OperatorPresence
from bot.storage.models import Conversation, Message

TRANSCRIPT_LIMIT = 500


def sla_level(waiting_seconds: float, settings: HandoffSettings) -> str:
    """``ok`` / ``warning`` / ``breach``: the colour of a waiting chat in the queue."""
    if waiting_seconds >= settings.sla_breach_seconds:
        return "breach"
    if waiting_seconds >= settings.sla_warning_seconds:
        return "warning"
    return "ok"


def _entry_card(entry: HandoffEntry, now: datetime, settings: HandoffSettings) -> dict[str, Any]:
    waiting = (now - entry.queued_at).total_seconds()
    return {
        "id": entry.id,
        "conversation_id": entry.conversation_id,
        "status": entry.status,
        "reason": entry.reason,
        "priority": entry.priority,
        "language": entry.language,
        "channel": entry.channel,
        "left_message": entry.left_message,
        "waiting_seconds": int(waiting),
        "sla": sla_level(waiting, settings),
        "operator_id": entry.operator_id,
    }


class ConsoleReader:
    """Read models for the console pages."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: HandoffSettings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock

    async def board(self, staff: Staff) -> dict[str, Any]:
        """Waiting chats (in the operator's languages; admins see all) and the operator's own."""
        now = self._clock()
        async with self._sessions() as session:
            queued_query = select(HandoffEntry).where(HandoffEntry.status == "queued")
            if staff.role != "admin":
                queued_query = queued_query.where(HandoffEntry.language.in_(staff.languages))
            queued = (
                await session.scalars(
                    queued_query.order_by(HandoffEntry.priority.desc(), HandoffEntry.queued_at, HandoffEntry.id)
                )
            ).all()
            mine = (
                await session.scalars(
                    select(HandoffEntry)
                    .where(HandoffEntry.status == "assigned", HandoffEntry.operator_id == staff.account_id)
                    .order_by(HandoffEntry.assigned_at)
                )
            ).all()
        return {
            "queue": [_entry_card(entry, now, self._settings) for entry in queued],
            "mine": [_entry_card(entry, now, self._settings) for entry in mine],
            "sla": {"warning": self._settings.sla_warning_seconds, "breach": self._settings.sla_breach_seconds},
        }

    async def entry(self, entry_id: int) -> dict[str, Any] | None:
        """One handoff's card (status, language, owner…) without the transcript."""
        async with self._sessions() as session:
            entry = await session.get(HandoffEntry, entry_id)
        return None if entry is None else _entry_card(entry, self._clock(), self._settings)

    async def chat(self, entry_id: int) -> dict[str, Any] | None:
        """One handoff with its full transcript (the bot's part too), summary and notes."""
        async with self._sessions() as session:
            entry = await session.get(HandoffEntry, entry_id)
            if entry is None:
                return None
            conversation = await session.get_one(Conversation, entry.conversation_id)
            messages = (
                await session.scalars(
                    select(Message)
                    .where(Message.conversation_id == conversation.id)
                    .order_by(Message.id.desc())
                    .limit(TRANSCRIPT_LIMIT)
                )
            ).all()
            notes = (
                await session.execute(
                    select(HandoffNote, Account.display_name)
                    .join(Account, Account.id == HandoffNote.author_id)
                    .where(HandoffNote.conversation_id == conversation.id)
                    .order_by(HandoffNote.id)
                )
            ).all()
        card = _entry_card(entry, self._clock(), self._settings)
        card.update(
            user_language=conversation.language,
            summary=json.loads(entry.summary or "{}"),
            transcript=[transcript_line(message) for message in reversed(messages)],
            notes=[{"author": name, "text": note.text, "at": note.created_at.isoformat()} for note, name in notes],
            # WhatsApp only accepts free text within 24 h of the user's last message.
            window_closed=conversation.channel == "whatsapp" and not whatsapp_window_open(conversation.last_inbound_at, self._clock()),
        )
        return card

    async def operators(self) -> list[dict[str, Any]]:
        """Operators to transfer to, with their languages and presence."""
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(Account, OperatorPresence.status)
                    .outerjoin(OperatorPresence, OperatorPresence.account_id == Account.id)
                    .where(Account.disabled.is_(False), Account.role.in_(("operator", "admin")))
                    .order_by(Account.display_name)
                )
            ).all()
        return [
            {"id": account.id, "name": account.display_name, "languages": list(account.language_list),
             "presence": status or "offline"}
            for account, status in rows
        ]
