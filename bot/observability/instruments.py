"""Wrappers that count what passes through them: the dialogue, channel senders, HTTP requests."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.channels.base import ChannelSender, Delivery, PermanentDeliveryError
from bot.observability.metrics import ServiceMetrics
from flows.dialogue import ConversationState, Dialogue, Reading, Turn
from flows.messages import IncomingMessage


class InstrumentedDialogue:
    """A :class:`~flows.dialogue.Dialogue` that records intents, fallbacks, handoffs and time.

    A turn is counted when the dialogue decides it; the rare unit of work that fails to commit
    afterwards is retried and counted again (metrics are rates, not an audit log)."""

    def __init__(self, inner: Dialogue, metrics: ServiceMetrics, confident: float, clarify: float) -> None:
        self._inner = inner
        self._metrics = metrics
        self._confident = confident
        self._clarify = clarify

    def understand(self, message: IncomingMessage, now: datetime) -> Reading | None:
        started = time.perf_counter()
        reading = self._inner.understand(message, now)
        self._metrics.understanding_seconds.observe(time.perf_counter() - started)
        return reading

    def respond(self, state: ConversationState, message: IncomingMessage, now: datetime, reading: Reading | None = None) -> Turn:
        started = time.perf_counter()
        turn = self._inner.respond(state, message, now, reading)
        self._metrics.dialogue_seconds.observe(time.perf_counter() - started)
        understanding = turn.understanding
        if understanding is not None:
            language = understanding.language or "unknown"
            self._metrics.turns.labels(message.key.channel, language, understanding.intent or "none").inc()
            confidence = understanding.confidence
            if message.payload is None and confidence is not None and confidence < self._confident:
                kind = "clarify" if confidence >= self._clarify else "not_understood"
                self._metrics.fallbacks.labels(language, kind).inc()
        if turn.handoff is not None:
            self._metrics.handoffs.labels(turn.handoff.reason).inc()
        return turn


class InstrumentedSender:
    """A :class:`~bot.channels.base.ChannelSender` that counts attempts by outcome and times them."""

    def __init__(self, channel: str, inner: ChannelSender, metrics: ServiceMetrics) -> None:
        self.channel = channel
        self.inner = inner
        self._metrics = metrics

    async def send(self, delivery: Delivery) -> str | None:
        started = time.perf_counter()
        outcome = "retry"
        try:
            result = await self.inner.send(delivery)
            outcome = "sent"
            return result
        except PermanentDeliveryError:
            outcome = "failed"
            raise
        finally:
            self._metrics.deliveries.labels(self.channel, outcome).inc()
            self._metrics.delivery_seconds.labels(self.channel).observe(time.perf_counter() - started)


def instrument_senders(senders: dict[str, ChannelSender], metrics: ServiceMetrics) -> None:
    """Wrap every sender in ``senders`` in place (the outbox reads the same dict)."""
    for channel, sender in list(senders.items()):
        if not isinstance(sender, InstrumentedSender):
            senders[channel] = InstrumentedSender(channel, sender, metrics)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def http_metrics_middleware(metrics: ServiceMetrics) -> Middleware:
    """Count and time requests by route *template* (never the raw path: it may carry ids)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            info = request.match_info.route.resource
            route = info.canonical if info is not None else "unmatched"
            metrics.http_requests.labels(route, request.method, str(status)).inc()
            if status != 101:  # a WebSocket's "duration" is the whole chat, not a latency
                metrics.http_seconds.labels(route).observe(time.perf_counter() - started)

    return middleware
