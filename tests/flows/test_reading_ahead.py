"""Reading a message's text ahead of its turn (``DialogueEngine.understand``): the turn uses
the reading only if it was made of the same text, language hint and local day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flows.dialogue import ConversationState
from flows.engine import DialogueEngine
from flows.i18n import Catalogs
from flows.messages import ConversationKey, IncomingMessage
from nlu.types import ParseResult
from tests.flows.conftest import NOW, SETTINGS, Said, TableNlu


@dataclass
class CountingNlu(TableNlu):
    parsed: list[tuple[str, str | None, date | None]] = field(default_factory=list)

    def parse(self, text: str, language_hint: str | None = None, today: date | None = None) -> ParseResult:
        self.parsed.append((text, language_hint, today))
        return super().parse(text, language_hint, today)


def message(text: str, payload: str | None = None, hint: str | None = None) -> IncomingMessage:
    return IncomingMessage(ConversationKey("test", "u1"), "m1", text, NOW, payload, hint)


def test_a_reading_of_the_same_text_spares_the_turn_a_second_parse(kb: object, catalogs: Catalogs) -> None:
    nlu = CountingNlu({"how much is a work permit?": Said("work_permit_fee", 0.95)})
    engine = DialogueEngine(nlu, kb, SETTINGS, catalogs)  # type: ignore[arg-type]
    asked = message("  how much is a work permit?  ")
    reading = engine.understand(asked, NOW)
    assert reading is not None and reading.text == "how much is a work permit?"
    turn = engine.respond(ConversationState(), asked, NOW, reading)
    assert len(nlu.parsed) == 1
    assert turn.understanding is not None and turn.understanding.intent == "work_permit_fee"
    assert turn == engine.respond(ConversationState(), asked, NOW)  # as if read in the turn


def test_a_reading_of_another_text_hint_or_day_is_not_used(kb: object, catalogs: Catalogs) -> None:
    nlu = CountingNlu({"hello": Said("greet", 0.95)})
    engine = DialogueEngine(nlu, kb, SETTINGS, catalogs)  # type: ignore[arg-type]
    reading = engine.understand(message("hello"), NOW)
    engine.respond(ConversationState(), message("hello!"), NOW, reading)
    engine.respond(ConversationState(), message("hello", hint="ru"), NOW, reading)
    engine.respond(ConversationState(), message("hello"), NOW + timedelta(days=1), reading)
    assert [text for text, _, _ in nlu.parsed] == ["hello", "hello!", "hello", "hello"]


def test_nothing_is_read_ahead_of_a_button_press_or_an_empty_text(kb: object, catalogs: Catalogs) -> None:
    nlu = CountingNlu()
    engine = DialogueEngine(nlu, kb, SETTINGS, catalogs)  # type: ignore[arg-type]
    assert engine.understand(message("Main menu", payload="menu"), NOW) is None
    assert engine.understand(message("   "), NOW) is None
    assert nlu.parsed == []


def test_a_failing_parser_is_answered_by_the_turn_not_by_the_reading(kb: object, catalogs: Catalogs) -> None:
    class BrokenNlu(TableNlu):
        def parse(self, text: str, language_hint: str | None = None, today: date | None = None) -> ParseResult:
            raise RuntimeError("a bug in the model")

    engine = DialogueEngine(BrokenNlu(), kb, SETTINGS, catalogs)  # type: ignore[arg-type]
    assert engine.understand(message("hello"), NOW) is None
    turn = engine.respond(ConversationState(), message("hello"), NOW)
    assert turn.replies and turn.state.slots.get("offer") == "not_understood"  # apology + offer of a person
