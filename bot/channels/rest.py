"""Rasa-compatible REST channel: ``POST /webhooks/rest/webhook``.

Request ``{"sender": "...", "message": "...", "metadata": {...}}``; response: the replies to
that message as ``[{"recipient_id", "text", "buttons": [{"title", "payload"}]}]``, the format of
Rasa's REST channel, so Rasa web widgets and test tools connect unchanged. A button press is the
button's payload sent as ``message``. ``metadata.message_id`` (optional) deduplicates retries.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from aiohttp import web

from bot.channels.base import Delivery
from bot.core.assistant import Assistant
from bot.storage.base import utcnow
from flows.messages import ConversationKey, IncomingMessage, Reply

CHANNEL = "rest"
MAX_SENDER_CHARS = 128


class RequestError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def error_response(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def parse_rest_request(body: bytes, max_message_chars: int) -> tuple[str, str, dict[str, Any]]:
    """Validate a REST request body; return (sender, message, metadata) or raise RequestError."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # deep nesting recurses
        raise RequestError(400, "body must be a JSON object") from None
    if not isinstance(data, dict):
        raise RequestError(400, "body must be a JSON object")
    sender, message, metadata = data.get("sender"), data.get("message"), data.get("metadata") or {}
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        raise RequestError(400, f"'sender' must be a non-empty string of at most {MAX_SENDER_CHARS} characters")
    if not isinstance(message, str):
        raise RequestError(400, "'message' must be a string")
    if not isinstance(metadata, dict):
        raise RequestError(400, "'metadata' must be an object")
    if not message.strip():
        raise RequestError(400, "'message' must not be empty")
    if len(message) > max_message_chars:
        raise RequestError(413, f"'message' is longer than {max_message_chars} characters")
    return sender, message, metadata


def render_reply(recipient_id: str, reply: Reply) -> dict[str, Any]:
    rendered: dict[str, Any] = {"recipient_id": recipient_id, "text": reply.text}
    if reply.buttons:
        rendered["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
    return rendered


class RestChannel:
    """The HTTP handler, and the (no-op) sender: REST replies travel in the HTTP response."""

    def __init__(self, assistant: Assistant, max_message_chars: int, max_body_bytes: int) -> None:
        self._assistant = assistant
        self._max_message_chars = max_message_chars
        self._max_body_bytes = max_body_bytes

    async def send(self, delivery: Delivery) -> str | None:
        return None

    async def handle(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > self._max_body_bytes:
            return error_response(413, "request body too large")
        try:
            body = await request.content.read(self._max_body_bytes + 1)
            if len(body) > self._max_body_bytes:
                raise RequestError(413, "request body too large")
            sender, text, metadata = parse_rest_request(body, self._max_message_chars)
        except RequestError as exc:
            return error_response(exc.status, str(exc))
        client_id = metadata.get("message_id")
        # Client ids are only unique per sender, hence the prefix.
        message_id = f"{sender}:{client_id}" if isinstance(client_id, (str, int)) and str(client_id) else uuid.uuid4().hex
        incoming = IncomingMessage(
            key=ConversationKey(CHANNEL, sender),
            message_id=message_id[:200],
            text=text,
            received_at=utcnow(),
            language_hint=metadata.get("language") if isinstance(metadata.get("language"), str) else None,
        )
        _, replies = await self._assistant.receive_and_wait(incoming, typed_payloads=True)
        return web.json_response([render_reply(sender, r) for r in replies])
