"""The unanswered-questions inbox (grouping, masking, 👎) and the training data and model gate."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.editor.inbox import InboxError, UnansweredInbox
from bot.editor.training import (
    TrainingDesk,
    intent_examples,
    regressions,
    replace_examples,
)
from bot.storage.editorial import ModelVersion
from bot.storage.models import Conversation, Message
from nlu.paths import TRAINING_DATA_DIR


async def _conversation(sqlite_sessions: async_sessionmaker[AsyncSession], user: str, *messages: tuple[str, str | None, float | None, str | None]) -> list[int]:
    """Inbound messages ``(text, intent, confidence, payload)`` of one conversation; their ids."""
    async with sqlite_sessions.begin() as session:
        conversation = Conversation(channel="rest", user_id=user, language="ru")
        session.add(conversation)
        await session.flush()
        rows = [
            Message(conversation_id=conversation.id, channel="rest", direction="in", author="user",
                    platform_message_id=f"{user}-{n}", text=text, intent=intent, confidence=confidence,
                    payload=payload, language="ru")
            for n, (text, intent, confidence, payload) in enumerate(messages)
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


@pytest.mark.asyncio
async def test_inbox_groups_similar_questions_masks_personal_data_and_includes_thumbs_down(
    sqlite_sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _conversation(sqlite_sessions, "a", ("где получить справку о несудимости", None, None, None))
    await _conversation(sqlite_sessions, "b", ("где получить справку о несудимости срочно", "visa", 0.2, None))
    await _conversation(sqlite_sessions, "c", ("позвоните мне +994 50 123 45 67", "handoff", 0.4, None))
    await _conversation(sqlite_sessions, "d", ("сколько стоит виза", "visa", 0.95, None))  # understood
    rated = await _conversation(
        sqlite_sessions, "e", ("нужна ли регистрация", "registration", 0.9, None), ("", None, None, "rate:down")
    )
    inbox = UnansweredInbox(sqlite_sessions, confident_threshold=0.6)
    groups = await inbox.groups()

    biggest = groups[0]
    assert biggest["count"] == 2 and biggest["language"] == "ru"
    assert biggest["reasons"] == ["low_confidence", "not_understood"]
    texts = [example["text"] for group in groups for example in group["examples"]]
    assert "сколько стоит виза" not in texts
    assert "нужна ли регистрация" in texts  # confidently answered, but rated 👎
    assert any("[phone]" in text for text in texts) and not any("123 45 67" in text for text in texts)

    await inbox.dismiss("rita", rated[0])
    assert "нужна ли регистрация" not in [e["text"] for g in await inbox.groups() for e in g["examples"]]
    with pytest.raises(InboxError):
        await inbox.dismiss("rita", rated[0])


def test_replacing_one_intents_examples_keeps_the_rest_of_the_file() -> None:
    body = (TRAINING_DATA_DIR / "ru.yml").read_text(encoding="utf-8")
    before = intent_examples(body)
    changed = replace_examples(body, "registration", [*before["registration"], "новый пример"])
    after = intent_examples(changed)
    assert after["registration"] == [*before["registration"], "новый пример"]
    assert {k: v for k, v in after.items() if k != "registration"} == {k: v for k, v in before.items() if k != "registration"}
    assert changed.splitlines()[:4] == body.splitlines()[:4]  # header comments and version kept


def _figures(overall: float, az: float) -> dict[str, object]:
    return {
        "overall": {"accuracy": overall, "macro_f1": overall},
        "by_language": {"az": {"accuracy": az}, "ru": {"accuracy": 0.9}},
        "by_intent": {},
    }


def test_activation_gate_allows_drops_within_the_margin_only() -> None:
    live = _figures(0.90, 0.90)
    assert regressions({"candidate": _figures(0.895, 0.891), "live": live}, 0.01) == []
    assert regressions({"candidate": _figures(0.95, 0.85), "live": live}, 0.01) == ["az accuracy"]
    assert regressions({"candidate": _figures(0.85, 0.90), "live": live}, 0.01) == ["overall accuracy", "overall macro_f1"]


@pytest.mark.asyncio
async def test_a_training_interrupted_by_a_restart_is_marked_failed(sqlite_sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sqlite_sessions.begin() as session:
        session.add(ModelVersion(status="training", path="x.pkl", created_by="rita"))
    # recover() needs only the database; the other collaborators are never touched.
    desk = TrainingDesk(sqlite_sessions, Settings(), None, None, None)  # type: ignore[arg-type]
    await desk.recover()
    async with sqlite_sessions() as session:
        row = await session.scalar(select(ModelVersion))
    assert row is not None and (row.status, row.error) == ("failed", "interrupted by a restart")
