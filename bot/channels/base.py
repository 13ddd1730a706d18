"""What every outbound channel implements, and how it reports delivery failures."""

from __future__ import annotations

from typing import Protocol

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


class ChannelSender(Protocol):
    """Delivers one reply to one user of a channel. Returns the platform message id, if any.

    ``reference`` is our stable id of the reply (the same on every retry), usable as an
    idempotency key or, in the web chat, to drop a reply the page already shows.
    ``parts_sent``: a channel that splits a long reply into several platform messages skips
    that many, delivered by an earlier attempt (see :attr:`TransientDeliveryError.parts_sent`)."""

    async def send(self, user_id: str, reply: Reply, reference: str, parts_sent: int = 0) -> str | None: ...
