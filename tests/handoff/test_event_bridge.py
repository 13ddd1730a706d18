"""The NOTIFY envelope of the cross-process event bridge (no server needed for the format)."""

from __future__ import annotations

import pytest

from bot.core.events import EventHub, PostgresEventBridge, asyncpg_dsn


def test_events_larger_than_a_notify_payload_travel_in_pieces() -> None:
    sender_hub, receiver_hub = EventHub(), EventHub()
    sender = PostgresEventBridge(sender_hub, "postgresql://unused")
    receiver = PostgresEventBridge(receiver_hub, "postgresql://unused")
    event = {"type": "message", "message": {"text": "Здравствуйте, " * 400}}
    payloads = sender._payloads("handoff", event)
    assert len(payloads) > 1 and all(len(p.encode()) < 8000 for p in payloads)
    delivered = []
    receiver_hub.deliver = lambda topic, got: delivered.append((topic, got)) or 1  # type: ignore[method-assign]
    for payload in reversed(payloads):  # order of pieces does not matter
        receiver._on_notify(None, 0, "migassist_events", payload)
    assert delivered == [("handoff", event)]
    # A process ignores its own notifications: it delivered the event locally already.
    sender_hub.deliver = lambda topic, got: pytest.fail("own event delivered twice")  # type: ignore[method-assign]
    for payload in payloads:
        sender._on_notify(None, 0, "migassist_events", payload)


def test_asyncpg_dsn_drops_the_sqlalchemy_driver() -> None:
    assert asyncpg_dsn("postgresql+asyncpg://u:p@db:5432/x") == "postgresql://u:p@db:5432/x"
