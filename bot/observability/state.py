"""Gauges read from the database at scrape time: the handoff queue and the delivery backlog."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.observability.metrics import ServiceMetrics
from bot.storage.base import utcnow
from bot.storage.handoff import HandoffEntry
from bot.storage.models import Message, OutboxEntry

RECENT = timedelta(minutes=15)


async def refresh_state_gauges(sessions: async_sessionmaker[AsyncSession], metrics: ServiceMetrics) -> None:
    """Set the queue, outbox and backlog gauges from one short read-only session."""
    now = utcnow()
    async with sessions() as session:
        queued = (
            await session.execute(
                select(HandoffEntry.language, func.count(), func.min(HandoffEntry.queued_at))
                .where(HandoffEntry.status == "queued")
                .group_by(HandoffEntry.language)
            )
        ).all()
        assigned = (
            await session.execute(
                select(HandoffEntry.queued_at, HandoffEntry.assigned_at).where(
                    HandoffEntry.assigned_at.is_not(None), HandoffEntry.assigned_at >= now - RECENT
                )
            )
        ).all()
        outbox = dict(
            (
                await session.execute(
                    select(OutboxEntry.status, func.count())
                    .where(OutboxEntry.status.in_(("pending", "failed")))
                    .group_by(OutboxEntry.status)
                )
            ).all()
        )
        unprocessed = await session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in", Message.processed_at.is_(None))
        )
    metrics.queue_length.clear()
    metrics.queue_oldest_wait.clear()
    for language, count, oldest in queued:
        metrics.queue_length.labels(language).set(count)
        metrics.queue_oldest_wait.labels(language).set(max(0.0, (now - oldest).total_seconds()))
    waits = [(taken - queued_at).total_seconds() for queued_at, taken in assigned if taken is not None]
    metrics.recent_wait.set(sum(waits) / len(waits) if waits else 0.0)
    for status in ("pending", "failed"):
        metrics.outbox.labels(status).set(outbox.get(status, 0))
    metrics.unprocessed.set(unprocessed or 0)
