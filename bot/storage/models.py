"""Core tables: conversations, their messages, and the outbox of replies to deliver."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UtcDateTime, table_of, utcnow


class Conversation(Base):
    """One user on one channel. ``status`` is ``bot`` (the assistant answers), ``queued``
    (waiting for a person) or ``human`` (an operator owns the chat and the bot stays silent)."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16), default="bot")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    last_inbound_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A short lease taken by the process delivering this conversation's outbox, so two
    # processes never send the same conversation's replies at once (and order is kept).
    delivery_lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Message(Base):
    """A message in a conversation. Inbound rows (``direction='in'``) carry the platform id used
    for deduplication and ``processed_at`` (null until the flow has answered them)."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "platform_message_id"),
        Index("ix_messages_unprocessed", "direction", "processed_at"),
        Index("ix_messages_conversation", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    author: Mapped[str] = mapped_column(String(16))  # "user" | "bot" | "operator" | "system"
    platform_message_id: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[str | None] = mapped_column(Text)
    buttons: Mapped[str | None] = mapped_column(Text)  # JSON list of {title, payload}
    kind: Mapped[str] = mapped_column(String(16), default="text")
    language_hint: Mapped[str | None] = mapped_column(String(16))  # from the platform (inbound)
    language: Mapped[str | None] = mapped_column(String(8))  # detected (in) / used (out)
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    in_reply_to: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboxEntry(Base):
    """A reply waiting to be delivered through its channel; retried with backoff until sent or
    failed permanently. Entries of one conversation are delivered in ``id`` order."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A reply the channel splits into several platform messages: how many went out before the
    # last failed attempt (the retry sends the rest).
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    platform_message_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


# The models' tables for Core statements.
conversations_table = table_of(Conversation)
messages_table = table_of(Message)
outbox_table = table_of(OutboxEntry)
