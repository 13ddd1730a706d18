"""Delivery receipts reported by a platform after it accepted a message (WhatsApp statuses).

Kept apart from the outbox: the outbox records our attempt; a receipt records what happened
to the message afterwards (``sent``, ``delivered``, ``read``, ``failed``). A ``failed`` receipt
also marks the outbox entry failed, so the operator console shows it.
"""

from __future__ import annotations

from datetime import datetime
from types import ModuleType
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UtcDateTime, table_of, utcnow
from bot.storage.database import dialect_name
from bot.storage.prepared import Prepared


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


def _insert_once(dialect: ModuleType) -> Any:
    return dialect.insert(table_of(DeliveryReceipt)).on_conflict_do_nothing(
        index_elements=["channel", "platform_message_id", "status"]
    )


# One statement per receipt, prepared once per database dialect: a platform reports several
# statuses for every message sent (WhatsApp: sent, delivered, read), more requests than messages.
_INSERT_ONCE = {"postgresql": Prepared(_insert_once(postgresql)), "sqlite": Prepared(_insert_once(sqlite))}


async def record_receipt(
    session: AsyncSession, channel: str, platform_message_id: str, status: str, error: str | None, occurred_at: datetime
) -> bool:
    """Store one receipt in the caller's transaction; ``False`` if it was stored before (the
    platform redelivered the report)."""
    values = {
        "channel": channel, "platform_message_id": platform_message_id, "status": status, "error": error,
        "occurred_at": occurred_at,
    }
    return await _INSERT_ONCE[dialect_name(session)].run(session, values) == 1
