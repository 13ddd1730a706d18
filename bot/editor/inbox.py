"""The unanswered-questions inbox: what the bot did not understand, understood only weakly, or
answered to a 👎, grouped by language and similar wording.

Texts are masked (phone numbers, e-mails, passport and application numbers) before they leave
this module, with the same rules as the logs (:func:`bot.observability.masking.mask`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.editor.audit import AuditLog
from bot.observability.masking import mask
from bot.storage.editorial import InboxDecision
from bot.storage.models import Message
from flows.messages import LANGUAGES
from knowledge_base import KnowledgeBase

RATED_DOWN = "rate:down"
MAX_MESSAGES = 1000  # newest first; enough for a working day's review
SIMILARITY = 0.5  # Jaccard overlap of word sets that puts two questions in one group
EXAMPLES_PER_GROUP = 5
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class _Group:
    language: str
    words: set[str]
    reasons: set[str] = field(default_factory=set)
    items: list[dict[str, Any]] = field(default_factory=list)


class InboxError(ValueError):
    """An inbox action was refused (unknown message, already decided, unknown article)."""


def words(text: str) -> set[str]:
    """Lower-cased words of a (masked) question, for grouping."""
    return {w for w in _WORD.findall(text.lower()) if len(w) > 1}


def similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class UnansweredInbox:
    """Reads unanswered questions and records what editors decided about them."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], confident_threshold: float) -> None:
        self._sessions = sessions
        self._threshold = confident_threshold

    async def groups(self) -> list[dict[str, Any]]:
        """Open questions grouped by language and similarity, biggest groups first."""
        async with self._sessions() as session:
            questions = await self._open_questions(session)
        groups: list[_Group] = []
        for question in questions:
            own = words(question["text"])
            group = next(
                (g for g in groups if g.language == question["language"] and similarity(g.words, own) >= SIMILARITY),
                None,
            )
            if group is None:
                group = _Group(question["language"], own)
                groups.append(group)
            group.reasons.add(question["reason"])
            group.items.append(question)
        groups.sort(key=lambda g: (-len(g.items), g.language))
        return [
            {
                "language": g.language,
                "count": len(g.items),
                "reasons": sorted(g.reasons),
                "examples": g.items[:EXAMPLES_PER_GROUP],
                "message_ids": [item["message_id"] for item in g.items],
            }
            for g in groups
        ]

    async def question(self, session: AsyncSession, message_id: int) -> Message:
        """An open inbound question by id (for the training desk)."""
        message = await session.get(Message, message_id)
        if message is None or message.direction != "in" or message.payload is not None:
            raise InboxError(f"no question {message_id}")
        if await session.scalar(select(InboxDecision.id).where(InboxDecision.message_id == message_id)) is not None:
            raise InboxError("this question was already handled")
        return message

    async def link(self, actor: str, message_id: int, article_id: str, kb: KnowledgeBase | None) -> dict[str, Any]:
        """Record that article ``article_id`` answers this question: a published one (checked in
        ``kb``), or one just written as a draft (``kb=None``)."""
        if kb is not None and not kb.has_article(article_id):
            raise InboxError(f"no article {article_id!r}")
        async with self._sessions.begin() as session:
            await self.question(session, message_id)
            decide(session, actor, message_id, "article", article_id=article_id)
        return {"ok": True}

    async def dismiss(self, actor: str, message_id: int) -> dict[str, Any]:
        async with self._sessions.begin() as session:
            await self.question(session, message_id)
            decide(session, actor, message_id, "dismissed")
        return {"ok": True}

    async def _open_questions(self, session: AsyncSession) -> list[dict[str, Any]]:
        decided = select(InboxDecision.message_id)
        weak = and_(
            Message.direction == "in",
            Message.author == "user",
            Message.payload.is_(None),
            Message.text != "",
            or_(Message.intent.is_(None), Message.confidence.is_(None), Message.confidence < self._threshold),
        )
        rows = list(
            await session.scalars(
                select(Message).where(weak, Message.id.not_in(decided)).order_by(Message.id.desc()).limit(MAX_MESSAGES)
            )
        )
        questions = [_question(m, "low_confidence" if m.intent else "not_understood") for m in rows]
        seen = {m.id for m in rows}
        for rated in await session.scalars(
            select(Message).where(Message.direction == "in", Message.payload == RATED_DOWN).order_by(Message.id.desc()).limit(MAX_MESSAGES)
        ):
            asked = await session.scalar(
                select(Message)
                .where(
                    Message.conversation_id == rated.conversation_id,
                    Message.direction == "in",
                    Message.payload.is_(None),
                    Message.text != "",
                    Message.id < rated.id,
                    Message.id.not_in(decided),
                )
                .order_by(Message.id.desc())
                .limit(1)
            )
            if asked is not None and asked.id not in seen:
                seen.add(asked.id)
                questions.append(_question(asked, "rated_down"))
        return questions


def decide(session: AsyncSession, actor: str, message_id: int, decision: str, *, intent: str | None = None, article_id: str | None = None) -> None:
    """Take the message out of the inbox, with an audit entry (ids only, never the text)."""
    session.add(InboxDecision(message_id=message_id, decision=decision, intent=intent, article_id=article_id, decided_by=actor))
    AuditLog(session).record(actor, f"inbox_{decision}", f"message {message_id}", intent=intent, article=article_id)


def _question(message: Message, reason: str) -> dict[str, Any]:
    language = message.language if message.language in LANGUAGES else "unknown"
    return {
        "message_id": message.id,
        "language": language,
        "text": mask(message.text),
        "intent": message.intent,
        "confidence": round(message.confidence, 3) if message.confidence is not None else None,
        "reason": reason,
        "at": message.created_at.isoformat(),
    }
