"""The contract between the core (``bot/``) and the flows: state in, turn out.

The core owns persistence and delivery; a :class:`Dialogue` is a pure, synchronous decision:
given the stored :class:`ConversationState` and one :class:`IncomingMessage` it returns a
:class:`Turn` — the replies to send, the new state, what was understood (stored with the
message for analytics) and, when a person must take over, a :class:`HandoffRequest`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from flows.messages import IncomingMessage, Reply


@dataclass(frozen=True, slots=True)
class ConversationState:
    """What the assistant remembers about one conversation between messages (persisted as JSON).

    ``language`` is the reply language; ``language_chosen`` is true once the user picked it
    explicitly (an explicit choice beats detection). ``flow``/``step`` name the active flow and
    its step (stable names: they are stored), ``slots`` the facts collected so far (JSON values).
    """

    language: str | None = None
    language_chosen: bool = False
    flow: str | None = None
    step: str | None = None
    slots: Mapping[str, Any] = field(default_factory=dict)
    failed_attempts: int = 0
    last_active: str | None = None

    def to_json(self) -> str:
        # The fields as they are (no deep copy as with asdict): this runs on every message.
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return json.dumps(fields, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str | None) -> ConversationState:
        if not raw:
            return cls()
        data = json.loads(raw)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def evolve(self, **changes: Any) -> ConversationState:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Understanding:
    """What the NLU made of a message: stored on the inbound message row."""

    language: str
    intent: str | None
    confidence: float | None


@dataclass(frozen=True, slots=True)
class HandoffRequest:
    """The flow decided a person must take over.

    ``reason`` is one of ``asked``, ``not_understood``, ``thumbs_down``, ``emergency``,
    ``labour_rights``; ``priority`` is higher for more urgent cases (emergency highest);
    ``summary`` is a JSON-serialisable digest (intents with confidence, slots, articles shown).
    """

    reason: str
    priority: int
    summary: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Turn:
    """The outcome of one message: replies, new state, understanding and an optional handoff."""

    state: ConversationState
    replies: tuple[Reply, ...]
    understanding: Understanding | None = None
    handoff: HandoffRequest | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    """What a dialogue read in a message's text on a given day, before the turn.

    Understanding a text (the NLU) does not depend on the conversation, so the core computes it
    before it takes the conversation's transaction (:meth:`Dialogue.understand`) and hands it
    to :meth:`Dialogue.respond`; the transaction — on SQLite the one write lock every process
    shares — then holds only the decision and the writes. ``parse`` belongs to the dialogue
    (opaque to the core); ``text``, ``language_hint`` and ``day`` say what it was computed for.
    """

    text: str
    language_hint: str | None
    day: date
    parse: Any


class Dialogue(Protocol):
    """Anything that turns one incoming message into a :class:`Turn`."""

    def understand(self, message: IncomingMessage, now: datetime) -> Reading | None:
        """Read the message's text ahead of the turn (``None``: nothing to read, e.g. a button
        press); must not do I/O and must not raise for any user input."""
        ...

    def respond(self, state: ConversationState, message: IncomingMessage, now: datetime, reading: Reading | None = None) -> Turn:
        """Decide the reply, using ``reading`` if it was made of this message's text on the
        same day (else the text is read again); must not do I/O and must not raise for any
        user input."""
        ...

