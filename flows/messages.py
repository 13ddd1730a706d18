"""Channel-agnostic message types exchanged between the channels, the core and the flows.

Every channel adapter turns a platform payload into an :class:`IncomingMessage` and renders
:class:`Reply` objects in its own way (inline keyboards, WhatsApp interactive messages, chips in
the web chat, JSON for the REST channel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

#: The three languages the assistant speaks, in the order shown on language switchers.
LANGUAGES: tuple[str, ...] = ("az", "ru", "en")
Language = Literal["az", "ru", "en"]


@dataclass(frozen=True, slots=True)
class ConversationKey:
    """Identifies one conversation: a user on one channel (``web``, ``rest``, ``telegram``, ``whatsapp``)."""

    channel: str
    user_id: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Button:
    """A choice offered to the user. ``payload`` is sent back when it is tapped and is never shown."""

    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """One message from a user, as accepted by a channel.

    ``message_id`` is the platform's id (Telegram ``update_id``, WhatsApp ``wamid``, a client id in
    the web chat); together with ``key.channel`` it deduplicates redeliveries.
    ``payload`` is set when the user tapped a button; ``text`` is then the button title or empty.
    ``language_hint`` is a platform hint such as Telegram's ``language_code``.
    """

    key: ConversationKey
    message_id: str
    text: str
    received_at: datetime
    payload: str | None = None
    language_hint: str | None = None


ReplyKind = Literal["text", "date_picker", "rating"]


@dataclass(frozen=True, slots=True)
class Reply:
    """One message the assistant sends.

    ``kind`` lets a channel render richer input: ``date_picker`` (Telegram shows an inline calendar),
    ``rating`` (a 1–5 satisfaction question). Every channel can fall back to text + buttons.
    """

    text: str
    buttons: tuple[Button, ...] = field(default=())
    kind: ReplyKind = "text"
