"""Delivery receipts: each status of a platform message is stored once, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.storage.receipts import DeliveryReceipt, record_receipt
from tests.core.conftest import Core

AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.asyncio
async def test_a_redelivered_status_is_stored_once_and_reported_as_known(core: Core) -> None:
    outcomes = []
    for status in ("sent", "sent", "delivered", "failed", "failed"):
        async with core.sessions.begin() as session:
            outcomes.append(await record_receipt(session, "whatsapp", "wamid.1", status, "131047" if status == "failed" else None, AT))
    assert outcomes == [True, False, True, True, False]
    async with core.sessions() as session:
        stored = (await session.execute(select(DeliveryReceipt.status, DeliveryReceipt.error, DeliveryReceipt.occurred_at))).all()
    assert sorted(stored) == [("delivered", None, AT), ("failed", "131047", AT), ("sent", None, AT)]
    async with core.sessions() as session:
        recorded = await session.scalar(select(DeliveryReceipt.recorded_at).limit(1))
    assert recorded is not None  # the column's default, applied by the prepared statement too
