"""WhatsApp channel (Cloud API): webhook in, Graph API out.

In: ``GET /webhooks/whatsapp`` answers Meta's subscription check (``hub.mode=subscribe``,
``hub.verify_token`` compared in constant time, ``hub.challenge`` echoed). ``POST
/webhooks/whatsapp`` is accepted only with a valid ``X-Hub-Signature-256`` (HMAC-SHA256 of
the raw body with the app secret; missing → 401, wrong → 403, nothing stored). Messages are
stored through :meth:`Assistant.receive` (deduplicated on the ``wamid``) before we answer 200;
a typed number picks an option of the last reply (numbered-text fallback); delivery statuses
are stored as :class:`DeliveryReceipt` rows, and a ``failed`` one marks the outbox entry failed.

Out: :func:`bot.channels.whatsapp_render.render` shapes the reply; outside the 24-hour
customer-service window a free-form message is not attempted — the configured template is
sent instead, or the reply fails permanently with the reason.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Iterator

import aiohttp
from aiohttp import web
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.attachments import Attachment, AttachmentDesk
from bot.channels.base import PermanentDeliveryError
from bot.channels.direct_reply import insert_once
from bot.channels.whatsapp_client import GraphApiClient
from bot.channels.whatsapp_render import layout_for, numbered_choice, render
from bot.channels.whatsapp_window import whatsapp_window_open
from bot.config import WhatsAppSettings
from bot.core.assistant import Assistant
from bot.storage.base import utcnow
from bot.storage.models import Conversation, Message, OutboxEntry
from bot.storage.receipts import DeliveryReceipt
from flows.i18n import Catalogs
from flows.messages import Button, ConversationKey, IncomingMessage, Reply

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WEBHOOK_PATH = "/webhooks/whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
STATUSES = frozenset({"sent", "delivered", "read", "failed"})
TEMPLATE_TEXT_LIMIT = 1024


def signature_valid(body: bytes, header: str, app_secret: str) -> bool:
    """Whether ``header`` ("sha256=<hex>") is the HMAC-SHA256 of the raw ``body``."""
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.strip().encode(), expected.encode())


# --- parsing: pure functions from the webhook body to what it means --------------------------


@dataclass(frozen=True, slots=True)
class TextReceived:
    message: IncomingMessage


@dataclass(frozen=True, slots=True)
class AttachmentReceived:
    message: IncomingMessage
    attachment: Attachment


@dataclass(frozen=True, slots=True)
class StatusReported:
    platform_message_id: str
    status: str
    occurred_at: datetime
    error: str | None


Event = TextReceived | AttachmentReceived | StatusReported


def parse_webhook(data: Any) -> Iterator[Event]:
    """The messages and statuses in a webhook body (``entry[].changes[].value``)."""
    if not isinstance(data, dict):
        return
    for entry in data.get("entry") or ():
        for change in entry.get("changes") or ():
            value = change.get("value") or {}
            for message in value.get("messages") or ():
                event = _parse_message(message)
                if event is not None:
                    yield event
            for status in value.get("statuses") or ():
                if status.get("status") in STATUSES and status.get("id"):
                    yield StatusReported(str(status["id"]), status["status"], _time(status.get("timestamp")), _error(status))


def _parse_message(message: dict[str, Any]) -> Event | None:
    kind = message.get("type")
    if kind == "reaction" or not message.get("from") or not message.get("id"):
        return None  # an emoji on an earlier message is not something to answer
    incoming = IncomingMessage(
        key=ConversationKey(CHANNEL, str(message["from"])),
        message_id=str(message["id"]),
        text="",
        received_at=_time(message.get("timestamp")),
    )
    if kind == "text":
        return TextReceived(dataclasses.replace(incoming, text=str((message.get("text") or {}).get("body", "")).strip()))
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        chosen = interactive.get("button_reply") or interactive.get("list_reply") or {}
        if chosen.get("id"):
            return TextReceived(dataclasses.replace(incoming, text=str(chosen.get("title", "")), payload=str(chosen["id"])))
    if kind == "button":  # a quick-reply button of a template
        button = message.get("button") or {}
        return TextReceived(
            dataclasses.replace(incoming, text=str(button.get("text", "")), payload=str(button.get("payload") or "") or None)
        )
    return AttachmentReceived(incoming, _attachment(str(kind), message))


def _attachment(kind: str, message: dict[str, Any]) -> Attachment:
    if kind == "contacts":
        cards = []
        for contact in message.get("contacts") or ():
            name = (contact.get("name") or {}).get("formatted_name", "")
            phones = ", ".join(p.get("phone", "") for p in contact.get("phones") or ())
            cards.append(f"📇 {name}: {phones}")
        return Attachment("contact", "\n".join(cards) or None)
    if kind == "document":
        document = message.get("document") or {}
        caption = f" — {document['caption']}" if document.get("caption") else ""
        return Attachment("document", f"📄 {document.get('filename', 'document')} ({document.get('mime_type', 'file')}){caption}")
    return Attachment(kind)


def _time(timestamp: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(timestamp), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return utcnow()


def _error(status: dict[str, Any]) -> str | None:
    errors = status.get("errors") or ()
    return "; ".join(f"{e.get('code')}: {e.get('title') or e.get('message', '')}" for e in errors)[:500] or None


# --- the channel ----------------------------------------------------------------------------


class WhatsAppChannel:
    """Receives webhooks and sends replies (the outbox's sender)."""

    def __init__(
        self,
        client: GraphApiClient,
        assistant: Assistant,
        attachments: AttachmentDesk,
        sessions: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        settings: WhatsAppSettings,
        app_secret: str,
        verify_token: str,
    ) -> None:
        self._client = client
        self._assistant = assistant
        self._attachments = attachments
        self._sessions = sessions
        self._catalogs = catalogs
        self._settings = settings
        self._app_secret = app_secret
        self._verify_token = verify_token

    # --- in ---

    async def verify_subscription(self, request: web.Request) -> web.Response:
        """``GET``: Meta checks that we own the webhook before sending anything."""
        query = request.query
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(token.encode(), self._verify_token.encode()):
            raise web.HTTPForbidden(text="verification failed")
        return web.Response(text=query.get("hub.challenge", ""))

    async def handle_webhook(self, request: web.Request) -> web.Response:
        """``POST``: verify the signature over the raw body, store everything, then answer 200."""
        body = await request.read()
        header = request.headers.get(SIGNATURE_HEADER)
        if header is None:
            raise web.HTTPUnauthorized(text="missing signature")
        if not signature_valid(body, header, self._app_secret):
            raise web.HTTPForbidden(text="wrong signature")
        try:
            data = json.loads(body)
        except ValueError:
            raise web.HTTPBadRequest(text="body must be JSON") from None
        for event in parse_webhook(data):
            if isinstance(event, TextReceived):
                await self._assistant.receive(await self._with_typed_choice(event.message))
            elif isinstance(event, AttachmentReceived):
                await self._attachments.receive(event.message, event.attachment)
            else:
                await self._record_status(event)
        return web.Response(status=200)

    async def _with_typed_choice(self, message: IncomingMessage) -> IncomingMessage:
        """A typed "2" after options shown as numbered text is the second option's payload.

        Only then: under real buttons or a list, a typed number is an answer in its own right
        (the flows read "2" as a choice where they ask for one, or as a count or a day).
        """
        if message.payload is not None or not message.text.strip().rstrip(".)").isdigit():
            return message
        options = await self._assistant.last_buttons(message.key)
        buttons = [Button(title, payload) for payload, title in options.items()]
        chosen = numbered_choice(message.text, buttons) if layout_for(buttons) == "numbered" else None
        return message if chosen is None else dataclasses.replace(message, text=chosen.title, payload=chosen.payload)

    async def _record_status(self, status: StatusReported) -> None:
        async with self._sessions.begin() as session:
            receipt = DeliveryReceipt(
                channel=CHANNEL,
                platform_message_id=status.platform_message_id,
                status=status.status,
                error=status.error,
                occurred_at=status.occurred_at,
                recorded_at=utcnow(),
            )
            if await insert_once(session, receipt) and status.status == "failed":
                # Accepted by the Graph API but not delivered (e.g. the number left WhatsApp).
                await session.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.platform_message_id == status.platform_message_id)
                    .values(status="failed", last_error=f"whatsapp: not delivered: {status.error or 'no reason given'}")
                )

    # --- out ---

    async def send(self, user_id: str, reply: Reply, reference: str) -> str | None:
        """Send one reply (maybe as several messages); return the last message's ``wamid``."""
        async with self._sessions() as session:
            conversation = await session.scalar(
                select(Conversation).where(Conversation.channel == CHANNEL, Conversation.user_id == user_id)
            )
            language = await session.scalar(select(Message.language).where(Message.id == int(reference)))
        if conversation is None:
            raise PermanentDeliveryError(f"whatsapp: no conversation with user {user_id!r}")
        if not whatsapp_window_open(conversation, utcnow()):
            return await self._send_template(user_id, reply, language)
        wamid: str | None = None
        for message in render(reply, self._catalogs.translator(language)):
            wamid = await self._client.send(user_id, message)
        return wamid

    async def _send_template(self, user_id: str, reply: Reply, language: str | None) -> str:
        settings = self._settings
        if settings.template_name is None:
            raise PermanentDeliveryError(
                "whatsapp: the 24-hour customer-service window is closed (the user last wrote over 24 hours ago) "
                "and no approved template is configured (whatsapp.template_name)"
            )
        template: dict[str, Any] = {
            "name": settings.template_name,
            "language": {"code": settings.template_languages.get(language or "", "en")},
        }
        if settings.template_has_text_parameter:
            text = reply.text if len(reply.text) <= TEMPLATE_TEXT_LIMIT else reply.text[: TEMPLATE_TEXT_LIMIT - 1] + "…"
            template["components"] = [{"type": "body", "parameters": [{"type": "text", "text": text}]}]
        return await self._client.send(user_id, {"type": "template", "template": template})


# --- wiring into the app --------------------------------------------------------------------

WHATSAPP = web.AppKey("whatsapp_channel", WhatsAppChannel)


def setup_whatsapp(app: web.Application) -> None:
    """Mount the webhook and register the sender, if ``whatsapp.enabled``."""
    from bot.app import ASSISTANT, CATALOGS, CONFIG, DISPATCHER, SENDERS, SESSIONS

    config = app[CONFIG]
    settings = config.settings.whatsapp
    if not settings.enabled:
        return

    async def whatsapp_context(app: web.Application) -> AsyncIterator[None]:
        secrets = config.secrets
        assert settings.phone_number_id is not None  # checked by WhatsAppSettings
        async with aiohttp.ClientSession() as http:
            client = GraphApiClient(
                http,
                settings.base_url,
                settings.api_version,
                settings.phone_number_id,
                secrets.require("WHATSAPP_TOKEN"),
                settings.request_timeout_seconds,
            )
            sessions = app[SESSIONS]
            channel = WhatsAppChannel(
                client,
                app[ASSISTANT],
                AttachmentDesk(app[ASSISTANT], sessions, app[CATALOGS], app[DISPATCHER].kick),
                sessions,
                app[CATALOGS],
                settings,
                secrets.require("WHATSAPP_APP_SECRET"),
                secrets.require("WHATSAPP_VERIFY_TOKEN"),
            )
            app[WHATSAPP] = channel
            app[SENDERS][CHANNEL] = channel
            yield

    async def verify(request: web.Request) -> web.Response:
        return await request.app[WHATSAPP].verify_subscription(request)

    async def webhook(request: web.Request) -> web.Response:
        return await request.app[WHATSAPP].handle_webhook(request)

    app.cleanup_ctx.append(whatsapp_context)
    app.router.add_get(WEBHOOK_PATH, verify)
    app.router.add_post(WEBHOOK_PATH, webhook)
