"""In-process publish/subscribe for live updates (web chat pages, operator consoles).

Subscribers get an :class:`asyncio.Queue` per topic. A slow subscriber whose queue is full
loses events rather than blocking publishers (pages re-sync their history on reconnect).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from contextlib import contextmanager
from typing import Any, Iterator

QUEUE_SIZE = 256


class EventHub:
    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

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
        """Deliver ``event`` to the topic's subscribers in this process; return how many got it."""
        delivered = 0
        for queue in self._subscribers.get(topic, ()):
            try:
                queue.put_nowait(event)
                delivered += 1
            except asyncio.QueueFull:
                pass
        return delivered
