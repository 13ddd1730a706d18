"""Non-text messages (voice, photos, stickers, locations, contacts, documents) on any channel.

The flows understand text only. While the bot answers, such a message gets a polite reply in
the user's language saying what the assistant can read, with the main menu. While a person owns
or is about to take the chat, a contact or a document is passed to the operator as a message
(the operator may well have asked for it); anything else is refused with a short explanation —
nothing is dropped silently.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.direct_reply import look_up, reply_directly
from bot.core.assistant import Assistant
from flows.i18n import Catalogs
from flows.messages import IncomingMessage, Reply
from flows.replies import menu_buttons


@dataclass(frozen=True, slots=True)
class Attachment:
    """A non-text message. ``for_operator`` is the text an operator sees if it is passed on
    during a handoff (contacts, documents); ``None`` for kinds that are never passed on."""

    kind: str  # photo, voice, audio, video, document, sticker, location, contact, ...
    for_operator: str | None = None


class AttachmentDesk:
    """Decides what happens to a non-text message and makes it happen."""

    def __init__(
        self,
        assistant: Assistant,
        sessions: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        on_replies: Callable[[], None],
    ) -> None:
        self._assistant = assistant
        self._sessions = sessions
        self._catalogs = catalogs
        self._on_replies = on_replies

    async def receive(self, message: IncomingMessage, attachment: Attachment) -> None:
        """``message`` carries the key, platform id, time and language hint; its text is ignored."""
        conversation = await look_up(self._sessions, message.key)
        in_handoff = conversation.status != "bot"
        if in_handoff and attachment.for_operator is not None:
            await self._assistant.receive(dataclasses.replace(message, text=attachment.for_operator))
            return
        language = conversation.language or message.language_hint
        t = self._catalogs.translator(language)
        if in_handoff:
            reply = Reply(t.gettext("The operator can only read text messages here. Please write your message in words."))
        else:
            reply = Reply(
                t.gettext("Sorry, I can only read text messages. Please type your question or choose a topic."),
                menu_buttons(t),
            )
        replies = self._assistant.within_limits(message.key, language, [reply])
        stored = dataclasses.replace(message, text=f"[{attachment.kind}]")  # a marker: no content is kept
        if await reply_directly(self._sessions, stored, replies) and replies:
            self._on_replies()
