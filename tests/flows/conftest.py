"""Fixtures for flow tests: the real knowledge base and catalogs (loaded once), a table-driven NLU.

The NLU stand-in returns exactly the parse each test table states for a text, so a dialogue test
reads as "user says X, understood as Y, bot answers Z" and stays fast.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

import knowledge_base
from flows.dialogue import ConversationState, Turn
from flows.engine import DialogueEngine, EngineSettings
from flows.i18n import Catalogs, load_catalogs
from flows.messages import ConversationKey, IncomingMessage
from nlu import NluModel
from nlu.types import Entity, IntentScore, ParseResult

#: "Now" in the dialogue tests: 5 March 2026, 10:00 in Baku.
NOW = datetime(2026, 3, 5, 6, 0, tzinfo=UTC)
SETTINGS = EngineSettings(confident_threshold=0.6, clarify_threshold=0.3, timezone="Asia/Baku", conversation_timeout=timedelta(minutes=30))


@dataclass(frozen=True)
class Said:
    """What the stand-in NLU makes of one text."""

    intent: str
    confidence: float = 0.9
    language: str = "en"
    entities: tuple[Entity, ...] = ()
    ranking: tuple[tuple[str, float], ...] = ()
    language_confident: bool = True


def on(day: date) -> Entity:
    return Entity("date", day, day.isoformat(), 0, 1)


def country(code: str) -> Entity:
    return Entity("country", code, code, 0, 1)


@dataclass
class TableNlu:
    """Parses only texts it was told about; anything else is a low-confidence out_of_scope."""

    said: dict[str, Said] = field(default_factory=dict)

    def parse(self, text: str, language_hint: str | None = None, today: date | None = None) -> ParseResult:
        s = self.said.get(text, Said("out_of_scope", 0.1, language_confident=False))
        ranking = tuple(IntentScore(i, c) for i, c in s.ranking) or (IntentScore(s.intent, s.confidence),)
        return ParseResult(text, s.language, s.language_confident, s.intent, s.confidence, ranking, s.entities)


@pytest.fixture(scope="session")
def kb() -> knowledge_base.knowledge_base.KnowledgeBase:  # type: ignore[name-defined]
    from knowledge_base.loader import load

    return load()


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return load_catalogs()


@dataclass
class Chat:
    """A conversation driven turn by turn; keeps the state like the core does."""

    engine: DialogueEngine
    nlu: TableNlu
    state: ConversationState = field(default_factory=ConversationState)
    now: datetime = NOW
    turns: list[Turn] = field(default_factory=list)

    def send(self, text: str = "", payload: str | None = None, said: Said | None = None) -> Turn:
        if said is not None:
            self.nlu.said[text] = said
        message = IncomingMessage(ConversationKey("test", "u1"), str(len(self.turns)), text, self.now, payload)
        turn = self.engine.respond(self.state, message, self.now)
        self.state = turn.state
        self.turns.append(turn)
        return turn


def text_of(turn: Turn) -> str:
    return "\n".join(reply.text for reply in turn.replies)


def payloads(turn: Turn) -> list[str]:
    return [button.payload for reply in turn.replies for button in reply.buttons]


@pytest.fixture
def chat(kb: object, catalogs: Catalogs) -> Iterator[Chat]:
    nlu = TableNlu()
    yield Chat(DialogueEngine(nlu, kb, SETTINGS, catalogs), nlu)  # type: ignore[arg-type]


def run_table(chat: Chat, rows: Sequence[tuple[str | Mapping[str, object], Said | None, Sequence[str], Sequence[str]]]) -> None:
    """Play a table of turns: (text or {"payload": …}, parse, texts expected, payloads expected)."""
    for number, (message, said, expected_texts, expected_payloads) in enumerate(rows, start=1):
        if isinstance(message, str):
            turn = chat.send(message, said=said)
        else:
            turn = chat.send(str(message.get("text", "")), payload=str(message["payload"]))
        shown = text_of(turn)
        for expected in expected_texts:
            assert expected in shown, f"turn {number}: {expected!r} not in {shown!r}"
        for payload in expected_payloads:
            assert payload in payloads(turn), f"turn {number}: button {payload!r} not in {payloads(turn)}"


@pytest.fixture
def real_chat(real_nlu: NluModel, kb: object, catalogs: Catalogs) -> Chat:
    """A chat whose messages go through the real NLU (``said`` overrides are not used)."""
    return Chat(DialogueEngine(real_nlu, kb, SETTINGS, catalogs), TableNlu())  # type: ignore[arg-type]
