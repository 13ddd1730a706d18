"""Publish/subscribe for live updates (web chat pages, operator consoles).

Subscribers get an :class:`asyncio.Queue` per topic. A slow subscriber whose queue is full
loses events rather than blocking publishers (pages re-sync their history on reconnect).

Several worker processes serve the same users and operators, so a bridge forwards every
published event to the other processes, which deliver it to their own subscribers: with
PostgreSQL a :class:`PostgresEventBridge` (``LISTEN``/``NOTIFY``), with SQLite — whose workers
share one machine and one database file — a :class:`LocalEventBridge` (Unix datagram sockets).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bot.storage.database import is_sqlite, sqlite_file

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


def encode_event(topic: str, event: dict[str, Any]) -> str:
    """One hub event as it travels between processes (JSON)."""
    return json.dumps({"t": topic, "e": event}, ensure_ascii=False, default=str)


def decode_event(message: str | bytes) -> tuple[str, dict[str, Any]]:
    """The topic and event of :func:`encode_event`'s text; ``ValueError``/``KeyError``/
    ``TypeError`` if it is not one."""
    decoded = json.loads(message)
    return str(decoded["t"]), dict(decoded["e"])


#: Seconds after which a local bridge lists its peers again even if the registry looks unchanged.
PEERS_MAX_AGE = 1.0


class LocalEventBridge:
    """Carries hub events between the processes of one machine that share a SQLite database.

    Each process binds a Unix datagram socket in Linux's abstract namespace (no file, no path
    length limit to meet) and registers it as an empty file of the same name (pid and a random
    part) in ``registry``, a directory next to the database. Publishing sends the event to every
    registered peer, without waiting: a peer that is gone (its registration is removed) or too
    busy to read (the event is dropped, as the hub drops events for a full queue) never holds up
    the publisher. Pages and consoles re-read their state when they reconnect.
    """

    #: Larger events are not forwarded (far beyond any message the service carries).
    MAX_EVENT_BYTES = 128 * 1024

    def __init__(self, hub: EventHub, registry: os.PathLike[str] | str) -> None:
        self._hub = hub
        self._registry = os.fspath(registry)
        # Processes of another database (another data directory) never see these sockets.
        self._namespace = hashlib.sha256(os.path.realpath(self._registry).encode()).hexdigest()[:16]
        self._name = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._socket: socket.socket | None = None
        self._peers: list[str] = []
        self._seen_registry: int | None = None
        self._listed_at = 0.0

    async def start(self) -> None:
        os.makedirs(self._registry, exist_ok=True)
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.MAX_EVENT_BYTES * 2)
        self._socket.setblocking(False)
        self._socket.bind(self._address(self._name))
        # A small local file, once at start-up: not worth a worker thread.
        open(os.path.join(self._registry, self._name), "w").close()  # noqa: ASYNC230
        asyncio.get_running_loop().add_reader(self._socket.fileno(), self._receive)
        self._hub.forward_to(self._send)

    async def close(self) -> None:
        self._hub.forward_to(None)
        if self._socket is not None:
            asyncio.get_running_loop().remove_reader(self._socket.fileno())
            self._socket.close()
            self._socket = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(self._registry, self._name))

    def _address(self, name: str) -> bytes:
        return f"\0migassist-events-{self._namespace}-{name}".encode()

    def _send(self, topic: str, event: dict[str, Any]) -> None:
        assert self._socket is not None
        message = encode_event(topic, event).encode()
        if len(message) > self.MAX_EVENT_BYTES:
            log.warning("an event of %d bytes is too large to forward; it reaches this process only", len(message))
            return
        for peer in self._current_peers():
            try:
                self._socket.sendto(message, self._address(peer))
            except ConnectionRefusedError:  # the process is gone: forget it
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(self._registry, peer))
            except BlockingIOError:
                log.warning("process %s is not reading events; one event did not reach it", peer)

    def _current_peers(self) -> list[str]:
        """The other registered processes: the directory is listed again when it changed, and at
        least every :data:`PEERS_MAX_AGE` seconds (a change within the file system's timestamp
        granularity can leave the modification time as it was)."""
        changed = os.stat(self._registry).st_mtime_ns
        now = time.monotonic()
        if changed != self._seen_registry or now - self._listed_at > PEERS_MAX_AGE:
            self._seen_registry, self._listed_at = changed, now
            self._peers = [name for name in os.listdir(self._registry) if name != self._name]
        return self._peers

    def _receive(self) -> None:
        assert self._socket is not None
        while True:
            try:
                message = self._socket.recv(self.MAX_EVENT_BYTES)
            except BlockingIOError:
                return
            try:
                topic, event = decode_event(message)
            except (ValueError, KeyError, TypeError):
                log.warning("ignored a malformed event from another process")
                continue
            self._hub.deliver(topic, event)


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
        message = encode_event(topic, event)
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
            self._hub.deliver(*decode_event("".join(part or "" for part in parts)))
        except (ValueError, KeyError, IndexError, TypeError):
            log.warning("ignored a malformed event notification")


def event_bridge(hub: EventHub, database_url: str) -> LocalEventBridge | PostgresEventBridge | None:
    """The bridge that links the hubs of all processes serving ``database_url`` (none for an
    in-memory SQLite database, which only one process can see). Call ``start()`` on it."""
    if not is_sqlite(database_url):
        return PostgresEventBridge(hub, asyncpg_dsn(database_url))
    database = sqlite_file(database_url)
    return None if database is None else LocalEventBridge(hub, f"{database}-events")
