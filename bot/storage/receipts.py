"""Delivery receipts reported by a platform after it accepted a message (WhatsApp statuses).

Kept apart from the outbox: the outbox records our attempt; a receipt records what happened
to the message afterwards (``sent``, ``delivered``, ``read``, ``failed``). A ``failed`` receipt
also marks the outbox entry failed, so the operator console shows it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow


class DeliveryReceipt(Base):
    """One status of one platform message; the platform's redeliveries are stored once."""

    __tablename__ = "delivery_receipts"
    __table_args__ = (
        UniqueConstraint("channel", "platform_message_id", "status"),
        Index("ix_delivery_receipts_message", "platform_message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    platform_message_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))  # sent | delivered | read | failed
    error: Mapped[str | None] = mapped_column(Text)  # the platform's error code and title
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
