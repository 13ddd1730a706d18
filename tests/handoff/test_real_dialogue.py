"""The real dialogue engine hands over to the desk, and the desk's notices are translated."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import SESSIONS
from bot.storage.handoff import HandoffEntry
from tests.handoff.staff import add_account, go_online, rest_say


@pytest.mark.asyncio
async def test_asking_for_a_person_in_russian_queues_the_chat(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config())
    await go_online(server.app, await add_account(server.app, "olga", languages="ru"))
    replies = await rest_say(server.url, "user-ru", "Позовите оператора, пожалуйста")
    assert [r["text"] for r in replies] == [
        "Сотрудник колл-центра ответит вам здесь.",  # the flow's own words
        "Вы 1-й в очереди. Примерное ожидание: около 6 минут.",  # the desk's, in the user's language
    ]
    assert {"title": "Вернуться к помощнику", "payload": "handoff:cancel"} in replies[-1]["buttons"]
    async with server.app[SESSIONS]() as session:
        entry = await session.scalar(select(HandoffEntry))
    assert entry is not None and (entry.language, entry.reason, entry.status) == ("ru", "asked", "queued")
    # While queued the bot does not answer questions; the message reaches the console only.
    assert await rest_say(server.url, "user-ru", "Сколько стоит регистрация?") == []
