"""The editors' audit log: every change in the workspace, who made it and when."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.editorial import AuditEntry


class AuditLog:
    """Appends to and reads ``editorial_audit`` inside the caller's session (the audit entry
    commits with the change it describes, or not at all)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def record(self, actor: str, action: str, target: str, **detail: str | float | bool | None) -> None:
        """Log ``action`` on ``target``; ``detail`` must never hold message text or personal data."""
        self._session.add(AuditEntry(actor=actor, action=action, target=target, detail=json.dumps(detail, ensure_ascii=False)))

    async def recent(self, limit: int = 200, target: str | None = None) -> list[dict[str, Any]]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if target is not None:
            query = query.where(AuditEntry.target == target)
        return [
            {"at": entry.at.isoformat(), "actor": entry.actor, "action": entry.action, "target": entry.target,
             "detail": json.loads(entry.detail)}
            for entry in await self._session.scalars(query)
        ]
