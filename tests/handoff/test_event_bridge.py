"""The cross-process event bridges: the NOTIFY envelope (no server needed for the format) and
the Unix-socket bridge of processes sharing a SQLite database."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from bot.core.events import EventHub, LocalEventBridge, PostgresEventBridge, asyncpg_dsn, event_bridge


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


@pytest.mark.asyncio
async def test_processes_on_one_sqlite_database_hear_each_others_events(tmp_path: Path) -> None:
    registry = tmp_path / "migassist.db-events"
    hubs = [EventHub() for _ in range(3)]
    bridges = [LocalEventBridge(hub, registry) for hub in hubs]
    for bridge in bridges:
        await bridge.start()
    try:
        with hubs[0].subscribe("t") as own, hubs[1].subscribe("t") as second, hubs[2].subscribe("t") as third:
            event = {"type": "message", "text": "Salam 👋 " * 500}
            assert hubs[0].publish("t", event) == 1
            assert await asyncio.wait_for(second.get(), 5) == event
            assert await asyncio.wait_for(third.get(), 5) == event
            assert own.get_nowait() == event and own.empty()  # delivered once, locally

            # A process that died without unregistering is forgotten by the next publisher.
            await bridges[2].close()
            (registry / "4242-deadbeef").touch()
            hubs[1].publish("t", {"n": 2})
            assert await asyncio.wait_for(own.get(), 5) == {"n": 2}
            assert sorted(p.name for p in registry.iterdir()) == sorted(b._name for b in bridges[:2])

            # Garbage on the socket is ignored; the bridge keeps working.
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as stranger:
                stranger.sendto(b"\xff not json", bridges[0]._address(bridges[0]._name))
            hubs[1].publish("t", {"n": 3})
            assert await asyncio.wait_for(own.get(), 5) == {"n": 3}
    finally:
        for bridge in bridges:
            await bridge.close()


def test_the_bridge_follows_the_database() -> None:
    assert isinstance(event_bridge(EventHub(), "postgresql+asyncpg://u:p@db/x"), PostgresEventBridge)
    assert isinstance(event_bridge(EventHub(), "sqlite:////srv/migassist/data/migassist.db"), LocalEventBridge)
    assert event_bridge(EventHub(), "sqlite://") is None  # in memory: one process only
