"""Two server processes on one database (PostgreSQL, or a SQLite file): a publish in one goes
live in the other."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot.config import Config
from bot.storage.migrate import upgrade_async
from tests.editor.conftest import EditorClient, add_staff, rest_say

ARTICLE = "registration_overview"
NEW_RU = "Да, регистрация нужна. Текст, опубликованный в другом процессе."


@pytest.mark.asyncio
async def test_publish_reaches_the_other_worker(
    editor_config: Callable[..., Config], live_server: Any, shared_database_url: str
) -> None:
    await upgrade_async(shared_database_url)
    config = editor_config(
        MIGASSIST_DATABASE_URL=shared_database_url,
        MIGASSIST_EDITOR__FOUR_EYES="false",
        MIGASSIST_EDITOR__BLOCK_STALE_TRANSLATIONS="false",
    )
    first = await live_server(config)
    second = await live_server(config)
    await add_staff(first.app, "rita")
    rita = EditorClient(first.url)
    try:
        await rita.login("rita")
        _, draft = await rita.post(f"/editor/api/articles/{ARTICLE}", {"texts": {"ru": {"answer": NEW_RU}}})
        await rita.post(f"/editor/api/revisions/{draft['id']}/submit")
        assert (await rita.post(f"/editor/api/revisions/{draft['id']}/publish"))[0] == 200
    finally:
        await rita.close()
    assert NEW_RU in await rest_say(first.url, "u1", "Нужна ли регистрация?")
    answer = ""
    for attempt in range(50):  # the announcement travels by NOTIFY; allow it a moment
        answer = await rest_say(second.url, f"u{attempt + 2}", "Нужна ли регистрация?")
        if NEW_RU in answer:
            break
        await asyncio.sleep(0.1)
    assert NEW_RU in answer
