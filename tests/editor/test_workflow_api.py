"""The editorial workflow through the HTTP API: roles, four-eyes, stale translations, audit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.app import SESSIONS
from bot.config import Config
from bot.storage.models import Conversation, Message
from tests.editor.conftest import EditorClient, add_staff, rest_say

ARTICLE = "registration_overview"
NEW_RU = "Да, регистрация нужна, если вы пробудете больше 15 дней. Проверочный текст редактора."


@pytest_asyncio.fixture
async def clients() -> AsyncIterator[Callable[[str], Any]]:
    opened: list[EditorClient] = []

    async def open_client(base_url: str) -> EditorClient:
        client = EditorClient(base_url)
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        await client.close()


async def _signed_in(clients: Callable[[str], Any], server: Any, username: str, role: str = "editor") -> EditorClient:
    await add_staff(server.app, username, role)
    client = await clients(server.url)
    await client.login(username)
    return client


@pytest.mark.asyncio
async def test_operators_cannot_touch_content(editor_config: Callable[..., Config], live_server: Any, clients: Any) -> None:
    server = await live_server(editor_config())
    operator = await _signed_in(clients, server, "olga", "operator")
    assert (await operator.get("/editor/api/articles"))[0] == 403
    assert (await operator.post(f"/editor/api/articles/{ARTICLE}", {"texts": {"ru": {"answer": NEW_RU}}}))[0] == 403
    assert (await operator.post("/editor/api/revisions/1/publish"))[0] == 403
    anonymous = await clients(server.url)
    assert (await anonymous.get("/editor/api/articles"))[0] == 401


@pytest.mark.asyncio
async def test_four_eyes_and_stale_translations_block_publishing_until_confirmed(
    editor_config: Callable[..., Config], live_server: Any, clients: Any
) -> None:
    server = await live_server(editor_config())  # defaults: four_eyes and block_stale_translations on
    rita = await _signed_in(clients, server, "rita")
    pavel = await _signed_in(clients, server, "pavel")

    status, draft = await rita.post(f"/editor/api/articles/{ARTICLE}", {"texts": {"ru": {"answer": NEW_RU}}, "comment": "shorter"})
    assert status == 200 and draft["status"] == "draft"
    assert (await rita.post(f"/editor/api/revisions/{draft['id']}/submit"))[0] == 200

    status, refused = await rita.post(f"/editor/api/revisions/{draft['id']}/publish")
    assert (status, refused["error"]) == (409, "four_eyes")
    status, refused = await pavel.post(f"/editor/api/revisions/{draft['id']}/publish")
    assert (status, refused["error"]) == (409, "stale_translations")
    assert "az" in refused["message"] and "en" in refused["message"]

    # The reviewer's comment, then a new draft that confirms the other languages still match.
    assert (await pavel.post(f"/editor/api/revisions/{draft['id']}/comment", {"body": "confirm az/en please"}))[0] == 200
    status, form = await rita.get(f"/editor/api/articles/{ARTICLE}?revision={draft['id']}")
    assert form["form"]["stale"] == ["az", "en"] and form["form"]["source_language"] == "ru"
    status, second = await rita.post(f"/editor/api/articles/{ARTICLE}", {"confirm": ["az", "en"]})
    assert status == 200
    # The second draft was written from the published text, so it does not carry the first one's change.
    status, second_form = await rita.get(f"/editor/api/articles/{ARTICLE}?revision={second['id']}")
    assert second_form["form"]["texts"]["ru"]["answer"] != NEW_RU

    status, diff = await pavel.get(f"/editor/api/revisions/{draft['id']}/diff")
    assert any(line.startswith("+") and "Проверочный текст" in line for line in diff["lines"])
    status, history = await pavel.get(f"/editor/api/history?path={draft['path']}")
    assert [c["body"] for c in history[1]["comments"]] == ["confirm az/en please"]

    status, audit = await pavel.get("/editor/api/audit")
    assert [(e["actor"], e["action"]) for e in reversed(audit)] == [
        ("rita", "draft"), ("rita", "submit"), ("pavel", "comment"), ("rita", "draft")
    ]
    assert NEW_RU not in await rest_say(server.url, "u1", "Нужна ли регистрация?")


@pytest.mark.asyncio
async def test_confirmed_translations_publish_and_go_live(editor_config: Callable[..., Config], live_server: Any, clients: Any) -> None:
    server = await live_server(editor_config())
    rita = await _signed_in(clients, server, "rita")
    pavel = await _signed_in(clients, server, "pavel")
    status, draft = await rita.post(
        f"/editor/api/articles/{ARTICLE}", {"texts": {"ru": {"answer": NEW_RU}}, "confirm": ["az", "en"]}
    )
    assert status == 200
    await rita.post(f"/editor/api/revisions/{draft['id']}/submit")
    status, published = await pavel.post(f"/editor/api/revisions/{draft['id']}/publish")
    assert (status, published["status"]) == (200, "published")
    assert NEW_RU in await rest_say(server.url, "u1", "Нужна ли регистрация?")
    status, articles = await pavel.get("/editor/api/articles")
    assert next(a for a in articles if a["id"] == ARTICLE)["stale"] == []


@pytest.mark.asyncio
async def test_without_four_eyes_an_author_publishes_alone(editor_config: Callable[..., Config], live_server: Any, clients: Any) -> None:
    server = await live_server(editor_config(MIGASSIST_EDITOR__FOUR_EYES="false", MIGASSIST_EDITOR__BLOCK_STALE_TRANSLATIONS="false"))
    rita = await _signed_in(clients, server, "rita")
    status, draft = await rita.post(f"/editor/api/articles/{ARTICLE}", {"texts": {"ru": {"answer": NEW_RU}}})
    assert status == 200
    _, parallel = await rita.post(f"/editor/api/articles/{ARTICLE}", {"texts": {"en": {"title": "Registration?"}}})
    await rita.post(f"/editor/api/revisions/{draft['id']}/submit")
    assert (await rita.post(f"/editor/api/revisions/{draft['id']}/publish"))[0] == 200
    # A draft written before that publish would undo it: it must be redone on the new text.
    await rita.post(f"/editor/api/revisions/{parallel['id']}/submit")
    status, refused = await rita.post(f"/editor/api/revisions/{parallel['id']}/publish")
    assert (status, refused["error"]) == (409, "overtaken")


@pytest.mark.asyncio
async def test_invalid_content_is_refused_with_the_validators_findings(
    editor_config: Callable[..., Config], live_server: Any, clients: Any
) -> None:
    server = await live_server(editor_config())
    rita = await _signed_in(clients, server, "rita")
    status, body = await rita.post(f"/editor/api/articles/{ARTICLE}", {"lists": {"intents": ["no_such_intent"]}, "confirm": []})
    assert status == 200  # loads; the whole-knowledge-base checks run when it is published
    pavel = await _signed_in(clients, server, "pavel")
    await rita.post(f"/editor/api/revisions/{body['id']}/submit")
    status, refused = await pavel.post(f"/editor/api/revisions/{body['id']}/publish")
    assert status == 422 and any("unknown intent 'no_such_intent'" in p for p in refused["problems"])
    status, bad = await rita.post(f"/editor/api/articles/{ARTICLE}", {"dates": {"verified_on": "yesterday"}})
    assert status == 422 and "verified_on" in bad["message"]
    assert (await rita.post(f"/editor/api/articles/{ARTICLE}", {"texts": ["not", "a", "mapping"]}))[0] == 422


@pytest.mark.asyncio
async def test_yaml_export_and_import_round_trip(editor_config: Callable[..., Config], live_server: Any, clients: Any) -> None:
    config = editor_config(MIGASSIST_EDITOR__FOUR_EYES="false", MIGASSIST_EDITOR__BLOCK_STALE_TRANSLATIONS="false")
    content_dir = config.settings.knowledge_base.content_dir
    server = await live_server(config)
    admin = await _signed_in(clients, server, "ada", "admin")
    rita = await _signed_in(clients, server, "rita")

    status, exported = await admin.post("/editor/api/export")
    assert (status, exported["written"]) == (200, [])  # nothing changed yet: files are byte-identical

    status, draft = await rita.post(f"/editor/api/articles/{ARTICLE}", {"texts": {"ru": {"answer": NEW_RU}}})
    await rita.post(f"/editor/api/revisions/{draft['id']}/submit")
    await rita.post(f"/editor/api/revisions/{draft['id']}/publish")
    await rita.post("/editor/api/training", {"language": "ru", "intent": "registration", "examples": ["регистрация нужна?"]})
    status, exported = await admin.post("/editor/api/export")
    assert sorted(Path(p).name for p in exported["written"]) == ["registration.yml", "ru.yml"]
    assert NEW_RU in (content_dir / "articles" / "registration.yml").read_text(encoding="utf-8")
    assert "- регистрация нужна?\n" in (config.settings.nlu.data_dir / "ru.yml").read_text(encoding="utf-8")

    # Someone edits the YAML in Git; an admin imports it and the bot answers with it at once.
    path = content_dir / "articles" / "registration.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(NEW_RU, "Текст из Git."), encoding="utf-8")
    assert (await rita.post("/editor/api/import"))[0] == 403  # import bypasses review: admins only
    status, imported = await admin.post("/editor/api/import")
    assert (status, imported["changed"]) == (200, ["articles/registration.yml"])
    assert "Текст из Git." in await rest_say(server.url, "u1", "Нужна ли регистрация?")
    assert (await admin.post("/editor/api/export"))[1]["written"] == []


async def _not_understood(app: Any, text: str) -> int:
    """A stored user question the NLU found no intent for (independent of the model's quirks)."""
    async with app[SESSIONS].begin() as session:
        conversation = Conversation(channel="rest", user_id="asker", language="ru")
        session.add(conversation)
        await session.flush()
        message = Message(
            conversation_id=conversation.id, channel="rest", direction="in", author="user",
            platform_message_id="q1", text=text, language="ru",
        )
        session.add(message)
        await session.flush()
        return message.id


NEW_ARTICLE = {
    "path": "articles/registration.yml",
    "id": "registration_hostel",
    "source_language": "ru",
    "texts": {
        "az": {"title": "Hosteldə qeydiyyat", "answer": "Hostel də sizi qeydiyyata ala bilər."},
        "ru": {"title": "Регистрация в хостеле", "answer": "Хостел тоже может зарегистрировать вас."},
        "en": {"title": "Registration at a hostel", "answer": "A hostel can register you too."},
    },
    "lists": {"intents": ["registration"], "sources": ["https://migration.gov.az/en/oyq"]},
    "legal_basis": [{"act": "migration_code", "article": "21.2"}],
    "confidence": "O",
    "dates": {"verified_on": "2026-11-20"},
}


@pytest.mark.asyncio
async def test_an_article_created_from_an_unanswered_question(
    editor_config: Callable[..., Config], live_server: Any, clients: Any
) -> None:
    server = await live_server(editor_config())
    rita = await _signed_in(clients, server, "rita")
    pavel = await _signed_in(clients, server, "pavel")
    message_id = await _not_understood(server.app, "можно ли жить в хостеле")
    _, inbox = await rita.get("/editor/api/inbox")
    assert message_id in [e["message_id"] for g in inbox for e in g["examples"]]

    incomplete = {**NEW_ARTICLE, "texts": {"ru": NEW_ARTICLE["texts"]["ru"]}}
    status, refused = await rita.post("/editor/api/articles", incomplete)
    assert status == 422 and refused["error"] == "invalid"  # every language is required
    assert (await rita.post("/editor/api/articles", {**NEW_ARTICLE, "id": "registration_overview"}))[0] == 409

    status, draft = await rita.post("/editor/api/articles", {**NEW_ARTICLE, "message_id": message_id})
    assert status == 200, draft
    _, inbox = await rita.get("/editor/api/inbox")
    assert message_id not in [e["message_id"] for g in inbox for e in g["examples"]]
    _, form = await rita.get(f"/editor/api/articles/registration_hostel?revision={draft['id']}")
    assert form["form"]["stale"] == [] and form["form"]["texts"]["en"]["title"] == "Registration at a hostel"
    await rita.post(f"/editor/api/revisions/{draft['id']}/submit")
    status, published = await pavel.post(f"/editor/api/revisions/{draft['id']}/publish")
    assert status == 200, published
    _, articles = await pavel.get("/editor/api/articles")
    assert "registration_hostel" in [a["id"] for a in articles]
    _, audit = await pavel.get("/editor/api/audit")
    assert ("rita", "inbox_article") in [(e["actor"], e["action"]) for e in audit]
