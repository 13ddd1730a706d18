"""Publish/subscribe for live updates (web chat pages, operator consoles).

Subscribers get an :class:`asyncio.Queue` per topic. A slow subscriber whose queue is full
loses events rather than blocking publishers (pages re-sync their history on reconnect).

Within one process the hub is all there is (SQLite runs one process). With PostgreSQL several
processes serve the same users and operators, so a :class:`PostgresEventBridge` forwards every
published event through ``NOTIFY`` and delivers the other processes' events locally.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

QUEUE_SIZE = 256

Forward = Callable[[str, dict[str, Any]], None]


class EventHub:
    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._forward: Forward | None = None

    @contextmanager
    def subscribe(self, topic: str) -> Iterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers[topic].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[topic].discard(queue)
            if not self._subscribers[topic]:
                del self._subscribers[topic]

    def publish(self, topic: str, event: dict[str, Any]) -> int:
        """Deliver ``event`` to the topic's subscribers in this process (and, with a bridge, in
        every other process); return how many local subscribers got it."""
        if self._forward is not None:
            self._forward(topic, event)
        return self.deliver(topic, event)

    def deliver(self, topic: str, event: dict[str, Any]) -> int:
        """Deliver to this process's subscribers only (used by the bridge for remote events)."""
        delivered = 0
        for queue in self._subscribers.get(topic, ()):
            try:
                queue.put_nowait(event)
                delivered += 1
            except asyncio.QueueFull:
                pass
        return delivered

    def forward_to(self, forward: Forward | None) -> None:
        """Also hand every published event to ``forward`` (a cross-process bridge), or stop."""
        self._forward = forward


NOTIFY_CHANNEL = "migassist_events"
#: PostgreSQL limits a NOTIFY payload to 8000 bytes; larger events travel in pieces of this
#: many characters (at most 4 bytes each in UTF-8, plus the envelope).
PIECE_CHARS = 1500
#: Incomplete multi-piece events kept at most (a piece lost with a dropped connection must not
#: make the buffer grow for ever).
MAX_PARTIAL_EVENTS = 256
RECONNECT_SECONDS = 2.0


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """``postgresql+asyncpg://…`` → ``postgresql://…`` for a raw asyncpg connection."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresEventBridge:
    """Carries hub events between processes with PostgreSQL ``LISTEN``/``NOTIFY``.

    Each process has an ``origin`` id and ignores its own notifications (it already delivered
    them locally). Events lost while a connection is down are not replayed: pages and consoles
    re-read their state when they reconnect or on the next event.
    """

    def __init__(self, hub: EventHub, dsn: str) -> None:
        self._hub = hub
        self._dsn = dsn
        self._origin = uuid.uuid4().hex[:12]
        self._outgoing: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue(4096)
        self._pieces: dict[tuple[str, int], list[str | None]] = {}
        self._sequence = 0
        self._task: asyncio.Task[None] | None = None
        self._sender: asyncpg.Connection | None = None

    async def start(self) -> None:
        self._listener = await self._listen()
        self._hub.forward_to(self._enqueue)
        self._task = asyncio.create_task(self._send_forever(), name="event-bridge")

    async def close(self) -> None:
        self._hub.forward_to(None)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for connection in (self._sender, self._listener):
            if connection is not None and not connection.is_closed():
                await connection.close()

    async def _listen(self) -> asyncpg.Connection:
        connection = await asyncpg.connect(self._dsn)
        await connection.add_listener(NOTIFY_CHANNEL, self._on_notify)
        return connection

    def _enqueue(self, topic: str, event: dict[str, Any]) -> None:
        try:
            self._outgoing.put_nowait((topic, event))
        except asyncio.QueueFull:
            log.warning("event bridge backlog full; an event reaches this process only")

    async def _send_forever(self) -> None:
        while True:
            topic, event = await self._outgoing.get()
            try:
                if self._sender is None or self._sender.is_closed():
                    self._sender = await asyncpg.connect(self._dsn)
                if self._listener.is_closed():
                    self._listener = await self._listen()
                for payload in self._payloads(topic, event):
                    await self._sender.execute("SELECT pg_notify($1, $2)", NOTIFY_CHANNEL, payload)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                log.exception("event bridge could not notify other processes; reconnecting")
                await asyncio.sleep(RECONNECT_SECONDS)

    def _payloads(self, topic: str, event: dict[str, Any]) -> list[str]:
        message = json.dumps({"t": topic, "e": event}, ensure_ascii=False, default=str)
        self._sequence += 1
        pieces = [message[i : i + PIECE_CHARS] for i in range(0, len(message), PIECE_CHARS)] or [""]
        return [
            json.dumps({"o": self._origin, "k": self._sequence, "i": i, "n": len(pieces), "d": piece}, ensure_ascii=False)
            for i, piece in enumerate(pieces)
        ]

    def _on_notify(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            envelope = json.loads(payload)
            if envelope["o"] == self._origin:
                return
            key = (str(envelope["o"]), int(envelope["k"]))
            if key not in self._pieces and len(self._pieces) >= MAX_PARTIAL_EVENTS:
                del self._pieces[next(iter(self._pieces))]
            parts = self._pieces.setdefault(key, [None] * int(envelope["n"]))
            parts[int(envelope["i"])] = str(envelope["d"])
            if any(part is None for part in parts):
                return
            del self._pieces[key]
            message = json.loads("".join(part or "" for part in parts))
            self._hub.deliver(str(message["t"]), message["e"])
        except (ValueError, KeyError, IndexError, TypeError):
            log.warning("ignored a malformed event notification")
