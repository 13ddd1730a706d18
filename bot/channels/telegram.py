"""Telegram channel: webhook (or polling) in, Bot API out, through python-telegram-bot.

python-telegram-bot is used for I/O only: :class:`telegram.Update` parses updates and
:class:`telegram.Bot` sends; flows stay channel-agnostic (no ``ConversationHandler``).

In: ``POST /webhooks/telegram/<path token>``, the path token derived from the webhook secret
(:func:`webhook_path_token`) and the ``X-Telegram-Bot-Api-Secret-Token`` header compared in
constant time. The update is stored through :meth:`Assistant.receive` (deduplicated on
``update_id``) before we answer 200, so a crash after the 200 loses nothing and Telegram's
redelivery of an update is answered once.

Commands map to flow payloads: ``/start``, ``/menu`` and ``/help`` open the main menu,
``/operator`` asks for a person, ``/language`` offers the languages (``/language ru`` switches
at once). A tapped button sends its payload; a calendar day sends ``date:YYYY-MM-DD``.

Out: replies are sent as plain text (nothing to escape, so a ``<`` or ``*`` in a legal text
can never break a message), split at sentence boundaries under Telegram's 4096 characters,
the buttons as an inline keyboard under the last part.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import json
import logging
import os
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, CallbackQuery, Update
from telegram import Message as TelegramMessage
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from bot.channels.attachments import Attachment, AttachmentDesk
from bot.channels.base import (
    Delivery,
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from bot.channels.direct_reply import look_up
from bot.channels.received import AttachmentReceived, TextReceived
from bot.channels.telegram_keyboards import (
    NOOP,
    keyboard_for,
    month_from_callback,
    payload_for_callback,
    with_month,
)
from bot.channels.telegram_updates import read_update, update_id_of
from bot.channels.text_split import split_text
from bot.config import Config, ConfigError
from bot.core.assistant import Assistant
from bot.core.tasks import TaskTracker
from bot.storage.base import utcnow
from bot.storage.models import Conversation, Message
from flows.i18n import Catalogs
from flows.messages import LANGUAGES, ConversationKey, IncomingMessage

log = logging.getLogger(__name__)

CHANNEL = "telegram"
TEXT_LIMIT = 4096
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PREFIX = "/webhooks/telegram/"
ALLOWED_UPDATES = ("message", "callback_query")
POLL_RETRY_MIN_SECONDS = 1.0
POLL_RETRY_MAX_SECONDS = 30.0
#: How much longer than the long poll itself an answer to getUpdates may take.
POLL_READ_MARGIN_SECONDS = 10.0
#: The language part of an IETF tag: anything else in ``language_code`` is no hint (and could
#: not be stored as a language).
LANGUAGE_SUBTAG = re.compile(r"[a-z]{2,3}")
#: How many recent replies are searched for the payload behind a hashed ``callback_data``.
RECENT_REPLIES = 30

#: Bot commands and the payload each one sends to the flows.
COMMAND_PAYLOADS: Mapping[str, str] = {
    "start": "menu",
    "menu": "menu",
    "help": "menu",
    "operator": "handoff",
    "language": "intent:change_language",
}


def webhook_path_token(secret: str) -> str:
    """The secret path segment of the webhook URL, derived from the webhook secret.

    A second line of defence besides the header: requests to other paths never reach parsing.
    """
    return hashlib.sha256(f"migassist-telegram-webhook:{secret}".encode()).hexdigest()[:32]


def webhook_url(public_url: str, secret: str) -> str:
    return public_url.rstrip("/") + WEBHOOK_PREFIX + webhook_path_token(secret)


# --- parsing: pure functions from an Update to what it means ---------------------------------


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    """A tapped inline button; ``message.payload`` is the raw ``callback_data`` (maybe hashed)."""

    message: IncomingMessage
    query_id: str


@dataclass(frozen=True, slots=True)
class CalendarTurned:
    """A calendar arrow (``month`` set) or an inert calendar cell (``month`` is ``None``)."""

    query_id: str
    key: ConversationKey
    month: date | None
    message: TelegramMessage | None


Inbound = TextReceived | AttachmentReceived | ButtonPressed | CalendarTurned


def parse_update(update: Update) -> Inbound | None:
    """What an update means for us; ``None`` for updates we do not handle (edits, joins, …).

    ``update`` comes from :func:`read_update`, which has checked the types of what is read here.
    """
    if update.callback_query is not None:
        return _parse_callback(update.update_id, update.callback_query)
    message = update.message
    if message is None or message.from_user is None:
        return None
    incoming = IncomingMessage(
        key=ConversationKey(CHANNEL, str(message.chat.id)),
        message_id=str(update.update_id),
        text="",
        received_at=message.date,
        language_hint=_language_hint(message.from_user.language_code),
    )
    if message.text is not None:
        text = message.text.strip()
        return TextReceived(dataclasses.replace(incoming, text=text, payload=_command_payload(text)))
    return AttachmentReceived(incoming, _attachment(message))


def _parse_callback(update_id: int, query: CallbackQuery) -> Inbound | None:
    data = query.data
    if not isinstance(data, str):
        return None
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    key = ConversationKey(CHANNEL, str(chat_id))
    shown = query.message if isinstance(query.message, TelegramMessage) else None
    if data == NOOP or month_from_callback(data) is not None:
        return CalendarTurned(query.id, key, month_from_callback(data), shown)
    title = _button_title(shown, data)
    incoming = IncomingMessage(key, str(update_id), title, utcnow(), data, _language_hint(query.from_user.language_code))
    return ButtonPressed(incoming, query.id)


def _button_title(message: TelegramMessage | None, data: str) -> str:
    """The tapped button's title (stored as the message text for operators and analytics)."""
    if message is None or message.reply_markup is None:
        return ""
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return ""


def _command_payload(text: str) -> str | None:
    if not text.startswith("/"):
        return None
    command, _, argument = text[1:].partition(" ")
    name = command.split("@", 1)[0].lower()  # "/menu@MigAssistBot" in groups
    if name == "language" and argument.strip().lower() in LANGUAGES:
        return f"lang:{argument.strip().lower()}"
    return COMMAND_PAYLOADS.get(name)


def _language_hint(code: str | None) -> str | None:
    """Telegram's IETF tag ("ru", "en-US") reduced to its language; ``None`` if it names none."""
    language = code.split("-", 1)[0].lower() if code else ""
    return language if LANGUAGE_SUBTAG.fullmatch(language) else None


def _attachment(message: TelegramMessage) -> Attachment:
    if message.contact is not None:
        contact = message.contact
        name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
        return Attachment("contact", f"📇 {name}: {contact.phone_number}")
    if message.document is not None and message.animation is None:  # a GIF also carries a document
        document = message.document
        caption = f" — {message.caption}" if message.caption else ""
        return Attachment("document", f"📄 {document.file_name or 'document'} ({document.mime_type or 'file'}){caption}")
    for kind in ("voice", "audio", "video", "video_note", "photo", "sticker", "animation", "location", "venue", "poll"):
        if getattr(message, kind, None):
            return Attachment(kind)
    return Attachment("other")


# --- delivery -------------------------------------------------------------------------------


def delivery_error(error: TelegramError) -> DeliveryError:
    """Classify a Bot API failure for the outbox."""
    if isinstance(error, RetryAfter):
        wait = error.retry_after  # a timedelta with PTB_TIMEDELTA (see open_bot), else seconds
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return TransientDeliveryError(f"telegram: flood control, retry after {seconds:g}s", retry_after=seconds)
    if isinstance(error, (Forbidden, BadRequest, ChatMigrated)):
        # Blocked by the user, chat not found, message rejected: retrying cannot help.
        return PermanentDeliveryError(f"telegram: {type(error).__name__}: {error.message}")
    # NetworkError, TimedOut (also HTTP 5xx), InvalidToken (our configuration, fixable): retry.
    return TransientDeliveryError(f"telegram: {type(error).__name__}: {error.message}")


# --- the channel ----------------------------------------------------------------------------


class TelegramChannel:
    """Receives updates (webhook or polling) and sends replies (the outbox's sender)."""

    def __init__(
        self,
        bot: Bot,
        assistant: Assistant,
        attachments: AttachmentDesk,
        sessions: async_sessionmaker[AsyncSession],
        catalogs: Catalogs,
        tasks: TaskTracker,
        timezone: str,
        webhook_secret: str | None,
    ) -> None:
        self.bot = bot
        self._assistant = assistant
        self._attachments = attachments
        self._sessions = sessions
        self._catalogs = catalogs
        self._tasks = tasks
        self._timezone = ZoneInfo(timezone)
        self._webhook_secret = webhook_secret

    # --- in ---

    async def handle_webhook(self, request: web.Request) -> web.Response:
        """``POST /webhooks/telegram/{token}``: verify, store, then acknowledge."""
        secret = self._webhook_secret
        token = request.match_info["token"].encode()
        if secret is None or not hmac.compare_digest(token, webhook_path_token(secret).encode()):
            raise web.HTTPNotFound()
        header = request.headers.get(SECRET_HEADER)
        if header is None:
            raise web.HTTPUnauthorized(text="missing secret token")
        if not hmac.compare_digest(header.encode(), secret.encode()):
            raise web.HTTPForbidden(text="wrong secret token")
        try:
            update = read_update(json.loads(await request.read()), self.bot)
        except (ValueError, RecursionError):  # not JSON, or nested beyond what the parser follows
            update = None
        if update is None:  # nothing is stored; Telegram itself never sends such a body
            raise web.HTTPBadRequest(text="not a Telegram update")
        await self.process_update(update)
        return web.Response(status=200)

    async def process_update(self, update: Update) -> None:
        """Handle one update (from the webhook or from polling); returns once it is stored."""
        inbound = parse_update(update)
        if isinstance(inbound, TextReceived):
            await self._assistant.receive(inbound.message)
        elif isinstance(inbound, AttachmentReceived):
            await self._attachments.receive(inbound.message, inbound.attachment)
        elif isinstance(inbound, ButtonPressed):
            await self._on_button(inbound)
        elif isinstance(inbound, CalendarTurned):
            self._tasks.spawn(self._turn_calendar(inbound), name=f"telegram-calendar:{inbound.query_id}")

    async def _on_button(self, pressed: ButtonPressed) -> None:
        raw = pressed.message.payload or ""
        payload = payload_for_callback(raw, await self._recent_payloads(pressed.message.key))
        if payload is not None:  # None: a hashed payload of a reply too old to resolve
            await self._assistant.receive(dataclasses.replace(pressed.message, payload=payload))
        # Stop the button's loading spinner; after storing, so a lost update is redelivered.
        self._tasks.spawn(self._answer_query(pressed.query_id), name=f"telegram-answer:{pressed.query_id}")

    async def _answer_query(self, query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as error:
            # Cosmetic only (the spinner stops by itself); the press itself is stored.
            log.info("telegram: answerCallbackQuery failed: %s", type(error).__name__)

    async def _turn_calendar(self, turned: CalendarTurned) -> None:
        await self._answer_query(turned.query_id)
        shown = turned.message
        if turned.month is None or shown is None or shown.reply_markup is None:
            return
        conversation = await look_up(self._sessions, turned.key)
        markup = with_month(shown.reply_markup, turned.month, self._catalogs.translator(conversation.language))
        try:
            await self.bot.edit_message_reply_markup(chat_id=shown.chat.id, message_id=shown.message_id, reply_markup=markup)
        except TelegramError as error:
            log.info("telegram: calendar page not shown: %s", type(error).__name__)

    async def _recent_payloads(self, key: ConversationKey) -> list[str]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Message.buttons)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Conversation.channel == key.channel, Conversation.user_id == key.user_id, Message.direction == "out")
                .order_by(Message.id.desc())
                .limit(RECENT_REPLIES)
            )
            return [button["payload"] for raw in rows for button in json.loads(raw or "[]")]

    # --- out ---

    async def send(self, delivery: Delivery) -> str | None:
        """Send one reply (maybe in several messages, of which the first ``parts_sent`` went out in
        an earlier attempt); returns the id of the last message."""
        today = datetime.now(self._timezone).date()
        markup = keyboard_for(delivery.reply, self._catalogs.translator(delivery.language), today)
        parts = split_text(delivery.reply.text, TEXT_LIMIT)
        sent: TelegramMessage | None = None
        for number in range(delivery.parts_sent, len(parts)):
            try:
                sent = await self.bot.send_message(
                    chat_id=delivery.user_id, text=parts[number], reply_markup=markup if number == len(parts) - 1 else None
                )
            except TelegramError as error:
                failure = delivery_error(error)
                if isinstance(failure, TransientDeliveryError):
                    failure.parts_sent = number
                raise failure from error
        return str(sent.message_id) if sent is not None else None

    async def poll(self, timeout: int = 25) -> None:
        """Long-poll getUpdates forever (local development without a public URL).

        The updates arrive as raw JSON and each is read with :func:`read_update`, like the
        webhook's: ``Bot.get_updates`` parses the whole batch itself, so one malformed update
        would fail every poll (with the batch, message texts included, in its log) and could
        never be stepped over. A malformed update is skipped, not handled.
        """
        await self.bot.delete_webhook()
        request = HTTPXRequest()  # this loop's own connection: a long poll holds it open
        await request.initialize()
        try:
            await self._poll_with(request, timeout)
        finally:
            await request.shutdown()

    async def _poll_with(self, request: HTTPXRequest, timeout: int) -> None:
        offset: int | None = None
        pause = POLL_RETRY_MIN_SECONDS
        while True:
            query: dict[str, int | str] = {"timeout": timeout, "allowed_updates": json.dumps(ALLOWED_UPDATES)}
            if offset is not None:
                query["offset"] = offset
            try:
                # The Bot API takes parameters in the query string too; BaseRequest.post raises
                # the same errors as the Bot's own methods (RetryAfter, NetworkError, …).
                batch = await request.post(
                    f"{self.bot.base_url}/getUpdates?{urlencode(query)}", read_timeout=timeout + POLL_READ_MARGIN_SECONDS
                )
            except (NetworkError, RetryAfter) as error:  # Telegram or the network is down: wait, retry
                log.warning("telegram: getUpdates failed (%s); retrying in %.0fs", type(error).__name__, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, POLL_RETRY_MAX_SECONDS)
                continue
            pause = POLL_RETRY_MIN_SECONDS
            for raw in batch if isinstance(batch, list) else ():
                update = read_update(raw, self.bot)
                update_id = update_id_of(raw)
                if update is not None:
                    await self.process_update(update)
                else:
                    log.warning("telegram: skipped a malformed update (update_id %s)", update_id)
                if update_id is not None:  # Telegram's ids grow: the next poll starts after this one
                    offset = update_id + 1


# --- wiring into the app --------------------------------------------------------------------


TELEGRAM = web.AppKey("telegram_channel", TelegramChannel)


async def open_bot(config: Config) -> Bot:
    """A Bot for the configured API URL, its connections opened and its token checked."""
    # Opt in to python-telegram-bot's coming behaviour (durations as timedelta); without it,
    # every flood-control error also emits a deprecation warning from inside the library.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    settings = config.settings.telegram
    timeout = settings.request_timeout_seconds
    bot = Bot(
        config.secrets.require("TELEGRAM_TOKEN"),
        base_url=settings.base_url,
        request=HTTPXRequest(connection_pool_size=16, read_timeout=timeout, connect_timeout=timeout),
    )
    try:
        await bot.initialize()
    except InvalidToken as error:
        await bot.shutdown()
        raise ConfigError(f"Telegram rejected MIGASSIST_TELEGRAM_TOKEN: {error.message}") from None
    except TelegramError as error:
        # Telegram unreachable at start-up: serve anyway; the outbox retries sends until it is back.
        log.warning("telegram: Bot API not reachable at start-up (%s); continuing", type(error).__name__)
    return bot


def setup_telegram(app: web.Application) -> None:
    """Mount the webhook and register the sender, if ``telegram.enabled``."""
    from bot.app import (
        ASSISTANT,
        CATALOGS,
        CONFIG,
        DISPATCHER,
        SENDERS,
        SESSIONS,
        TASKS,
    )

    config = app[CONFIG]
    if not config.settings.telegram.enabled:
        return

    async def telegram_context(app: web.Application) -> AsyncIterator[None]:
        bot = await open_bot(config)
        secret = config.secrets.get("TELEGRAM_WEBHOOK_SECRET")
        if secret is None:
            log.warning("telegram: MIGASSIST_TELEGRAM_WEBHOOK_SECRET is not set; the webhook is off (polling only)")
        sessions = app[SESSIONS]
        attachments = AttachmentDesk(app[ASSISTANT], sessions, app[CATALOGS], app[DISPATCHER].kick)
        channel = TelegramChannel(
            bot, app[ASSISTANT], attachments, sessions, app[CATALOGS], app[TASKS], config.settings.flows.timezone, secret
        )
        app[TELEGRAM] = channel
        app[SENDERS][CHANNEL] = channel
        yield
        await bot.shutdown()

    async def webhook(request: web.Request) -> web.Response:
        return await request.app[TELEGRAM].handle_webhook(request)

    app.cleanup_ctx.append(telegram_context)
    app.router.add_post(WEBHOOK_PREFIX + "{token}", webhook)
