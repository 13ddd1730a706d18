"""Work-permit exemption wizard (``flow:work_permit_exemption``; diagram in ``exemptions.md``).

A few questions with buttons find the Migration Code art. 64 category that applies; the verdict
cites the subclause from the knowledge-base table. "None of these" means a permit is needed,
with the next steps.
"""

from __future__ import annotations

from collections.abc import Sequence

from flows.choices import (
    NO_WORDS,
    YES_WORDS,
    Choice,
    find_keyword,
    match_choice,
    numbered_buttons,
)
from flows.flow import Facts, Flow, FlowOutcome, TurnContext, control_buttons
from flows.i18n import N_
from flows.messages import Button, Reply
from flows.uncertainty import basis_notes
from nlu.normalise import fold

FLOW_NAME = "work_permit_exemption"
STEP_COMMON = "ask_category"
STEP_OTHER = "ask_other_category"
STEP_SPOUSE = "ask_spouse_registered"
NONE = "none"
OTHER = "other"
MARRIED = "married"
#: The clause that needs a follow-up question (the citizen spouse must be registered here).
SPOUSE_CLAUSE = "64.0.14"

#: Typed "none of these" / "other cases" (folded prefixes; only answers, never a first message).
NONE_WORDS = ("none", "nothing", "neither", "not any", "hec biri", "hec ne", "hecbiri", "ничего", "ни одно", "ни то", "никак", "nichego")
OTHER_WORDS = ("other", "another", "basqa", "diger", "друг", "иное", "drug")

COMMON: tuple[Choice, ...] = (
    Choice("exempt:64.0.1", N_("I have a permanent residence permit"), ("permanent residence", "daimi yasama", "пмж", "постоянн", "pmzh")),
    Choice(f"exempt:{MARRIED}", N_("I am married to an Azerbaijani citizen"), ("married", "spouse", "wife", "husband", "evli", "heyat yoldas", "женат", "замуж", "супруг", "в браке")),
    Choice("exempt:64.0.15", N_("I am a refugee or asylum seeker"), ("refugee", "asylum", "qacqin", "sigınacaq", "sigin", "беженец", "беженц", "убежищ")),
    Choice("exempt:64.0.2", N_("I run my own business here"), ("entrepreneur", "my own business", "sahibkar", "предпринимат", "свой бизнес")),
    Choice("exempt:64.0.3", N_("I work at an embassy or consulate"), ("embassy", "consulate", "sefirlik", "konsulluq", "посольств", "консульств")),
    Choice("exempt:64.0.4", N_("I work for an international organisation"), ("international organi", "beynelxalq teskilat", "международн")),
    Choice("exempt:64.0.8", N_("I am here on a business trip"), ("business trip", "ezamiyyet", "командиров")),
    Choice(f"exempt:{OTHER}", N_("Other cases"), OTHER_WORDS),
    Choice(f"exempt:{NONE}", N_("None of these"), NONE_WORDS),
)

#: Every other art. 64 category, described by the knowledge base itself.
OTHER_CLAUSES: tuple[str, ...] = (
    "64.0.5", "64.0.6", "64.0.6-1", "64.0.7", "64.0.8-1", "64.0.9", "64.0.10", "64.0.11", "64.0.12",
    "64.0.13", "64.0.13-1", "64.0.15-1", "64.0.16", "64.0.17", "64.0.18", "64.0.19",
)

SPOUSE: tuple[Choice, ...] = (
    Choice("spouse:yes", N_("Yes"), YES_WORDS),
    Choice("spouse:no", N_("No"), NO_WORDS),
)


class ExemptionWizard(Flow):
    """Asks which art. 64 category applies and gives a verdict with the subclause."""

    name = FLOW_NAME
    intents = ("work_permit_exemption",)

    def start(self, ctx: TurnContext, facts: Facts) -> FlowOutcome:
        choice = find_keyword(fold(ctx.text), COMMON[:7]) if ctx.text else None
        if choice is not None:
            return self._after_common(ctx, choice)
        return self._ask_common(ctx)

    def handle(self, ctx: TurnContext, step: str, facts: Facts, filled: Sequence[str]) -> FlowOutcome:
        if step == STEP_SPOUSE:
            answer = _pick(ctx, SPOUSE)
            if answer is None:
                return self._ask_spouse(ctx, understood=False)
            return self._verdict(ctx, SPOUSE_CLAUSE if answer.payload == "spouse:yes" else None, spouse_unregistered=answer.payload == "spouse:no")
        if step == STEP_OTHER:
            others = self._other_choices(ctx)
            answer = _pick(ctx, others)
            if answer is None:
                return self._ask_other(ctx, understood=False)
            return self._verdict(ctx, _clause(answer))
        answer = _pick(ctx, COMMON)
        if answer is None:
            return self._ask_common(ctx, understood=False)
        return self._after_common(ctx, answer)

    def back(self, ctx: TurnContext, step: str, facts: Facts, filled: Sequence[str]) -> FlowOutcome:
        return self._ask_common(ctx)

    def reprompt(self, ctx: TurnContext, step: str, facts: Facts, filled: Sequence[str]) -> FlowOutcome:
        if step == STEP_SPOUSE:
            return self._ask_spouse(ctx)
        if step == STEP_OTHER:
            return self._ask_other(ctx)
        return self._ask_common(ctx)

    # --- questions ---------------------------------------------------------------------------

    def _ask_common(self, ctx: TurnContext, understood: bool = True) -> FlowOutcome:
        text = ctx.t.gettext("Does one of these apply to you? Pick it or type its number.")
        return _question(ctx, text, numbered_buttons(COMMON, ctx.t), STEP_COMMON, understood)

    def _ask_other(self, ctx: TurnContext, understood: bool = True) -> FlowOutcome:
        others = self._other_choices(ctx)
        text = ctx.t.gettext("Does one of these apply to you?")
        return _question(ctx, text, numbered_buttons(others, ctx.t), STEP_OTHER, understood)

    def _ask_spouse(self, ctx: TurnContext, understood: bool = True) -> FlowOutcome:
        text = ctx.t.gettext("Is your spouse registered at a place of residence in Azerbaijan?")
        return _question(ctx, text, numbered_buttons(SPOUSE, ctx.t), STEP_SPOUSE, understood)

    def _other_choices(self, ctx: TurnContext) -> tuple[Choice, ...]:
        # Labels are the knowledge base's own descriptions (already in the user's language),
        # so they are built per turn and not passed through gettext.
        table = ctx.kb.tables.exemptions
        language = ctx.t.language
        choices = tuple(
            Choice(f"exempt:{clause}", exemption.description.in_(language).capitalize(), translatable=False)
            for clause in OTHER_CLAUSES
            if (exemption := table.clause(clause)) is not None
        )
        return choices + (Choice(f"exempt:{NONE}", N_("None of these"), NONE_WORDS),)

    def _after_common(self, ctx: TurnContext, choice: Choice) -> FlowOutcome:
        value = choice.payload.split(":", 1)[1]
        if value == MARRIED:
            return self._ask_spouse(ctx)
        if value == OTHER:
            return self._ask_other(ctx)
        return self._verdict(ctx, None if value == NONE else value)

    # --- verdict -----------------------------------------------------------------------------

    def _verdict(self, ctx: TurnContext, clause: str | None, spouse_unregistered: bool = False) -> FlowOutcome:
        t = ctx.t
        table = ctx.kb.tables.exemptions
        exemption = table.clause(clause) if clause else None
        if exemption is not None:
            cited = [ref.text(t.language) for ref in exemption.basis.references if ref.article == exemption.clause]
            lines = [
                t.gettext("You do not need a work permit: {category}.", category=exemption.description.in_(t.language)),
                t.gettext("Legal basis: {reference}.", reference=cited[0] if cited else exemption.clause),
            ]
            lines += basis_notes(ctx, [exemption.basis])
            buttons: tuple[Button, ...] = ()
        else:
            lines = []
            if spouse_unregistered:
                lines.append(t.gettext("The exemption for spouses applies only when the Azerbaijani spouse is registered at a place of residence in Azerbaijan."))
            lines += [
                t.gettext("You need a work permit."),
                t.gettext("Next steps: your employer applies for the permit and pays the state fee; you will also need a temporary residence permit to live here while you work."),
            ]
            buttons = (
                Button(t.gettext("Work permit fees"), "flow:work_permit_fee"),
                Button(t.gettext("Getting a work permit"), "intent:work_permit_apply"),
            )
        lines.append(t.gettext("The list of exemptions was checked against the text in force in January 2024. Later change, not yet verified: {note}", note=table.later_changes.in_(t.language)))
        buttons += (Button(t.gettext("Start again"), "flow:work_permit_exemption"), Button(t.gettext("Main menu"), "menu"))
        facts = {"exemption": clause or NONE}
        return FlowOutcome((Reply("\n\n".join(lines), buttons),), None, facts, answered=True)


def _clause(choice: Choice) -> str | None:
    value = choice.payload.split(":", 1)[1]
    return None if value == NONE else value


def _pick(ctx: TurnContext, choices: Sequence[Choice]) -> Choice | None:
    if ctx.payload:
        return next((choice for choice in choices if choice.payload == ctx.payload), None)
    return match_choice(ctx.text, choices, ctx.catalogs)


def _question(ctx: TurnContext, text: str, buttons: tuple[Button, ...], step: str, understood: bool) -> FlowOutcome:
    if not understood:
        text = ctx.t.gettext("Sorry, I did not understand that answer.") + "\n" + text
    return FlowOutcome((Reply(text, buttons + control_buttons(ctx.t)),), step, {}, understood=understood)
