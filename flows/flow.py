"""The building blocks every flow shares: the turn context, outcomes and slot filling.

A flow is a small state machine whose states are *steps* named ``ask_<slot>`` (stable names:
they are persisted in :class:`flows.dialogue.ConversationState`). :class:`SlotFlow` implements
slot filling once: facts found anywhere in a message fill (or correct) their slots, the current
question is validated and re-asked with the reason when the answer does not fit, "back" forgets
the last answer, and when every slot that applies is filled the flow answers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flows.i18n import Catalogs, Translator
from flows.knowledge import KnowledgeBase
from flows.messages import Button, IncomingMessage, Reply
from nlu.types import ParseResult

Facts = Mapping[str, Any]


@dataclass(frozen=True)
class TurnContext:
    """Everything a flow may look at while handling one message (read-only)."""

    message: IncomingMessage
    parse: ParseResult | None
    t: Translator
    catalogs: Catalogs
    kb: KnowledgeBase
    today: date

    @property
    def text(self) -> str:
        return self.message.text.strip()

    @property
    def payload(self) -> str | None:
        return self.message.payload


@dataclass(frozen=True)
class FlowOutcome:
    """What a flow did with a message.

    ``step`` is the next question (``None``: the flow is finished). ``answered`` marks a final
    answer (the engine adds "Was this helpful?"); ``understood`` is false when the message was
    not a usable answer (it counts towards offering a human).
    """

    replies: tuple[Reply, ...]
    step: str | None
    facts: Facts
    filled: tuple[str, ...] = ()
    answered: bool = False
    understood: bool = True


@dataclass(frozen=True)
class Invalid:
    """An answer that does not fit the question; ``reason`` is a msgid shown before re-asking."""

    reason: str
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Clarify:
    """An answer that fits the question in more than one way; ``question`` asks which was meant.

    The flow stays at the same step, and the question's buttons carry the slot's own payloads.
    """

    question: Reply


class Slot(ABC):
    """One fact a flow collects (``name``) with its question and its readers."""

    name: str

    @property
    def step(self) -> str:
        return f"ask_{self.name}"

    def applies(self, facts: Facts) -> bool:
        """Whether the flow needs this slot given the facts so far (default: always)."""
        return True

    @abstractmethod
    def prompt(self, ctx: TurnContext, facts: Facts) -> Reply:
        """The question, with buttons or a date picker."""

    @abstractmethod
    def answer(self, ctx: TurnContext, facts: Facts) -> Any | Invalid | Clarify | None:
        """Read the message as the answer to this question (payload, number, words)."""

    def extract(self, ctx: TurnContext, facts: Facts) -> Any | None:
        """Find this fact in any message, asked or not (entities, keywords); default: nothing."""
        return None


class Flow(ABC):
    """A conversation flow: started by an intent or a ``flow:<name>`` button.

    ``intents`` are the topics it answers; ``payload_prefixes`` are the flow's own button
    payloads that may still arrive after it has answered (e.g. "processing:10" under a fee
    table); they restart it from its last facts.
    """

    name: str
    intents: tuple[str, ...] = ()
    payload_prefixes: tuple[str, ...] = ()

    def recognises(self, ctx: TurnContext) -> bool:
        """Whether the message holds facts this flow needs: evidence for its topic beyond the
        classifier's confidence (a date and a citizenship point at the stay calculator)."""
        return False

    @abstractmethod
    def start(self, ctx: TurnContext, facts: Facts) -> FlowOutcome:
        """Begin, using whatever facts the first message already holds."""

    @abstractmethod
    def handle(self, ctx: TurnContext, step: str, facts: Facts, filled: Sequence[str]) -> FlowOutcome:
        """Continue at ``step`` with the user's message."""

    @abstractmethod
    def back(self, ctx: TurnContext, step: str, facts: Facts, filled: Sequence[str]) -> FlowOutcome:
        """Forget the last answer and ask again."""

    @abstractmethod
    def reprompt(self, ctx: TurnContext, step: str, facts: Facts, filled: Sequence[str]) -> FlowOutcome:
        """Ask the current question again (after a language switch)."""


class SlotFlow(Flow):
    """A flow that fills :attr:`slots` in order and then calls :meth:`finish`."""

    slots: Sequence[Slot]

    @abstractmethod
    def finish(self, ctx: TurnContext, facts: Facts) -> FlowOutcome:
        """The answer once every applicable slot is filled."""

    def start(self, ctx: TurnContext, facts: Facts) -> FlowOutcome:
        found = self._extract_all(ctx, facts)
        return self._advance(ctx, {**facts, **found}, tuple(found))

    def handle(self, ctx: TurnContext, step: str, facts: Facts, filled: Sequence[str]) -> FlowOutcome:
        current = self._slot_for(step)
        found = self._extract_all(ctx, facts)
        answer = current.answer(ctx, facts) if current else None
        if isinstance(answer, (Invalid, Clarify)):
            if found:
                # A correction of an earlier answer, not an answer to this question.
                return self._advance(ctx, {**facts, **found}, _remember(filled, found))
            if isinstance(answer, Clarify):
                return FlowOutcome((answer.question,), step, facts, tuple(filled))
            return self._ask(ctx, current, facts, filled, error=answer)
        if answer is not None and current is not None:
            found[current.name] = answer
        if not found:
            return self._ask(ctx, current, facts, filled, error=None, understood=False)
        return self._advance(ctx, {**facts, **found}, _remember(filled, found))

    def back(self, ctx: TurnContext, step: str, facts: Facts, filled: Sequence[str]) -> FlowOutcome:
        if not filled:
            return self._advance(ctx, facts, ())
        last = filled[-1]
        remaining = {key: value for key, value in facts.items() if key != last}
        return self._advance(ctx, remaining, tuple(filled[:-1]))

    def reprompt(self, ctx: TurnContext, step: str, facts: Facts, filled: Sequence[str]) -> FlowOutcome:
        return self._advance(ctx, facts, tuple(filled))

    def _slot_for(self, step: str) -> Slot | None:
        return next((slot for slot in self.slots if slot.step == step), None)

    def _extract_all(self, ctx: TurnContext, facts: Facts) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for slot in self.slots:
            value = slot.extract(ctx, facts)
            if value is not None:
                found[slot.name] = value
        return found

    def _advance(self, ctx: TurnContext, facts: Facts, filled: tuple[str, ...]) -> FlowOutcome:
        # Drop answers that no longer apply (e.g. visa days after the entry changed to visa-free).
        facts = {k: v for k, v in facts.items() if not self._is_slot(k) or self._slot(k).applies(facts)}
        filled = tuple(name for name in filled if name in facts)
        missing = next((slot for slot in self.slots if slot.applies(facts) and slot.name not in facts), None)
        if missing is None:
            outcome = self.finish(ctx, facts)
            return FlowOutcome(outcome.replies, outcome.step, outcome.facts, filled, outcome.answered)
        return self._ask(ctx, missing, facts, filled, error=None)

    def _ask(
        self,
        ctx: TurnContext,
        slot: Slot | None,
        facts: Facts,
        filled: Sequence[str],
        error: Invalid | None,
        understood: bool = True,
    ) -> FlowOutcome:
        if slot is None:
            return self._advance(ctx, facts, tuple(filled))
        question = slot.prompt(ctx, facts)
        if error is not None:
            prefix = ctx.t.gettext(error.reason, **error.values)
        elif not understood:
            prefix = ctx.t.gettext("Sorry, I did not understand that answer.")
        else:
            prefix = None
        if prefix:
            question = Reply(f"{prefix}\n{question.text}", question.buttons, question.kind)
        # A validation error (an impossible date) is understood; only unreadable answers count
        # as failures towards offering a human.
        return FlowOutcome((question,), slot.step, facts, tuple(filled), understood=understood)

    def _is_slot(self, name: str) -> bool:
        return any(slot.name == name for slot in self.slots)

    def _slot(self, name: str) -> Slot:
        return next(slot for slot in self.slots if slot.name == name)


def _remember(filled: Sequence[str], found: Mapping[str, Any]) -> tuple[str, ...]:
    """Answer order for "back": newly found slots move to the end."""
    return tuple(name for name in filled if name not in found) + tuple(found)


def control_buttons(t: Translator) -> tuple[Button, ...]:
    """Back / cancel, offered under every question."""
    return (Button(t.gettext("Back"), "back"), Button(t.gettext("Cancel"), "cancel"))
