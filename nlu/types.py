"""Result types of :meth:`nlu.NluModel.parse` (the narrow API flows depend on)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

EntityKind = Literal["date", "duration", "country", "money", "application_number"]
DurationUnit = Literal["day", "week", "month", "year"]


@dataclass(frozen=True, slots=True)
class Duration:
    """A span such as "6 months" / "6 ay" / "полгода" (``amount=6, unit="month"``)."""

    amount: int
    unit: DurationUnit


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of money such as "1000 AZN" / "1 000 манат"."""

    amount: Decimal
    currency: str  # ISO 4217, e.g. "AZN", "USD"


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity found in the message; ``start``/``end`` index the original text.

    ``value`` by kind: ``date`` → :class:`datetime.date`; ``duration`` → :class:`Duration`;
    ``country`` → ISO 3166-1 alpha-2 code (``"KZ"``); ``money`` → :class:`Money`;
    ``application_number`` → the number as written, without spaces.
    """

    kind: EntityKind
    value: date | Duration | Money | str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class IntentScore:
    intent: str
    confidence: float


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What the NLU understood of one message.

    ``language`` is ``az``, ``ru`` or ``en``; ``language_confident`` is false for very short or
    ambiguous messages, where the caller should keep the conversation's current language.
    ``confidence`` is the calibrated probability of ``intent``; ``ranking`` lists the top intents
    (best first, ``ranking[0].intent == intent``).
    """

    text: str
    language: str
    language_confident: bool
    intent: str
    confidence: float
    ranking: tuple[IntentScore, ...]
    entities: tuple[Entity, ...]

    def entities_of(self, kind: EntityKind) -> tuple[Entity, ...]:
        return tuple(e for e in self.entities if e.kind == kind)
