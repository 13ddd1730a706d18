"""WhatsApp channel (Cloud API): webhook in, Graph API out.

In: ``GET /webhooks/whatsapp`` answers Meta's subscription check (``hub.mode=subscribe``,
``hub.verify_token`` compared in constant time, ``hub.challenge`` echoed). ``POST
/webhooks/whatsapp`` is accepted only with a valid ``X-Hub-Signature-256`` (HMAC-SHA256 of
the raw body with the app secret; missing → 401, wrong → 403, nothing stored). Messages are
stored through :meth:`Assistant.receive` (deduplicated on the ``wamid``) before we answer 200;
a typed number picks an option of the last reply (numbered-text fallback); delivery statuses
are stored as delivery receipts, several per transaction, and a ``failed`` one marks the outbox
entry failed (:mod:`bot.channels.whatsapp_statuses`).

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
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.attachments import Attachment, AttachmentDesk
from bot.channels.base import Delivery, PermanentDeliveryError, TransientDeliveryError
from bot.channels.received import AttachmentReceived, TextReceived
from bot.channels.whatsapp_client import GraphApiClient
from bot.channels.whatsapp_render import layout_for, numbered_choice, render
from bot.channels.whatsapp_statuses import StatusRecorder, StatusReported
from bot.channels.whatsapp_window import whatsapp_window_open
from bot.config import WhatsAppSettings
from bot.core.assistant import Assistant
from bot.storage.base import utcnow
from flows.i18n import Catalogs
from flows.messages import Button, ConversationKey, IncomingMessage, Reply

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"

WEBHOOK_PATH = "/webhooks/whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
STATUSES = frozenset({"sent", "delivered", "read", "failed"})
TEMPLATE_TEXT_LIMIT = 1024
#: Conversation user ids and delivery-receipt message ids are stored in 128 characters.
MAX_ID_CHARS = 128
#: A message ``type`` we store as an attachment marker ("[image]"); anything else is "unknown".
ATTACHMENT_KIND = re.compile(r"[a-z_]{1,32}")


def signature_valid(body: bytes, header: str, app_secret: str) -> bool:
    """Whether ``header`` ("sha256=<hex>") is the HMAC-SHA256 of the raw ``body``."""
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.strip().encode(), expected.encode())


# --- parsing: pure functions from the webhook body to what it means --------------------------


Event = TextReceived | AttachmentReceived | StatusReported


def parse_webhook(data: object) -> Iterator[Event]:
    """The messages and statuses in a webhook body (``entry[].changes[].value``).

    Total over any JSON: a part not shaped like the Cloud API's (an object where a list belongs,
    a message without a sender, an id too long to be one, …) is skipped and the rest still read,
    so a signed notification can never break the webhook.
    """
    for entry in _objects(_object(data).get("entry")):
        for change in _objects(entry.get("changes")):
            value = _object(change.get("value"))
            for message in _objects(value.get("messages")):
                event = _parse_message(message)
                if event is not None:
                    yield event
            for status in _objects(value.get("statuses")):
                reported = _parse_status(status)
                if reported is not None:
                    yield reported


def _parse_message(message: dict[str, Any]) -> Event | None:
    kind = _text(message.get("type"))
    sender, message_id = _id(message.get("from")), _id(message.get("id"))
    if kind == "reaction" or sender is None or message_id is None:
        return None  # an emoji on an earlier message is not something to answer
    incoming = IncomingMessage(
        key=ConversationKey(CHANNEL, sender),
        message_id=message_id,
        text="",
        received_at=_time(message.get("timestamp")),
    )
    if kind == "text":
        return TextReceived(dataclasses.replace(incoming, text=_text(_object(message.get("text")).get("body")).strip()))
    if kind == "interactive":
        interactive = _object(message.get("interactive"))
        chosen = _object(interactive.get("button_reply")) or _object(interactive.get("list_reply"))
        payload = _text(chosen.get("id"))
        if payload:
            return TextReceived(dataclasses.replace(incoming, text=_text(chosen.get("title")), payload=payload))
    if kind == "button":  # a quick-reply button of a template
        button = _object(message.get("button"))
        return TextReceived(dataclasses.replace(incoming, text=_text(button.get("text")), payload=_text(button.get("payload")) or None))
    return AttachmentReceived(incoming, _attachment(kind if ATTACHMENT_KIND.fullmatch(kind) else "unknown", message))


def _parse_status(status: dict[str, Any]) -> StatusReported | None:
    name, message_id = _text(status.get("status")), _id(status.get("id"))
    if name not in STATUSES or message_id is None:
        return None
    return StatusReported(message_id, name, _time(status.get("timestamp")), _error(status))


def _attachment(kind: str, message: dict[str, Any]) -> Attachment:
    if kind == "contacts":
        cards = []
        for contact in _objects(message.get("contacts")):
            name = _text(_object(contact.get("name")).get("formatted_name"))
            phones = ", ".join(_text(phone.get("phone")) for phone in _objects(contact.get("phones")))
            cards.append(f"📇 {name}: {phones}")
        return Attachment("contact", "\n".join(cards) or None)
    if kind == "document":
        document = _object(message.get("document"))
        caption = f" — {_text(document.get('caption'))}" if _text(document.get("caption")) else ""
        filename, mime_type = _text(document.get("filename")) or "document", _text(document.get("mime_type")) or "file"
        return Attachment("document", f"📄 {filename} ({mime_type}){caption}")
    return Attachment(kind)


def _time(timestamp: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(timestamp), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):  # OSError: the platform's gmtime refused it
        return utcnow()


def _error(status: dict[str, Any]) -> str | None:
    errors = _objects(status.get("errors"))
    return "; ".join(f"{e.get('code')}: {_text(e.get('title')) or _text(e.get('message'))}" for e in errors)[:500] or None


def _objects(value: object) -> Iterator[dict[str, Any]]:
    """The JSON objects in ``value`` if it is a list; anything else (in it or in its place) is skipped."""
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _id(value: object) -> str | None:
    """A phone number or ``wamid``: a non-empty string that fits our id columns."""
    return value if isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS else None


# --- the channel ----------------------------------------------------------------------------


class WhatsAppChannel:
    """Receives webhooks and sends replies (the outbox's sender)."""

    def __init__(
        self,
        client: GraphApiClient,
        assistant: Assistant,
        attachments: AttachmentDesk,
        statuses: StatusRecorder,
        catalogs: Catalogs,
        settings: WhatsAppSettings,
        app_secret: str,
        verify_token: str,
    ) -> None:
        self._client = client
        self._assistant = assistant
        self._attachments = attachments
        self._statuses = statuses
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
        except (ValueError, RecursionError):  # not JSON, or nested beyond what the parser follows
            raise web.HTTPBadRequest(text="body must be JSON") from None
        # Any JSON gets 200 from here on, even one we cannot read: Meta redelivers a notification
        # until it is acknowledged (for days), and a redelivery would be no more readable.
        for event in parse_webhook(data):
            if isinstance(event, TextReceived):
                await self._assistant.receive(await self._with_typed_choice(event.message))
            elif isinstance(event, AttachmentReceived):
                await self._attachments.receive(event.message, event.attachment)
            else:
                await self._statuses.record(event)
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

    # --- out ---

    async def send(self, delivery: Delivery) -> str | None:
        """Send one reply (maybe as several messages, of which the first ``parts_sent`` went out
        in an earlier attempt); return the last message's ``wamid``. Outside the 24-hour window,
        the configured template is sent instead."""
        if not whatsapp_window_open(delivery.last_inbound_at, utcnow()):
            return await self._send_template(delivery.user_id, delivery.reply, delivery.language)
        wamid: str | None = None
        messages = render(delivery.reply, self._catalogs.translator(delivery.language))
        for number in range(delivery.parts_sent, len(messages)):
            try:
                wamid = await self._client.send(delivery.user_id, messages[number])
            except TransientDeliveryError as error:
                error.parts_sent = number
                raise
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
                StatusRecorder(sessions, CHANNEL),
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
