"""What a messaging platform's update means, once parsed: the events both Telegram and WhatsApp
adapters produce for a user's text or attachment (platform-specific events live with each)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.attachments import Attachment
from flows.messages import IncomingMessage


@dataclass(frozen=True, slots=True)
class TextReceived:
    message: IncomingMessage


@dataclass(frozen=True, slots=True)
class AttachmentReceived:
    message: IncomingMessage
    attachment: Attachment
