"""Console actions over HTTP: canned answers in the user's language, notes, transfers, wrap-up
validation, and who may see or act on a chat."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import SESSIONS
from bot.storage.handoff import HandoffEntry, HandoffNote
from bot.storage.models import Conversation, Message
from tests.handoff.staff import StaffClient, add_account, go_online, rest_say
from tests.support import EchoDialogue


@pytest.mark.asyncio
async def test_chats_are_offered_to_operators_who_speak_the_language(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(), dialogue=EchoDialogue())
    await go_online(server.app, await add_account(server.app, "olga", languages="en,ru"))
    await go_online(server.app, await add_account(server.app, "rauf", languages="az"))
    await add_account(server.app, "ada", role="admin", languages="az")
    await rest_say(server.url, "user-1", "human")  # an English-speaking user
    olga, rauf, ada = StaffClient(server.url), StaffClient(server.url), StaffClient(server.url)
    try:
        for client, name in ((olga, "olga"), (rauf, "rauf"), (ada, "ada")):
            assert await client.login(name) == 303
        entry_id = (await olga.get("/console/api/board"))["queue"][0]["id"]
        assert (await rauf.get("/console/api/board"))["queue"] == []
        assert await rauf.post(f"/console/api/chats/{entry_id}/claim") == (403, {"error": "not_your_language"})
        assert [card["id"] for card in (await ada.get("/console/api/board"))["queue"]] == [entry_id]  # admins see all
        assert (await olga.post(f"/console/api/chats/{entry_id}/claim"))[0] == 200
    finally:
        for client in (olga, rauf, ada):
            await client.close()


@pytest.mark.asyncio
async def test_console_actions_on_an_owned_chat(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(), dialogue=EchoDialogue())
    olga = await add_account(server.app, "olga", languages="en")
    rauf = await add_account(server.app, "rauf", languages="en,az")
    await go_online(server.app, olga)
    await rest_say(server.url, "user-1", "human")
    operator, colleague = StaffClient(server.url), StaffClient(server.url)
    try:
        await operator.login("olga")
        await colleague.login("rauf")
        entry_id = (await operator.get("/console/api/board"))["queue"][0]["id"]
        assert (await operator.post(f"/console/api/chats/{entry_id}/claim"))[0] == 200
        assert await colleague.post(f"/console/api/chats/{entry_id}/claim") == (409, {"error": "claimed_by_other"})
        assert await colleague.post(f"/console/api/chats/{entry_id}/reply", {"text": "x"}) == (409, {"error": "not_your_chat"})
        async with colleague.http.get(f"{server.url}/console/api/chats/{entry_id}") as response:
            assert response.status == 404  # assigned to someone else

        # Canned answers: searched in any language, given in the user's language (English here).
        hits = await operator.get("/console/api/canned?language=en&q=" + "регистрация")
        assert hits and hits[0]["id"].startswith("registration")
        assert hits[0]["title"].isascii()

        assert (await operator.post(f"/console/api/chats/{entry_id}/notes", {"text": "Asked about <b>fines</b>"}))[0] == 200
        chat = await operator.get(f"/console/api/chats/{entry_id}")
        assert chat["notes"] == [{"author": "olga", "text": "Asked about <b>fines</b>", "at": chat["notes"][0]["at"]}]
        assert chat["window_closed"] is False and chat["user_language"] == "en"
        assert chat["summary"]["reason"] == "asked" and chat["summary"]["recent_messages"][-1]["text"] == "human"

        assert await operator.post(f"/console/api/chats/{entry_id}/close", {"wrap_up": "whatever"}) == (
            400, {"error": "unknown wrap-up reason"},
        )
        # Transfer to a colleague: theirs now, and the user is told.
        assert (await operator.post(f"/console/api/chats/{entry_id}/transfer", {"operator_id": rauf.id}))[0] == 200
        assert (await colleague.get("/console/api/board"))["mine"][0]["id"] == entry_id
        # Transfer to the Azerbaijani queue: queued again for az-speaking operators.
        assert (await colleague.post(f"/console/api/chats/{entry_id}/transfer", {"language": "az"}))[0] == 200
        async with server.app[SESSIONS]() as session:
            entry = await session.get_one(HandoffEntry, entry_id)
            conversation = await session.get_one(Conversation, entry.conversation_id)
            told = (
                await session.scalars(
                    select(Message.text).where(Message.conversation_id == conversation.id, Message.direction == "out")
                )
            ).all()
            notes = (await session.scalars(select(HandoffNote.text))).all()
        assert (entry.status, entry.language, entry.operator_id, conversation.status) == ("queued", "az", None, "queued")
        assert told.count("You are being transferred to another operator, please wait.") == 2
        assert notes == ["Asked about <b>fines</b>"]
    finally:
        await operator.close()
        await colleague.close()


@pytest.mark.asyncio
async def test_whatsapp_chats_warn_when_the_24_hour_window_is_closed(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from bot.app import DESK
    from bot.storage.base import utcnow
    from flows.dialogue import HandoffRequest

    server = await live_server(handoff_config(), dialogue=EchoDialogue())
    await add_account(server.app, "olga", languages="az")
    entry_ids = []
    async with server.app[SESSIONS].begin() as session:
        for user, last_seen in (("994500000001", timedelta(hours=25)), ("994500000002", timedelta(hours=1))):
            conversation = Conversation(
                channel="whatsapp", user_id=user, state="{}", status="bot", language="az",
                last_inbound_at=utcnow() - last_seen,
            )
            session.add(conversation)
            await session.flush()
            await server.app[DESK].queue.enqueue(session, conversation, HandoffRequest("asked", 50))
            entry_ids.append((await server.app[DESK].queue.active_entry(session, conversation.id)).id)
    client = StaffClient(server.url)
    try:
        await client.login("olga")
        closed, open_ = [await client.get(f"/console/api/chats/{entry_id}") for entry_id in entry_ids]
        assert (closed["window_closed"], open_["window_closed"]) == (True, False)
        async with client.http.get(f"{server.url}/console/") as response:
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    finally:
        await client.close()
