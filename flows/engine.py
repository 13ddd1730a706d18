"""The dialogue engine: one incoming message and the stored state in, one :class:`Turn` out.

Order of decisions for a message (diagram in ``engine.md``):

1. an idle flow older than the conversation timeout is forgotten;
2. buttons (payloads) and their typed equivalents ("menu", "назад", "2") act at once;
3. emergencies and explicit requests for a person win over everything else; a request for
   another language switches it (the flow's question is asked again);
4. an active flow gets the message as the answer to its question; if it is no answer but a
   new question (a confident other topic, or another flow's topic with that flow's facts in
   the message), the flow is left for that question;
5. otherwise the understanding policy: confident → answer, middle → "did you mean…?",
   low or the second failure in a row → a person.

``respond`` never raises: an internal error becomes an apology and an offer of a person.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flows.choices import mentions
from flows.dialogue import ConversationState, HandoffRequest, Reading, Turn, Understanding
from flows.exemptions import ExemptionWizard
from flows.faq import answer_article, answer_intent
from flows.flow import Flow, FlowOutcome, TurnContext
from flows.i18n import DEFAULT_LANGUAGE, Catalogs, load_catalogs
from flows.knowledge import IntentParser, KnowledgeBase, find_article
from flows.messages import LANGUAGES, Button, IncomingMessage, Reply
from flows.permit_fees import PermitFeeFlow
from flows.replies import (
    TOPIC_LABELS,
    handoff_offer,
    language_buttons,
    main_menu,
    menu_payload_for_number,
    rating,
    topic_button,
)
from flows.stay import FOCUS_REGISTRATION, FOCUS_STAY, StayFlow
from flows.uncertainty import call_centre_phone
from knowledge_base.model import Article
from nlu.normalise import fold
from nlu.types import ParseResult

logger = logging.getLogger(__name__)

#: Handoff priorities: the queue serves higher first.
PRIORITY: Mapping[str, int] = {"emergency": 100, "labour_rights": 80, "asked": 50, "thumbs_down": 40, "not_understood": 30}
#: Failed attempts in a row after which a person takes over.
MAX_FAILED_ATTEMPTS = 2
#: The pending question "shall I connect you to a person?" (state.flow while it is open).
HANDOFF_OFFER = "handoff_offer"
#: How much of the conversation the handoff summary keeps.
MEMORY_LIMITS: Mapping[str, int] = {"intents": 5, "articles": 10, "texts": 3}

#: Messages of at most this many words, sent while a flow waits for an answer, and read by the flow as
#: its answer, keep the reply language (see ``DialogueEngine._is_answer_in_few_words``).
SHORT_ANSWER_WORDS = 3
#: How likely (at least) another flow's topic must be, besides its facts being in the message,
#: to leave the current flow for it: enough to rule out a stray date in an unrelated answer.
OTHER_FLOW_EVIDENCE = 0.1

CONTROL_INTENTS = frozenset({"greet", "goodbye", "thanks", "affirm", "deny", "help", "change_language", "human_handoff", "out_of_scope"})

#: Typed equivalents of the control buttons (folded; whole message only).
_CONTROL_WORDS: Mapping[str, str] = {
    **dict.fromkeys(("menu", "menyu", "меню", "start", "/start", "start over", "yeniden basla", "начать заново", "bas menyu", "главное меню", "main menu"), "menu"),
    **dict.fromkeys(("cancel", "stop", "legv et", "legv", "imtina", "отмена", "отменить", "стоп", "otmena"), "cancel"),
    **dict.fromkeys(("back", "geri", "назад", "nazad"), "back"),
}
TYPED_CONTROLS: Mapping[str, str] = {fold(word): payload for word, payload in _CONTROL_WORDS.items()}

#: "I don't know" as a whole message (folded).
NOT_KNOWING = frozenset(
    fold(phrase)
    for phrase in ("bilmirəm", "bilmirem", "bilmirem ki", "не знаю", "я не знаю", "ne znayu", "ne znaju", "i don't know", "i dont know", "dont know", "don't know", "no idea", "idk")
)

#: Words that name a language in a "please speak …" request (folded prefixes).
LANGUAGE_WORDS: Mapping[str, tuple[str, ...]] = {
    "az": ("azerbaycan", "azeri", "азербайджан", "azerbajdzhan", "azerbaijani"),
    "ru": ("rus", "рус", "russian"),
    "en": ("ingilis", "english", "англ", "angl", "inglis"),
}


@dataclass(frozen=True)
class EngineSettings:
    """Thresholds and timing (from config ``nlu.*`` and ``flows.*``)."""

    confident_threshold: float
    clarify_threshold: float
    timezone: str
    conversation_timeout: timedelta


@dataclass
class _Draft:
    """The turn being built (mutable while one message is handled, then frozen into a Turn)."""

    state: ConversationState
    replies: list[Reply] = field(default_factory=list)
    handoff: HandoffRequest | None = None

    def set_slots(self, **changes: Any) -> None:
        self.state = self.state.evolve(slots={**self.state.slots, **changes})

    def remember(self, kind: str, item: Any) -> None:
        memory = dict(self.state.slots.get("memory", {}))
        items = [*memory.get(kind, []), item][-MEMORY_LIMITS[kind] :]
        memory[kind] = items
        self.set_slots(memory=memory)

    def leave_flow(self) -> None:
        self.state = self.state.evolve(flow=None, step=None)
        self.set_slots(facts={}, filled=[], offer=None)


class DialogueEngine:
    """Satisfies :class:`flows.dialogue.Dialogue`: pure, synchronous, never raises."""

    def __init__(
        self, nlu: IntentParser, kb: KnowledgeBase, settings: EngineSettings, catalogs: Catalogs | None = None
    ) -> None:
        self._nlu = nlu
        self._kb = kb
        self._settings = settings
        self._catalogs = catalogs or load_catalogs()
        self._zone = ZoneInfo(settings.timezone)
        self._flows: dict[str, Flow] = {flow.name: flow for flow in (StayFlow(), ExemptionWizard(), PermitFeeFlow())}
        self._flow_for_intent: dict[str, Flow] = {intent: flow for flow in self._flows.values() for intent in flow.intents}

    def use_knowledge_base(self, kb: KnowledgeBase) -> None:
        """Answer from ``kb`` from the next message on (an editor published; no restart needed).

        One reference assignment: a turn already running keeps the knowledge base it started with.
        """
        self._kb = kb

    def use_nlu(self, nlu: IntentParser) -> None:
        """Understand messages with ``nlu`` from the next message on (a retrained model was activated)."""
        self._nlu = nlu

    def understand(self, message: IncomingMessage, now: datetime) -> Reading | None:
        """The NLU's parse of the message's text, ahead of :meth:`respond`; ``None`` for a button
        press or an empty text — and if parsing fails (:meth:`respond` then tries again and
        answers the failure)."""
        today = now.astimezone(self._zone).date()
        try:
            parse = self._parse(message, today, None)
        except Exception:  # must not raise; respond handles it for the user
            logger.exception("could not parse message %s ahead of its turn", message.message_id)
            return None
        return None if parse is None else Reading(message.text.strip(), message.language_hint, today, parse)

    def respond(self, state: ConversationState, message: IncomingMessage, now: datetime, reading: Reading | None = None) -> Turn:
        """Decide the replies to ``message``; internal errors become an apology and a handoff offer."""
        try:
            return self._respond(state, message, now, reading)
        except Exception:  # the boundary: the user must always get an answer
            logger.exception("dialogue failed in conversation %s, message %s", message.key, message.message_id)
            t = self._catalogs.translator(state.language)
            reply = handoff_offer(t, t.gettext("Sorry, something went wrong on my side. Would you like a person to help you?"))
            return Turn(state.evolve(flow=HANDOFF_OFFER, step="confirm", slots={**state.slots, "offer": "not_understood"}), (reply,))

    # --- one message -----------------------------------------------------------------------

    def _respond(self, state: ConversationState, message: IncomingMessage, now: datetime, reading: Reading | None) -> Turn:
        today = now.astimezone(self._zone).date()
        state = self._expire(state, now)
        text = message.text.strip()
        parse = self._parse(message, today, reading)
        language = self._language(state, parse, message, today)
        draft = _Draft(state.evolve(language=language, last_active=now.isoformat()))
        if parse is not None:
            draft.remember("texts", text)
            draft.remember("intents", [parse.intent, round(parse.confidence, 3)])
        ctx = TurnContext(message, _without_false_alarm(parse), self._catalogs.translator(language), self._catalogs, self._kb, today)
        self._decide(ctx, draft)
        understanding = Understanding(language, parse.intent, parse.confidence) if parse else Understanding(language, None, None)
        return Turn(draft.state, tuple(draft.replies), understanding, draft.handoff)

    def _parse(self, message: IncomingMessage, today: date, reading: Reading | None) -> ParseResult | None:
        """The message's parse: ``reading``'s if it was made of this text, hint and day."""
        text = message.text.strip()
        if not text or message.payload:
            return None
        if reading is not None and (reading.text, reading.language_hint, reading.day) == (text, message.language_hint, today):
            parse: ParseResult = reading.parse
            return parse
        return self._nlu.parse(text, message.language_hint, today)

    def _expire(self, state: ConversationState, now: datetime) -> ConversationState:
        if state.flow is None or state.last_active is None:
            return state
        if now - datetime.fromisoformat(state.last_active) <= self._settings.conversation_timeout:
            return state
        slots = {key: value for key, value in state.slots.items() if key == "memory"}
        return state.evolve(flow=None, step=None, slots=slots, failed_attempts=0)

    def _language(self, state: ConversationState, parse: ParseResult | None, message: IncomingMessage, today: date) -> str:
        """The user's explicit choice, else a confident detection, else what we spoke so far."""
        if state.language_chosen and state.language in LANGUAGES:
            return state.language
        if parse is not None and self._detection_counts(parse) and not self._is_answer_in_few_words(state, message, parse, today):
            return parse.language
        if state.language in LANGUAGES:
            return state.language
        hint = (message.language_hint or "")[:2].lower()
        if hint in LANGUAGES:
            return hint
        return parse.language if parse is not None and parse.language in LANGUAGES else DEFAULT_LANGUAGE

    def _is_answer_in_few_words(self, state: ConversationState, message: IncomingMessage, parse: ParseResult, today: date) -> bool:
        """A few words the waiting flow reads as the answer to its question ("na god", "6 ay", "Грузия").

        Such answers keep the conversation's language: the same words are often valid in
        several of the languages, and "na god" is detected as confident English. (Flows are
        pure, so asking the flow twice — here and when deciding — is safe.)
        """
        flow = self._flows.get(state.flow or "")
        if flow is None or state.step is None or len(message.text.split()) > SHORT_ANSWER_WORDS:
            return False
        ctx = TurnContext(message, parse, self._catalogs.translator(state.language), self._catalogs, self._kb, today)
        return flow.handle(ctx, state.step, self._facts_of(state), self._filled_of(state)).understood

    def _detection_counts(self, parse: ParseResult) -> bool:
        """Whether the detected language may set the reply language.

        A language the NLU is confident about can still come from a message in which nothing was
        understood (its known-word rule lets through gibberish that happens to contain a short
        real word): such a message (any intent below the clarify threshold, out_of_scope below
        the confident one) keeps the conversation's language.
        """
        if not parse.language_confident or parse.language not in LANGUAGES:
            return False
        settings = self._settings
        threshold = settings.confident_threshold if parse.intent == "out_of_scope" else settings.clarify_threshold
        return parse.confidence >= threshold

    def _decide(self, ctx: TurnContext, draft: _Draft) -> None:
        payload = ctx.payload or self._typed_control(ctx, draft.state)
        if payload is not None and self._on_payload(ctx, draft, payload):
            return
        parse = ctx.parse
        if parse is not None and self._is_urgent(parse):
            self._answer_intent(ctx, draft, parse.intent, parse)
            return
        if parse is not None and parse.intent == "change_language" and parse.confidence >= self._settings.confident_threshold:
            # Before any flow reads it: "по-русски" also names a country (Russia).
            self._change_language(ctx, draft)
            return
        if draft.state.flow == HANDOFF_OFFER:
            if self._on_offer_answer(ctx, draft, parse):
                return
            draft.leave_flow()
        flow = self._flows.get(draft.state.flow or "")
        if flow is not None and draft.state.step is not None:
            self._continue_flow(ctx, draft, flow)
            return
        if parse is not None:
            self._apply_policy(ctx, draft, parse)
        else:
            draft.replies.append(main_menu(ctx.t))

    def _typed_control(self, ctx: TurnContext, state: ConversationState) -> str | None:
        folded = fold(ctx.text)
        if folded in TYPED_CONTROLS or ctx.text.strip().lower() == "/start":
            return TYPED_CONTROLS.get(folded, "menu")
        return menu_payload_for_number(ctx.text) if state.flow is None else None

    def _is_urgent(self, parse: ParseResult) -> bool:
        """Emergencies and explicit requests for a person act even in the middle of a flow."""
        if parse.intent == "trafficking_emergency":
            return parse.confidence >= self._settings.clarify_threshold
        return parse.intent == "human_handoff" and parse.confidence >= self._settings.confident_threshold

    # --- buttons ---------------------------------------------------------------------------

    def _on_payload(self, ctx: TurnContext, draft: _Draft, payload: str) -> bool:
        """Act on a control payload; ``False`` for a flow's own answer payload."""
        t = ctx.t
        kind, _, value = payload.partition(":")
        if kind == "lang" and value in LANGUAGES:
            self._switch_language(ctx, draft, value)
        elif payload in ("menu", "cancel"):
            draft.leave_flow()
            draft.state = draft.state.evolve(failed_attempts=0)
            intro = t.gettext("Cancelled. What would you like to know?") if payload == "cancel" else None
            draft.replies.append(main_menu(t, intro))
        elif payload == "back":
            flow = self._flows.get(draft.state.flow or "")
            if flow is None or draft.state.step is None:
                draft.replies.append(main_menu(t))
            else:
                self._apply_outcome(ctx, draft, flow, flow.back(ctx, draft.state.step, self._facts(draft), self._filled(draft)))
        elif payload == "handoff":
            reason = draft.state.slots.get("offer") or "asked"
            self._hand_off(ctx, draft, reason)
        elif payload == "rate:up":
            draft.replies.append(Reply(t.gettext("Thank you for your feedback!")))
        elif payload == "rate:down":
            self._offer_person(ctx, draft, "thumbs_down", t.gettext("Sorry that did not help. Would you like to talk to a person?"))
        elif kind == "flow" and value in self._flows:
            self._start_flow(ctx, draft, self._flows[value], {})
        elif kind == "article":
            article = find_article(self._kb, value)
            if article is None:
                draft.replies.append(main_menu(t))
            else:
                self._add_answer(ctx, draft, answer_article(ctx, article), [article.id])
        elif kind == "intent" and (value in TOPIC_LABELS or value in CONTROL_INTENTS):
            draft.leave_flow()
            draft.state = draft.state.evolve(failed_attempts=0)
            self._answer_intent(ctx, draft, value, None)
        elif draft.state.flow is None and (owner := self._owner_of(payload)) is not None:
            # A button under a finished answer ("15 working days" under a fee table).
            same_flow = draft.state.slots.get("last_flow") == owner.name
            self._start_flow(ctx, draft, owner, draft.state.slots.get("last_facts", {}) if same_flow else {})
        else:
            return False
        return True

    def _owner_of(self, payload: str) -> Flow | None:
        return next((f for f in self._flows.values() if f.payload_prefixes and payload.startswith(f.payload_prefixes)), None)

    def _switch_language(self, ctx: TurnContext, draft: _Draft, language: str) -> None:
        draft.state = draft.state.evolve(language=language, language_chosen=True)
        t = self._catalogs.translator(language)
        draft.replies.append(Reply(t.gettext("I will answer in English from now on.")))
        switched = TurnContext(ctx.message, ctx.parse, t, ctx.catalogs, ctx.kb, ctx.today)
        flow = self._flows.get(draft.state.flow or "")
        if flow is not None and draft.state.step is not None:
            self._apply_outcome(switched, draft, flow, flow.reprompt(switched, draft.state.step, self._facts(draft), self._filled(draft)))
        else:
            draft.replies.append(main_menu(t))

    def _on_offer_answer(self, ctx: TurnContext, draft: _Draft, parse: ParseResult | None) -> bool:
        if parse is None or parse.confidence < self._settings.clarify_threshold:
            return False
        if parse.intent == "affirm":
            self._hand_off(ctx, draft, draft.state.slots.get("offer") or "asked")
            return True
        if parse.intent == "deny":
            draft.leave_flow()
            draft.replies.append(main_menu(ctx.t, ctx.t.gettext("All right. What else would you like to know?")))
            return True
        return False

    # --- flows -----------------------------------------------------------------------------

    def _start_flow(self, ctx: TurnContext, draft: _Draft, flow: Flow, facts: Mapping[str, Any]) -> None:
        draft.leave_flow()
        draft.state = draft.state.evolve(failed_attempts=0)
        self._apply_outcome(ctx, draft, flow, flow.start(ctx, facts))

    def _continue_flow(self, ctx: TurnContext, draft: _Draft, flow: Flow) -> None:
        assert draft.state.step is not None
        outcome = flow.handle(ctx, draft.state.step, self._facts(draft), self._filled(draft))
        parse = ctx.parse
        topic = self._new_topic(ctx, parse, flow) if not outcome.understood and parse is not None else None
        if topic is not None:
            # The old flow's progress is dropped: the user moved on to another question.
            draft.leave_flow()
            draft.state = draft.state.evolve(failed_attempts=0)
            self._answer_intent(ctx, draft, topic, parse)
            return
        self._apply_outcome(ctx, draft, flow, outcome)

    def _new_topic(self, ctx: TurnContext, parse: ParseResult, flow: Flow) -> str | None:
        """The topic of a new question asked while ``flow`` waits for an answer, if it is one.

        Either a confident topic (or "help") other than the flow's own, or another flow's topic
        among the top guesses when the message holds that flow's facts ("я приехал 1 марта из
        Грузии" while the fee calculator waits for a term, read as out_of_scope or unsure).
        Chit-chat and out-of-scope guesses alone do not count: short answers like "2" or "ok"
        are often misread as those, and the flow's question should simply be asked again.
        """
        confident = parse.confidence >= self._settings.confident_threshold
        if confident and parse.intent not in flow.intents and (parse.intent in TOPIC_LABELS or parse.intent == "help"):
            return parse.intent
        return self._flow_topic_with_facts(ctx, parse, flow)

    def _flow_topic_with_facts(self, ctx: TurnContext, parse: ParseResult, current: Flow | None) -> str | None:
        """A flow's topic among the NLU's top three guesses whose flow finds its facts in the message."""
        for score in parse.ranking[:3]:
            other = self._flow_for_intent.get(score.intent)
            if other is not None and other is not current and score.confidence >= OTHER_FLOW_EVIDENCE and other.recognises(ctx):
                return score.intent
        return None

    def _apply_outcome(self, ctx: TurnContext, draft: _Draft, flow: Flow, outcome: FlowOutcome) -> None:
        failed = 0 if outcome.understood else draft.state.failed_attempts + 1
        if failed >= MAX_FAILED_ATTEMPTS:
            self._set_flow(draft, flow, outcome)
            self._hand_off(ctx, draft, "not_understood")
            return
        draft.state = draft.state.evolve(failed_attempts=failed)
        if outcome.step is None:
            draft.leave_flow()
            draft.set_slots(last_facts=dict(outcome.facts), last_flow=flow.name)
            if outcome.answered:
                self._add_answer(ctx, draft, list(outcome.replies), [])
            else:
                draft.replies.extend(outcome.replies)
            return
        self._set_flow(draft, flow, outcome)
        draft.replies.extend(outcome.replies)

    def _set_flow(self, draft: _Draft, flow: Flow, outcome: FlowOutcome) -> None:
        draft.state = draft.state.evolve(flow=flow.name, step=outcome.step)
        draft.set_slots(facts=dict(outcome.facts), filled=list(outcome.filled), offer=None)

    def _facts(self, draft: _Draft) -> dict[str, Any]:
        return self._facts_of(draft.state)

    def _filled(self, draft: _Draft) -> list[str]:
        return self._filled_of(draft.state)

    @staticmethod
    def _facts_of(state: ConversationState) -> dict[str, Any]:
        return dict(state.slots.get("facts", {}))

    @staticmethod
    def _filled_of(state: ConversationState) -> list[str]:
        return list(state.slots.get("filled", []))

    # --- understanding policy --------------------------------------------------------------

    def _apply_policy(self, ctx: TurnContext, draft: _Draft, parse: ParseResult) -> None:
        settings = self._settings
        if parse.intent not in TOPIC_LABELS and parse.intent not in ("change_language", "help"):
            # "hi, I arrived on 1 March from Georgia" reads as out_of_scope or greet; its facts
            # say it is a question for the stay calculator.
            topic = self._flow_topic_with_facts(ctx, parse, None)
            if topic is not None:
                draft.state = draft.state.evolve(failed_attempts=0)
                self._answer_intent(ctx, draft, topic, parse)
                return
        plausible = parse.confidence >= settings.clarify_threshold
        control = plausible and parse.intent in CONTROL_INTENTS
        flow = self._flow_for_intent.get(parse.intent)
        backed_by_facts = plausible and flow is not None and flow.recognises(ctx)
        if parse.confidence >= settings.confident_threshold or control or backed_by_facts:
            draft.state = draft.state.evolve(failed_attempts=0)
            self._answer_intent(ctx, draft, parse.intent, parse)
            return
        failed = draft.state.failed_attempts + 1
        draft.state = draft.state.evolve(failed_attempts=failed)
        if failed >= MAX_FAILED_ATTEMPTS:
            self._hand_off(ctx, draft, "not_understood")
            return
        t = ctx.t
        if parse.confidence >= settings.clarify_threshold:
            options = [score.intent for score in parse.ranking[:3] if score.intent in TOPIC_LABELS]
            buttons = tuple(topic_button(t, intent) for intent in options)
            buttons += (Button(t.gettext("Something else"), "menu"), Button(t.gettext("Talk to a person"), "handoff"))
            draft.replies.append(Reply(t.gettext("Did you mean one of these?"), buttons))
            return
        text = t.gettext("Sorry, I did not understand. Could you say it in other words, or pick a topic?")
        draft.replies.append(main_menu(t, text))

    def _answer_intent(self, ctx: TurnContext, draft: _Draft, intent: str, parse: ParseResult | None) -> None:
        t = ctx.t
        if intent == "trafficking_emergency":
            self._show_help_lines(ctx, draft, intent)
            self._hand_off(ctx, draft, "emergency")
        elif intent == "labour_rights":
            self._show_help_lines(ctx, draft, intent)
            self._offer_person(ctx, draft, "labour_rights", t.gettext("A person from the call centre can help you with this now. Shall I connect you?"))
        elif intent == "human_handoff":
            self._hand_off(ctx, draft, "asked")
        elif intent == "change_language":
            self._change_language(ctx, draft)
        elif intent in ("stay_period", "registration"):
            focus = FOCUS_REGISTRATION if intent == "registration" else FOCUS_STAY
            stay = self._flow_for_intent[intent]
            if stay.recognises(ctx):
                self._start_flow(ctx, draft, stay, {"focus": focus})
            else:
                self._add_article_replies(ctx, draft, intent, extra=(Button(t.gettext("Calculate my dates"), f"flow:{stay.name}"),))
        elif intent in self._flow_for_intent:
            self._start_flow(ctx, draft, self._flow_for_intent[intent], {})
        elif intent in TOPIC_LABELS:
            self._add_article_replies(ctx, draft, intent)
        else:
            draft.replies.extend(answer_intent(ctx, intent))

    def _change_language(self, ctx: TurnContext, draft: _Draft) -> None:
        folded = fold(ctx.text)
        target = next((lang for lang, words in LANGUAGE_WORDS.items() if mentions(folded, words)), None)
        if target is not None:
            self._switch_language(ctx, draft, target)
        else:
            draft.replies.append(Reply(ctx.t.gettext("Which language would you like?"), language_buttons()))

    def _add_article_replies(self, ctx: TurnContext, draft: _Draft, intent: str, extra: tuple[Button, ...] = ()) -> None:
        """The primary article for ``intent`` as a rated answer, or an offer of a person."""
        article = self._primary_article(ctx, intent)
        if article is None:
            self._offer_person(ctx, draft, "asked", ctx.t.gettext("I do not have an answer to this yet. Would you like to ask a person?"))
            return
        self._add_answer(ctx, draft, answer_article(ctx, article, extra), [article.id])

    def _show_help_lines(self, ctx: TurnContext, draft: _Draft, intent: str) -> None:
        """Emergency / hotline information: the intent's article, or at least the call centre."""
        article = self._primary_article(ctx, intent)
        if article is not None:
            draft.replies.append(Reply(article.text(ctx.t.language)))
            draft.remember("articles", article.id)
            return
        phone = call_centre_phone(self._kb)
        if phone:
            draft.replies.append(Reply(ctx.t.gettext("Call centre: {phone}.", phone=phone)))

    def _primary_article(self, ctx: TurnContext, intent: str) -> Article | None:
        return next((a for a in self._kb.articles_for_intent(intent) if a.is_effective_on(ctx.today)), None)

    def _add_answer(self, ctx: TurnContext, draft: _Draft, replies: list[Reply], article_ids: list[str]) -> None:
        """A final answer: its replies, then "Was this helpful?"."""
        draft.replies.extend(replies)
        for article_id in article_ids:
            draft.remember("articles", article_id)
        draft.replies.append(rating(ctx.t))

    # --- people ----------------------------------------------------------------------------

    def _offer_person(self, ctx: TurnContext, draft: _Draft, reason: str, text: str) -> None:
        draft.state = draft.state.evolve(flow=HANDOFF_OFFER, step="confirm")
        draft.set_slots(offer=reason)
        draft.replies.append(handoff_offer(ctx.t, text))

    def _hand_off(self, ctx: TurnContext, draft: _Draft, reason: str) -> None:
        t = ctx.t
        summary = self._summary(draft, reason)
        if reason == "emergency":
            text = t.gettext("This is urgent: I am connecting you to a person right now.")
        else:
            text = t.gettext("A person from the call centre will answer you here.")
        draft.leave_flow()
        draft.state = draft.state.evolve(failed_attempts=0)
        draft.replies.append(Reply(text))
        draft.handoff = HandoffRequest(reason, PRIORITY[reason], summary)

    def _summary(self, draft: _Draft, reason: str) -> dict[str, Any]:
        slots = draft.state.slots
        memory = slots.get("memory", {})
        return {
            "reason": reason,
            "language": draft.state.language,
            "flow": draft.state.flow if draft.state.flow != HANDOFF_OFFER else None,
            "intents": [{"intent": i, "confidence": c} for i, c in memory.get("intents", [])],
            "slots": dict(slots.get("facts") or slots.get("last_facts") or {}),
            "articles": list(memory.get("articles", [])),
            "last_messages": list(memory.get("texts", [])),
        }


def _without_false_alarm(parse: ParseResult | None) -> ParseResult | None:
    """The parse the decisions use: a bare "I don't know" is never an emergency.

    The NLU has read "bilmirəm" and "не знаю" (answers to a flow's question) as
    trafficking_emergency; the next guess of its ranking is used instead. The stored
    understanding keeps the NLU's own reading.
    """
    if parse is None or parse.intent != "trafficking_emergency" or fold(parse.text) not in NOT_KNOWING:
        return parse
    ranking = tuple(score for score in parse.ranking if score.intent != "trafficking_emergency")
    if not ranking:
        return replace(parse, intent="out_of_scope", confidence=0.0, ranking=())
    return replace(parse, intent=ranking[0].intent, confidence=ranking[0].confidence, ranking=ranking)
