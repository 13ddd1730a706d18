"""Call-centre tables: the handoff queue, operator presence, internal notes and satisfaction ratings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow


class HandoffEntry(Base):
    """One handoff of a conversation to people, from the request until it is closed.

    ``status``: ``queued`` (waiting; ordered by ``priority`` desc, then ``queued_at``),
    ``assigned`` (``operator_id`` owns it), ``closed`` (wrap-up given, or returned to the bot) or
    ``cancelled`` (the user went back to the bot). A claim is a conditional UPDATE on ``status``,
    so exactly one operator wins. ``summary`` is JSON: reason, intents, slots, articles, last messages.
    ``told_position`` is the queue position the user was last told (to report only changes).
    """

    __tablename__ = "handoff_entries"
    __table_args__ = (
        Index("ix_handoff_entries_status", "status", "language"),
        Index("ix_handoff_entries_conversation", "conversation_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    reason: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text, default="{}")
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    told_position: Mapped[int | None] = mapped_column(Integer)
    left_message: Mapped[bool] = mapped_column(Boolean, default=False)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    wrap_up: Mapped[str | None] = mapped_column(String(64))


class OperatorPresence(Base):
    """Whether an operator can take chats: ``online``, ``away`` or ``offline``. ``last_seen_at`` is
    refreshed by the operator's open console; a stale one counts as offline (any process may tell)."""

    __tablename__ = "operator_presence"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="offline")
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class HandoffNote(Base):
    """An internal note about a conversation, visible to staff only (never sent to the user)."""

    __tablename__ = "handoff_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SatisfactionRating(Base):
    """The 1–5 answer to the satisfaction question sent when an operator closed a chat."""

    __tablename__ = "satisfaction_ratings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("handoff_entries.id", ondelete="CASCADE"), unique=True)
    score: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
