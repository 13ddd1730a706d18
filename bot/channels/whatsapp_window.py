"""WhatsApp's 24-hour customer-service window.

A business may send free-form messages only within 24 hours of the user's last message;
afterwards only approved templates. The outbox checks it before sending, and the operator
console calls :func:`whatsapp_window_open` to warn an operator before a late reply.
"""

from __future__ import annotations

from datetime import datetime, timedelta

WINDOW = timedelta(hours=24)


def whatsapp_window_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Whether free text can be sent at ``now`` to a user who last wrote at ``last_inbound_at``
    (a conversation's column of that name)."""
    return last_inbound_at is not None and now - last_inbound_at < WINDOW
