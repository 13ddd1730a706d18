"""Web chat: the mobile-first page at ``/`` and its WebSocket at ``/ws/chat``.

Protocol (JSON text frames). Client → server:
``{"type": "message", "id": "<client id>", "text": "...", "payload": null | "..."}``.
Server → client: ``{"type": "history", "messages": [...]}`` on connect,
``{"type": "ack", "id": ...}`` once a message is stored, ``{"type": "reply", "id", "text",
"buttons", "kind"}`` for each reply, ``{"type": "error", "id", "error"}`` for rejected input.
The page keeps a random session id in ``localStorage``, so the conversation survives reloads.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Delivery
from bot.core.assistant import Assistant
from bot.core.events import EventHub
from bot.core.outbox import reply_from_row
from bot.storage.base import utcnow
from bot.storage.models import Conversation, Message
from flows.messages import ConversationKey, IncomingMessage, Reply

log = logging.getLogger(__name__)

CHANNEL = "web"
HISTORY_LIMIT = 200
SESSION_ID = re.compile(r"^[A-Za-z0-9-]{16,64}$")
CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"


def topic(user_id: str) -> str:
    return f"{CHANNEL}:{user_id}"


def reply_event(reference: str, reply: Reply) -> dict[str, Any]:
    return {
        "type": "reply",
        "id": reference,
        "text": reply.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in reply.buttons],
        "kind": reply.kind,
    }


class WebChatChannel:
    """Serves the page and the socket, and delivers replies to every open tab of a session."""

    def __init__(
        self, assistant: Assistant, sessions: async_sessionmaker[AsyncSession], hub: EventHub, max_message_chars: int
    ) -> None:
        self._assistant = assistant
        self._sessions = sessions
        self._hub = hub
        self._max_message_chars = max_message_chars

    async def send(self, delivery: Delivery) -> str | None:
        # A closed page is fine: the reply is stored and shown from history when it reconnects.
        self._hub.publish(topic(delivery.user_id), reply_event(delivery.reference, delivery.reply))
        return None

    async def page(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "chat.html")

    async def history(self, user_id: str) -> list[dict[str, Any]]:
        async with self._sessions() as session:
            rows = (
                await session.scalars(
                    select(Message)
                    .join(Conversation, Conversation.id == Message.conversation_id)
                    .where(Conversation.channel == CHANNEL, Conversation.user_id == user_id)
                    .order_by(Message.id.desc())
                    .limit(HISTORY_LIMIT)
                )
            ).all()
        events = []
        for row in reversed(rows):
            if row.direction == "in":
                events.append({"type": "user", "id": str(row.id), "text": row.text})
            else:
                events.append(reply_event(str(row.id), reply_from_row(row)))
        return events

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        user_id = request.query.get("session", "")
        if not SESSION_ID.match(user_id):
            raise web.HTTPBadRequest(text="a 'session' query parameter of 16-64 letters, digits or '-' is required")
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=64 * 1024)
        await ws.prepare(request)
        with self._hub.subscribe(topic(user_id)) as queue:
            await ws.send_json({"type": "history", "messages": await self.history(user_id)})
            pump = asyncio.create_task(self._pump(queue, ws), name=f"webchat-pump:{user_id}")
            try:
                async for frame in ws:
                    if frame.type == WSMsgType.TEXT:
                        await self._on_frame(user_id, frame.data, ws)
            finally:
                pump.cancel()
        return ws

    @staticmethod
    async def _pump(queue: Any, ws: web.WebSocketResponse) -> None:
        while True:
            event = await queue.get()
            if ws.closed:
                return
            await ws.send_json(event)

    async def _on_frame(self, user_id: str, raw: str, ws: web.WebSocketResponse) -> None:
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):  # deep nesting recurses
            await ws.send_json({"type": "error", "id": None, "error": "malformed JSON"})
            return
        if not isinstance(data, dict) or data.get("type") != "message":
            await ws.send_json({"type": "error", "id": None, "error": "unknown frame type"})
            return
        client_id, text, payload = data.get("id"), data.get("text") or "", data.get("payload")
        if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
            await ws.send_json({"type": "error", "id": None, "error": "'id' must be 1-64 letters, digits or '-'"})
            return
        if not isinstance(text, str) or (payload is not None and not isinstance(payload, str)):
            await ws.send_json({"type": "error", "id": client_id, "error": "'text' and 'payload' must be strings"})
            return
        if not text.strip() and not payload:
            await ws.send_json({"type": "error", "id": client_id, "error": "empty message"})
            return
        if len(text) > self._max_message_chars or len(payload or "") > 256:
            await ws.send_json({"type": "error", "id": client_id, "error": "message too long", "limit": self._max_message_chars})
            return
        accepted = await self._assistant.receive(
            IncomingMessage(
                key=ConversationKey(CHANNEL, user_id),
                message_id=f"{user_id}:{client_id}",
                text=text,
                received_at=utcnow(),
                payload=payload or None,
                language_hint=data.get("language") if data.get("language") in ("az", "ru", "en") else None,
            )
        )
        await ws.send_json({"type": "ack", "id": client_id, "message_id": str(accepted.message_id)})
