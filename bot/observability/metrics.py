"""Prometheus metrics of one process: a registry per application (no module-level globals).

Counters and histograms are updated where things happen — HTTP middleware, the instrumented
dialogue and channel senders (see :mod:`bot.observability.instruments`). Gauges of shared state
(handoff queue, outbox backlog) are read from the database at scrape time, so every worker
reports the same, correct values however many processes run.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

#: Seconds; spans a fast REST answer (ms) up to a slow platform delivery.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServiceMetrics:
    """Every metric MigAssist exports, registered on its own :class:`CollectorRegistry`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_requests = Counter(
            "migassist_http_requests", "HTTP requests by route template, method and status.",
            ["route", "method", "status"], registry=r,
        )
        self.http_seconds = Histogram(
            "migassist_http_request_duration_seconds", "Time to answer an HTTP request (REST includes the reply).",
            ["route"], buckets=LATENCY_BUCKETS, registry=r,
        )
        self.turns = Counter(
            "migassist_bot_turns", "Messages answered by the bot, by channel, detected language and intent.",
            ["channel", "language", "intent"], registry=r,
        )
        self.fallbacks = Counter(
            "migassist_fallbacks",
            "Bot turns below the confidence threshold: 'clarify' (asked 'did you mean') or 'not_understood'.",
            ["language", "kind"], registry=r,
        )
        self.handoffs = Counter(
            "migassist_handoff_requests", "Conversations the bot handed to people, by reason.", ["reason"], registry=r,
        )
        self.understanding_seconds = Histogram(
            "migassist_understanding_seconds", "Time reading a message's text (NLU) ahead of its turn.",
            buckets=LATENCY_BUCKETS, registry=r,
        )
        self.dialogue_seconds = Histogram(
            "migassist_dialogue_seconds", "Time deciding a turn (flows, and the NLU for a text not read ahead).",
            buckets=LATENCY_BUCKETS, registry=r,
        )
        self.deliveries = Counter(
            "migassist_delivery_attempts", "Reply delivery attempts by channel and outcome (sent, retry, failed).",
            ["channel", "outcome"], registry=r,
        )
        self.delivery_seconds = Histogram(
            "migassist_delivery_seconds", "Time of one delivery attempt to a channel's platform.",
            ["channel"], buckets=LATENCY_BUCKETS, registry=r,
        )
        self.rate_limited = Counter(
            "migassist_rate_limited", "Requests or messages refused by a rate limit, by scope (user, ip).",
            ["scope"], registry=r,
        )
        self.queue_length = Gauge(
            "migassist_handoff_queue_length", "Conversations waiting for an operator, by language.",
            ["language"], registry=r,
        )
        self.queue_oldest_wait = Gauge(
            "migassist_handoff_queue_oldest_wait_seconds", "How long the longest-waiting conversation has waited.",
            ["language"], registry=r,
        )
        self.recent_wait = Gauge(
            "migassist_handoff_recent_wait_seconds",
            "Mean wait from queueing to an operator taking the chat, over handoffs assigned in the last 15 minutes.",
            registry=r,
        )
        self.outbox = Gauge(
            "migassist_outbox_entries", "Replies in the outbox by status (pending, failed).", ["status"], registry=r,
        )
        self.unprocessed = Gauge(
            "migassist_unprocessed_messages", "Stored inbound messages the bot has not processed yet.", registry=r,
        )
