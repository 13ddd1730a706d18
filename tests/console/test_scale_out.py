"""Two app instances (each with its own engine, event hub and bridge, as two worker processes
would have) on one real PostgreSQL (NOTIFY bridge) or one SQLite file (Unix-socket bridge, turns
on the writer lock file): claims stay atomic and live events reach every console."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.app import SESSIONS
from bot.storage.handoff import HandoffEntry
from bot.storage.migrate import upgrade_async
from tests.handoff.staff import StaffClient, add_account, go_online, rest_say
from tests.support import EchoDialogue

CHATS = 3


@pytest.mark.asyncio
async def test_concurrent_claims_on_two_instances_have_one_winner(make_config, live_server, shared_database_url) -> None:  # type: ignore[no-untyped-def]
    await upgrade_async(shared_database_url)
    config = make_config(MIGASSIST_DATABASE_URL=shared_database_url, MIGASSIST_SESSION_SECRET="shared-secret-" * 3)
    first = await live_server(config, dialogue=EchoDialogue())
    second = await live_server(config, dialogue=EchoDialogue())
    olga = await add_account(first.app, "olga")
    rauf = await add_account(first.app, "rauf")
    for operator in (olga, rauf):
        await go_online(first.app, operator)
    on_first, on_second = StaffClient(first.url), StaffClient(second.url)
    try:
        assert await on_first.login("olga") == 303
        assert await on_second.login("rauf") == 303
        console = await on_second.http.ws_connect(f"{second.url}/console/ws", headers={"Origin": second.url})

        # A user writes to the first instance; the console on the second one hears of it live.
        for number in range(CHATS):
            await rest_say(first.url, f"user-{number}", "human")
        event = await asyncio.wait_for(_next_queue_event(console), 10)
        assert event == {"type": "queue"}
        await console.close()

        board = await on_second.get("/console/api/board")
        assert len(board["queue"]) == CHATS
        for card in board["queue"]:
            path = f"/console/api/chats/{card['id']}/claim"
            results = await asyncio.gather(on_first.post(path), on_second.post(path))
            assert sorted(status for status, _ in results) == [200, 409]
            loser = next(body for status, body in results if status == 409)
            assert loser == {"error": "claimed_by_other"}
            winner = olga.id if results[0][0] == 200 else rauf.id
            async with first.app[SESSIONS]() as session:
                entry = await session.scalar(select(HandoffEntry).where(HandoffEntry.id == card["id"]))
            assert entry is not None and (entry.status, entry.operator_id) == ("assigned", winner)
    finally:
        await on_first.close()
        await on_second.close()


async def _next_queue_event(console) -> dict:  # type: ignore[no-untyped-def,type-arg]
    while True:
        event = await console.receive_json()
        if event.get("type") == "queue":
            return event
