"""What operators do with chats: claim, reply, note, transfer, return to the bot, close.

Each action is one transaction that also takes the conversation's lock (so it never interleaves
with the processing of a user's message), then wakes the outbox for the replies it queued.
A claim is a conditional ``UPDATE … WHERE status = 'queued'``: of two concurrent claims, in one
process or several on PostgreSQL, exactly one updates the row; the other gets :class:`ClaimLost`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.locks import lock_conversation_in_transaction
from bot.core.outbox import StoredReply
from bot.handoff import notices
from bot.handoff.errors import ClaimLost, NotYourChat, UnknownTarget
from bot.handoff.live import publish_after_commit
from bot.handoff.queue import AWAITING_RATING, HandoffQueue, reset_to_menu
from bot.storage.accounts import Account
from bot.storage.handoff import HandoffEntry, HandoffNote
from bot.storage.models import Conversation
from flows.messages import LANGUAGES, Reply

RETURNED_TO_BOT = "returned_to_bot"


class Assignments:
    """Operator actions on handoff entries."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], queue: HandoffQueue, on_replies: Callable[[], None]
    ) -> None:
        self._sessions = sessions
        self._queue = queue
        self._on_replies = on_replies

    async def claim(self, entry_id: int, operator_id: int) -> None:
        """Take a queued chat; raises :class:`ClaimLost` if someone else was first."""
        async with self._sessions.begin() as session:
            conversation_id = await session.scalar(
                select(HandoffEntry.conversation_id).where(HandoffEntry.id == entry_id)
            )
            if conversation_id is None:
                raise ClaimLost(entry_id)
            await lock_conversation_in_transaction(session, conversation_id)
            claimed = await session.execute(
                update(HandoffEntry)
                .where(HandoffEntry.id == entry_id, HandoffEntry.status == "queued")
                .values(status="assigned", operator_id=operator_id, assigned_at=self._queue.clock(), first_reply_at=None)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise ClaimLost(entry_id)
            entry = await session.get_one(HandoffEntry, entry_id, populate_existing=True)
            conversation = await session.get_one(Conversation, conversation_id)
            conversation.status = "human"
            await self._queue.tell(session, conversation, (notices.operator_joined(self._queue.translator(conversation)),))
            await self._queue.announce_positions(session, entry.language)
            publish_after_commit(session, self._queue.hub, [{"type": "queue"}])
        self._on_replies()

    async def reply(self, entry_id: int, operator_id: int, text: str) -> StoredReply:
        """Send the operator's message to the user (through the outbox, ``author="operator"``)."""
        async with self._sessions.begin() as session:
            entry, conversation = await self._owned(session, entry_id, operator_id)
            (row,) = await self._queue.tell(session, conversation, (Reply(text),), author="operator")
            entry.first_reply_at = entry.first_reply_at or self._queue.clock()
        self._on_replies()
        return row

    async def note(self, conversation_id: int, author_id: int, text: str) -> HandoffNote:
        """An internal note (staff only)."""
        async with self._sessions.begin() as session:
            note = HandoffNote(conversation_id=conversation_id, author_id=author_id, text=text, created_at=self._queue.clock())
            session.add(note)
            await session.flush()
            publish_after_commit(session, self._queue.hub, [{"type": "note", "conversation_id": conversation_id}])
        return note

    async def transfer_to_operator(self, entry_id: int, operator_id: int, target_id: int) -> None:
        """Hand the chat to another operator, who must answer within the answer time-out."""
        async with self._sessions.begin() as session:
            entry, conversation = await self._owned(session, entry_id, operator_id)
            target = await session.get(Account, target_id)
            if target is None or target.disabled or target.role not in ("operator", "admin") or target_id == operator_id:
                raise UnknownTarget(target_id)
            entry.operator_id = target_id
            entry.assigned_at = self._queue.clock()
            entry.first_reply_at = None
            await self._queue.tell(session, conversation, (notices.transferred(self._queue.translator(conversation)),))
            publish_after_commit(session, self._queue.hub, [{"type": "queue"}])
        self._on_replies()

    async def transfer_to_language(self, entry_id: int, operator_id: int, language: str) -> None:
        """Put the chat back in the queue for operators of another language."""
        if language not in LANGUAGES:
            raise UnknownTarget(language)
        async with self._sessions.begin() as session:
            entry, conversation = await self._owned(session, entry_id, operator_id)
            previous = entry.language
            entry.language = language
            await self._queue.tell(session, conversation, (notices.transferred(self._queue.translator(conversation)),))
            await self._queue.requeue(session, entry)
            await self._queue.announce_positions(session, previous)
        self._on_replies()

    async def return_to_bot(self, entry_id: int, operator_id: int) -> None:
        """End the handoff without a survey: the bot answers again, from its main menu."""
        async with self._sessions.begin() as session:
            entry, conversation = await self._owned(session, entry_id, operator_id)
            self._finish(entry, RETURNED_TO_BOT)
            reset_to_menu(conversation)
            await self._queue.tell(session, conversation, (notices.back_to_bot(self._queue.translator(conversation), by_operator=True),))
            publish_after_commit(session, self._queue.hub, [{"type": "queue"}])
        self._on_replies()

    async def close(self, entry_id: int, operator_id: int, wrap_up: str) -> None:
        """Close with a wrap-up reason; the user gets the 1–5 satisfaction question."""
        async with self._sessions.begin() as session:
            entry, conversation = await self._owned(session, entry_id, operator_id)
            self._finish(entry, wrap_up)
            reset_to_menu(conversation)
            conversation.status = AWAITING_RATING
            await self._queue.tell(session, conversation, (notices.rating_question(self._queue.translator(conversation)),))
            publish_after_commit(session, self._queue.hub, [{"type": "queue"}])
        self._on_replies()

    def _finish(self, entry: HandoffEntry, wrap_up: str) -> None:
        entry.status = "closed"
        entry.wrap_up = wrap_up
        entry.closed_at = self._queue.clock()

    @staticmethod
    async def _owned(session: AsyncSession, entry_id: int, operator_id: int) -> tuple[HandoffEntry, Conversation]:
        conversation_id = await session.scalar(select(HandoffEntry.conversation_id).where(HandoffEntry.id == entry_id))
        if conversation_id is None:
            raise NotYourChat(entry_id)
        await lock_conversation_in_transaction(session, conversation_id)
        entry = await session.get_one(HandoffEntry, entry_id, populate_existing=True)
        if entry.status != "assigned" or entry.operator_id != operator_id:
            raise NotYourChat(entry_id)
        return entry, await session.get_one(Conversation, conversation_id, populate_existing=True)
