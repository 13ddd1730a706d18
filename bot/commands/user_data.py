"""``migassist user-data export|delete --channel C --user U``: one person's data on request.

``export`` prints (or writes) everything stored about the user of one channel as JSON: the
conversation, its messages with delivery status, handoffs with their summaries, operators'
notes and satisfaction ratings. ``delete`` removes all of it (a dry run unless ``--yes``).
The user id is the channel's: a Telegram chat id, a WhatsApp phone number (wa_id), the web
chat session id, or the REST ``sender``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import load_config
from bot.storage.database import create_engine, create_sessionmaker
from bot.storage.editorial import InboxDecision
from bot.storage.handoff import HandoffEntry, HandoffNote, SatisfactionRating
from bot.storage.models import Conversation, Message, OutboxEntry
from bot.storage.receipts import DeliveryReceipt


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "user-data",
        help="export or delete one user's data (data-subject requests)",
        description="Export or delete everything stored about one user of one channel.",
    )
    sub = parser.add_subparsers(dest="user_data_command", metavar="ACTION", required=True)
    for name, helptext in (("export", "print the user's data as JSON"), ("delete", "delete the user's data")):
        action = sub.add_parser(name, help=helptext)
        action.add_argument("--channel", required=True, help="telegram, whatsapp, web, rest, ...")
        action.add_argument("--user", required=True, help="the user's id on that channel")
        if name == "export":
            action.add_argument("--output", type=Path, help="write to this file instead of standard output")
        else:
            action.add_argument("--yes", action="store_true", help="really delete (otherwise only report)")
        action.set_defaults(handler=_export if name == "export" else _delete)


def _export(args: argparse.Namespace) -> int:
    data = asyncio.run(_with_session(args, lambda s: export_user(s, args.channel, args.user)))
    if data is None:
        print(f"no data stored for user {args.user!r} on channel {args.channel!r}", file=sys.stderr)
        return 1
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def _delete(args: argparse.Namespace) -> int:
    async def run(session: AsyncSession) -> DeletionReport | None:
        conversation_id = await _conversation_id(session, args.channel, args.user)
        if conversation_id is None:
            return None
        return await delete_conversations(session, [conversation_id])

    report = asyncio.run(_with_session(args, run, commit=args.yes))
    if report is None:
        print(f"no data stored for user {args.user!r} on channel {args.channel!r}", file=sys.stderr)
        return 1
    verb = "deleted" if args.yes else "would delete (run again with --yes)"
    print(f"{verb}: {report.describe()}")
    return 0


async def _with_session(args: argparse.Namespace, work: Any, commit: bool = False) -> Any:
    """Run ``work`` in one transaction, committed only if ``commit`` (a dry run rolls back)."""
    engine = create_engine(load_config(args.config).settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin() as transaction:
            result = await work(session)
            if not commit:
                await transaction.rollback()
            return result
    finally:
        await engine.dispose()


async def _conversation_id(session: AsyncSession, channel: str, user_id: str) -> int | None:
    return await session.scalar(
        select(Conversation.id).where(Conversation.channel == channel, Conversation.user_id == user_id)
    )


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def export_user(session: AsyncSession, channel: str, user_id: str) -> dict[str, Any] | None:
    """Everything stored about the user as a JSON-ready mapping, or ``None`` if nothing is."""
    conversation = await session.scalar(
        select(Conversation).where(Conversation.channel == channel, Conversation.user_id == user_id)
    )
    if conversation is None:
        return None
    rows = (
        await session.execute(
            select(Message, OutboxEntry.status)
            .outerjoin(OutboxEntry, OutboxEntry.message_id == Message.id)
            .where(Message.conversation_id == conversation.id)
            .order_by(Message.id)
        )
    ).all()
    entries = (
        await session.scalars(select(HandoffEntry).where(HandoffEntry.conversation_id == conversation.id).order_by(HandoffEntry.id))
    ).all()
    ratings = dict(
        (
            await session.execute(
                select(SatisfactionRating.entry_id, SatisfactionRating.score).where(
                    SatisfactionRating.entry_id.in_([e.id for e in entries])
                )
            )
        ).all()
    )
    notes = (
        await session.scalars(select(HandoffNote).where(HandoffNote.conversation_id == conversation.id).order_by(HandoffNote.id))
    ).all()
    return {
        "channel": conversation.channel,
        "user_id": conversation.user_id,
        "language": conversation.language,
        "status": conversation.status,
        "created_at": _iso(conversation.created_at),
        "last_message_at": _iso(conversation.last_inbound_at),
        "dialogue_state": json.loads(conversation.state or "{}"),
        "messages": [
            {
                "direction": m.direction,
                "author": m.author,
                "text": m.text,
                "button_pressed": m.payload,
                "kind": m.kind,
                "language": m.language,
                "intent": m.intent,
                "at": _iso(m.created_at),
                **({"delivery": status} if m.direction == "out" else {}),
            }
            for m, status in rows
        ],
        "handoffs": [
            {
                "status": e.status,
                "reason": e.reason,
                "language": e.language,
                "queued_at": _iso(e.queued_at),
                "closed_at": _iso(e.closed_at),
                "outcome": e.wrap_up,
                "summary": json.loads(e.summary or "{}"),
                "satisfaction": ratings.get(e.id),
            }
            for e in entries
        ],
        "staff_notes": [{"text": n.text, "at": _iso(n.created_at)} for n in notes],
    }


@dataclass(frozen=True)
class DeletionReport:
    conversations: int
    messages: int
    handoffs: int
    notes: int
    receipts: int

    def describe(self) -> str:
        return (
            f"{self.conversations} conversation(s), {self.messages} message(s), {self.handoffs} handoff(s), "
            f"{self.notes} note(s), {self.receipts} delivery receipt(s)"
        )


async def delete_conversations(session: AsyncSession, ids: Sequence[int]) -> DeletionReport:
    """Delete conversations with everything that belongs to them, in the caller's transaction.

    Rows are deleted explicitly, children first, so nothing depends on the database enforcing
    ``ON DELETE CASCADE`` (SQLite only does with its foreign-keys pragma on)."""
    ids = list(ids)
    message_ids = select(Message.id).where(Message.conversation_id.in_(ids))
    entry_ids = select(HandoffEntry.id).where(HandoffEntry.conversation_id.in_(ids))
    platform_ids = select(OutboxEntry.platform_message_id).where(
        OutboxEntry.conversation_id.in_(ids), OutboxEntry.platform_message_id.is_not(None)
    )
    report = DeletionReport(
        conversations=len(ids),
        messages=await count_rows(session, message_ids),
        handoffs=await count_rows(session, entry_ids),
        notes=await count_rows(session, select(HandoffNote.id).where(HandoffNote.conversation_id.in_(ids))),
        receipts=await count_rows(session, select(DeliveryReceipt.id).where(DeliveryReceipt.platform_message_id.in_(platform_ids))),
    )
    if not ids:
        return report
    await session.execute(delete(DeliveryReceipt).where(DeliveryReceipt.platform_message_id.in_(platform_ids)))
    await session.execute(delete(SatisfactionRating).where(SatisfactionRating.entry_id.in_(entry_ids)))
    await session.execute(delete(HandoffNote).where(HandoffNote.conversation_id.in_(ids)))
    await session.execute(delete(HandoffEntry).where(HandoffEntry.conversation_id.in_(ids)))
    await session.execute(delete(OutboxEntry).where(OutboxEntry.conversation_id.in_(ids)))
    await delete_messages(session, Message.conversation_id.in_(ids))
    await session.execute(delete(Conversation).where(Conversation.id.in_(ids)))
    return report


async def delete_messages(session: AsyncSession, condition: Any) -> int:
    """Delete the messages matching ``condition`` (and rows that hang off them); return how many."""
    doomed = select(Message.id).where(condition)
    # A reply keeps existing when the message it answered goes (and vice versa): unlink first.
    await session.execute(update(Message).where(Message.in_reply_to.in_(doomed)).values(in_reply_to=None))
    await session.execute(delete(OutboxEntry).where(OutboxEntry.message_id.in_(doomed)))
    await session.execute(delete(InboxDecision).where(InboxDecision.message_id.in_(doomed)))
    result = await session.execute(delete(Message).where(condition))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def count_rows(session: AsyncSession, ids: Any) -> int:
    """How many rows the id-selecting ``ids`` query returns."""
    return int(await session.scalar(select(func.count()).select_from(ids.subquery())) or 0)
