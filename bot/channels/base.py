"""What every outbound channel implements, and how it reports delivery failures."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, Protocol

from flows.messages import Reply


class DeliveryError(Exception):
    """A reply could not be delivered."""


class TransientDeliveryError(DeliveryError):
    """Worth retrying later (HTTP 429 / 5xx, network errors); ``retry_after`` in seconds if the
    platform said how long to wait. ``parts_sent``: of a reply sent as several platform
    messages, how many went out before this failure (counted from the first)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.parts_sent = 0


class PermanentDeliveryError(DeliveryError):
    """Will never succeed (blocked by the user, invalid recipient): recorded, not retried."""


class Delivery(NamedTuple):
    """One reply to deliver to one user, with what a channel needs to know to send it — read
    with the reply from the outbox, so that sending needs no database read of its own.

    ``reference`` is our stable id of the reply (the same on every retry), usable as an
    idempotency key or, in the web chat, to drop a reply the page already shows.
    ``language``: the reply's (button titles, a calendar's month names, a template's language).
    ``last_inbound_at``: when the user last wrote, as of the claim of the delivery (WhatsApp's
    24-hour window; a message arriving meanwhile only leaves the window open longer).
    ``parts_sent``: a channel that splits a long reply into several platform messages skips
    that many, delivered by an earlier attempt (see :attr:`TransientDeliveryError.parts_sent`)."""

    user_id: str
    reply: Reply
    reference: str
    language: str | None = None
    last_inbound_at: datetime | None = None
    parts_sent: int = 0


class ChannelSender(Protocol):
    """Delivers one reply to one user of a channel. Returns the platform message id, if any."""

    async def send(self, delivery: Delivery) -> str | None: ...
