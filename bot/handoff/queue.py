"""The handoff queue: entries, positions, announcements to waiting users, requeueing and cancelling.

Every method works inside the caller's transaction (``session``) and returns nothing that needs
network I/O: replies to users go through the outbox, console events are published after commit.
Queue order is priority (highest first), then the time the chat first joined the queue.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import HandoffSettings
from bot.core.events import EventHub
from bot.core.outbox import StoredReply, enqueue_replies
from bot.handoff import notices
from bot.handoff.hours import WorkingHours
from bot.handoff.live import message_event, publish_after_commit
from bot.storage.accounts import Account
from bot.storage.base import utcnow
from bot.storage.handoff import HandoffEntry, OperatorPresence, SatisfactionRating
from bot.storage.models import Conversation, Message
from flows.dialogue import ConversationState, HandoffRequest
from flows.i18n import DEFAULT_LANGUAGE, Catalogs, Translator
from flows.messages import Reply

ACTIVE = ("queued", "assigned")
#: ``Conversation.status`` after an operator closed the chat, until the user answers the
#: satisfaction question (or writes something else); the core routes such messages to the desk.
AWAITING_RATING = "rating"
RECENT_MESSAGES = 8


@dataclass(frozen=True, slots=True)
class Availability:
    """Whether anyone can answer chats in a language right now."""

    open_now: bool
    operators_online: int

    @property
    def answerable(self) -> bool:
        return self.open_now and self.operators_online > 0


def reset_to_menu(conversation: Conversation) -> None:
    """Back to the bot's main menu: no active flow or collected slots; the language is kept."""
    state = ConversationState.from_json(conversation.state)
    conversation.state = state.evolve(flow=None, step=None, slots={}, failed_attempts=0).to_json()
    conversation.status = "bot"


class HandoffQueue:
    """Queue operations shared by the desk (user side), the console and the sweeper."""

    def __init__(
        self,
        hub: EventHub,
        catalogs: Catalogs,
        settings: HandoffSettings,
        hours: WorkingHours,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.hub = hub
        self.settings = settings
        self._catalogs = catalogs
        self._hours = hours
        self.clock = clock

    def translator(self, conversation: Conversation) -> Translator:
        return self._catalogs.translator(conversation.language)

    # --- reading ---

    async def active_entry(self, session: AsyncSession, conversation_id: int) -> HandoffEntry | None:
        return await session.scalar(
            select(HandoffEntry)
            .where(HandoffEntry.conversation_id == conversation_id, HandoffEntry.status.in_(ACTIVE))
            .order_by(HandoffEntry.id.desc())
            .limit(1)
        )

    async def availability(self, session: AsyncSession, language: str) -> Availability:
        fresh_since = self.clock() - timedelta(seconds=self.settings.presence_timeout_seconds)
        online = await session.scalar(
            select(func.count())
            .select_from(OperatorPresence)
            .join(Account, Account.id == OperatorPresence.account_id)
            .where(
                OperatorPresence.status == "online",
                OperatorPresence.last_seen_at >= fresh_since,
                Account.disabled.is_(False),
                Account.role.in_(("operator", "admin")),
                # Languages are two-letter codes joined by commas, so a substring test is exact.
                Account.languages.contains(language),
            )
        )
        return Availability(self._hours.is_open(self.clock()), int(online or 0))

    async def position(self, session: AsyncSession, entry: HandoffEntry) -> int:
        ahead = await session.scalar(
            select(func.count())
            .select_from(HandoffEntry)
            .where(
                HandoffEntry.status == "queued",
                HandoffEntry.language == entry.language,
                HandoffEntry.id != entry.id,
                or_(
                    HandoffEntry.priority > entry.priority,
                    and_(
                        HandoffEntry.priority == entry.priority,
                        or_(
                            HandoffEntry.queued_at < entry.queued_at,
                            and_(HandoffEntry.queued_at == entry.queued_at, HandoffEntry.id < entry.id),
                        ),
                    ),
                ),
            )
        )
        return int(ahead or 0) + 1

    # --- the user's side ---

    async def enqueue(
        self, session: AsyncSession, conversation: Conversation, request: HandoffRequest
    ) -> tuple[Reply, ...]:
        """Queue the conversation (once) and return what to tell the user about the wait."""
        entry = await self.active_entry(session, conversation.id)
        if entry is None:
            now = self.clock()
            summary = {**dict(request.summary), "reason": request.reason}
            summary["recent_messages"] = await self._recent_messages(session, conversation.id)
            entry = HandoffEntry(
                conversation_id=conversation.id,
                status="queued",
                reason=request.reason,
                priority=request.priority,
                language=conversation.language or DEFAULT_LANGUAGE,
                channel=conversation.channel,
                summary=json.dumps(summary, ensure_ascii=False, default=str),
                queued_at=now,
                created_at=now,
            )
            session.add(entry)
            conversation.status = "queued"
            await session.flush()
            publish_after_commit(session, self.hub, [{"type": "queue"}])
        elif entry.status == "assigned":
            return ()  # an operator is already on it; nothing new to tell
        return (await self.status_reply(session, conversation, entry),)

    async def status_reply(
        self, session: AsyncSession, conversation: Conversation, entry: HandoffEntry, *, update: bool = False
    ) -> Reply:
        """Position and wait, or the honest "nobody can answer now" notice."""
        t = self.translator(conversation)
        available = await self.availability(session, entry.language)
        if not available.answerable:
            entry.told_position = None
            return notices.nobody_available(t, open_now=available.open_now)
        position = await self.position(session, entry)
        entry.told_position = position
        minutes = notices.estimated_minutes(
            position, self.settings.average_handling_minutes, available.operators_online
        )
        return notices.queue_position(t, position, minutes, update=update)

    async def cancel(self, session: AsyncSession, conversation: Conversation) -> tuple[Reply, ...]:
        """The user went back to the bot: the entry is cancelled and the flow reset to the menu."""
        entry = await self.active_entry(session, conversation.id)
        if entry is not None:
            entry.status = "cancelled"
            entry.closed_at = self.clock()
            await self.announce_positions(session, entry.language)
            publish_after_commit(session, self.hub, [{"type": "queue"}])
        reset_to_menu(conversation)
        return (notices.back_to_bot(self.translator(conversation), by_operator=False),)

    async def rate(self, session: AsyncSession, conversation: Conversation, score: int) -> tuple[Reply, ...]:
        """Store the answer to the satisfaction question of the conversation's last closed chat."""
        entry_id = await session.scalar(
            select(HandoffEntry.id)
            .where(HandoffEntry.conversation_id == conversation.id, HandoffEntry.status == "closed")
            .order_by(HandoffEntry.id.desc())
            .limit(1)
        )
        already = entry_id is None or await session.scalar(
            select(SatisfactionRating.id).where(SatisfactionRating.entry_id == entry_id)
        )
        if not already:
            session.add(SatisfactionRating(entry_id=entry_id, score=score, created_at=self.clock()))
        conversation.status = "bot"
        return (notices.rating_thanks(self.translator(conversation)),)

    # --- keeping waiting users informed ---

    async def announce_positions(self, session: AsyncSession, language: str) -> int:
        """Tell every waiting user of ``language`` whose position changed (or who was told nobody
        was available and now can be answered) their new position. Returns how many were told."""
        await session.flush()
        available = await self.availability(session, language)
        if not available.answerable:
            return 0
        waiting = (
            await session.execute(
                select(HandoffEntry, Conversation)
                .join(Conversation, Conversation.id == HandoffEntry.conversation_id)
                .where(HandoffEntry.status == "queued", HandoffEntry.language == language)
                .order_by(HandoffEntry.priority.desc(), HandoffEntry.queued_at, HandoffEntry.id)
            )
        ).all()
        told = 0
        for index, (entry, conversation) in enumerate(waiting):
            position = index + 1
            if entry.told_position == position:
                continue
            minutes = notices.estimated_minutes(
                position, self.settings.average_handling_minutes, available.operators_online
            )
            reply = notices.queue_position(
                self.translator(conversation), position, minutes, update=entry.told_position is not None
            )
            entry.told_position = position
            await self.tell(session, conversation, (reply,))
            told += 1
        return told

    async def requeue(self, session: AsyncSession, entry: HandoffEntry) -> None:
        """Give an assigned chat back to the queue with its priority and original place."""
        entry.status = "queued"
        entry.operator_id = None
        entry.assigned_at = None
        entry.first_reply_at = None
        conversation = await session.get_one(Conversation, entry.conversation_id)
        conversation.status = "queued"
        await session.flush()
        await self.tell(session, conversation, (await self.status_reply(session, conversation, entry),))
        await self.announce_positions(session, entry.language)
        publish_after_commit(session, self.hub, [{"type": "queue"}])

    async def tell(
        self, session: AsyncSession, conversation: Conversation, replies: tuple[Reply, ...], *, author: str = "bot"
    ) -> list[StoredReply]:
        """Send replies to the user through the outbox and show them in the console transcript."""
        rows = await enqueue_replies(
            session, conversation.id, conversation.channel, replies, author=author, language=conversation.language
        )
        publish_after_commit(session, self.hub, [message_event(row) for row in rows])
        return rows

    @staticmethod
    async def _recent_messages(session: AsyncSession, conversation_id: int) -> list[dict[str, str]]:
        rows = (
            await session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.id.desc())
                .limit(RECENT_MESSAGES)
            )
        ).all()
        return [{"author": row.author, "text": row.text} for row in reversed(rows)]
