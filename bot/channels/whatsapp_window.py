"""WhatsApp's 24-hour customer-service window.

A business may send free-form messages only within 24 hours of the user's last message;
afterwards only approved templates. The outbox checks it before sending, and the operator
console calls :func:`whatsapp_window_open` to warn an operator before a late reply.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.models import Conversation

WINDOW = timedelta(hours=24)


def whatsapp_window_open(conversation: Conversation, now: datetime) -> bool:
    """Whether free text can be sent to this conversation's user at ``now``."""
    last = conversation.last_inbound_at
    return last is not None and now - last < WINDOW
