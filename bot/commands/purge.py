"""``migassist purge``: delete personal data older than its retention period (config
``retention``). Run it daily (a systemd timer, see docs/deployment.md); safe to repeat and to run
while the service is up — work in progress (unprocessed messages, undelivered replies, open
handoffs, conversations with a person) is never touched.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands.user_data import delete_conversations, delete_messages
from bot.config import RetentionSettings, load_config
from bot.storage.base import utcnow
from bot.storage.database import create_engine, create_sessionmaker
from bot.storage.handoff import HandoffEntry, HandoffNote, SatisfactionRating
from bot.storage.models import Conversation, Message, OutboxEntry
from bot.storage.receipts import DeliveryReceipt

FINISHED_HANDOFF = ("closed", "cancelled")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "purge",
        help="delete personal data older than the retention periods",
        description="Delete data older than the periods in the 'retention' section of config.yml.",
    )
    parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    parser.set_defaults(handler=_purge)


@dataclass(frozen=True)
class PurgeReport:
    conversations: int
    messages: int
    delivery_records: int
    handoff_records: int

    def describe(self) -> str:
        return (
            f"{self.conversations} idle conversation(s), {self.messages} message(s), "
            f"{self.delivery_records} delivery record(s), {self.handoff_records} handoff record(s)"
        )


def _purge(args: argparse.Namespace) -> int:
    settings = load_config(args.config).settings
    report = asyncio.run(_run(settings.database_url, settings.retention, args.dry_run))
    print(("would delete: " if args.dry_run else "deleted: ") + report.describe())
    return 0


async def _run(url: str, retention: RetentionSettings, dry_run: bool) -> PurgeReport:
    engine = create_engine(url)
    try:
        return await purge(create_sessionmaker(engine), retention, utcnow(), dry_run=dry_run)
    finally:
        await engine.dispose()


async def purge(
    sessions: async_sessionmaker[AsyncSession], retention: RetentionSettings, now: datetime, dry_run: bool = False
) -> PurgeReport:
    """Apply every retention period in one transaction (a dry run only counts)."""

    def cutoff(days: int) -> datetime:
        return now - timedelta(days=days)

    async with sessions() as session, session.begin() as transaction:
        conversations = await _idle_conversations(session, cutoff(retention.conversations_days))
        removed = await delete_conversations(session, conversations)
        messages = await _old_messages(session, cutoff(retention.messages_days))
        delivery = await _old_delivery_records(session, cutoff(retention.delivery_records_days))
        handoffs = await _old_handoff_records(session, cutoff(retention.handoff_records_days))
        if dry_run:  # the exact counts come from really deleting, then rolling back
            await transaction.rollback()
    return PurgeReport(removed.conversations, removed.messages + messages, delivery, handoffs)


def _has_work_in_progress() -> object:
    """A conversation with an unprocessed message, an undelivered reply or a person on it."""
    return or_(
        Conversation.status != "bot",
        exists().where(Message.conversation_id == Conversation.id, Message.direction == "in", Message.processed_at.is_(None)),
        exists().where(OutboxEntry.conversation_id == Conversation.id, OutboxEntry.status == "pending"),
        exists().where(HandoffEntry.conversation_id == Conversation.id, HandoffEntry.status.not_in(FINISHED_HANDOFF)),
    )


async def _idle_conversations(session: AsyncSession, before: datetime) -> list[int]:
    rows = await session.scalars(
        select(Conversation.id).where(
            Conversation.updated_at < before,
            or_(Conversation.last_inbound_at.is_(None), Conversation.last_inbound_at < before),
            ~_has_work_in_progress(),  # type: ignore[operator]
        )
    )
    return list(rows)


async def _old_messages(session: AsyncSession, before: datetime) -> int:
    condition = and_(
        Message.created_at < before,
        or_(Message.direction == "out", Message.processed_at.is_not(None)),
        ~exists().where(OutboxEntry.message_id == Message.id, OutboxEntry.status == "pending"),
    )
    return await delete_messages(session, condition)


async def _old_delivery_records(session: AsyncSession, before: datetime) -> int:
    outbox = and_(OutboxEntry.status.in_(("sent", "failed")), OutboxEntry.created_at < before)
    receipts = DeliveryReceipt.recorded_at < before
    first = await session.execute(delete(OutboxEntry).where(outbox))
    second = await session.execute(delete(DeliveryReceipt).where(receipts))
    return int(first.rowcount or 0) + int(second.rowcount or 0)  # type: ignore[attr-defined]


async def _old_handoff_records(session: AsyncSession, before: datetime) -> int:
    finished = and_(
        HandoffEntry.status.in_(FINISHED_HANDOFF),
        or_(HandoffEntry.closed_at < before, and_(HandoffEntry.closed_at.is_(None), HandoffEntry.created_at < before)),
    )
    entries = select(HandoffEntry.id).where(finished)
    notes = HandoffNote.created_at < before
    await session.execute(delete(SatisfactionRating).where(SatisfactionRating.entry_id.in_(entries)))
    first = await session.execute(delete(HandoffEntry).where(finished))
    second = await session.execute(delete(HandoffNote).where(notes))
    return int(first.rowcount or 0) + int(second.rowcount or 0)  # type: ignore[attr-defined]
