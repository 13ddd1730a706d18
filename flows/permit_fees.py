"""Work-permit fee calculator (``flow:work_permit_fee``; diagram in ``permit_fees.md``).

Inputs: the permit's duration and the processing time (working days), and whether the work is in
the liberated territories (a separate fee regime with longer permits). With both inputs the
answer is one fee; with only the duration it is that row of the table (every processing time),
with only the processing time that column (every duration). Every amount comes from
:class:`knowledge_base.tables.WorkPermitFees`.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil
from typing import Any

from flows.choices import NO_WORDS, YES_WORDS, mentions
from flows.fee_inputs import (
    MONTHS_IN_A_YEAR,
    NumberReading,
    bare_number,
    longest_months,
    mentions_a_year,
    read_bare_number,
    working_days_in,
)
from flows.flow import (
    Clarify,
    Facts,
    FlowOutcome,
    Invalid,
    Slot,
    SlotFlow,
    TurnContext,
    control_buttons,
)
from flows.i18n import Translator
from flows.messages import Button, Reply
from flows.uncertainty import basis_notes
from knowledge_base.tables import FeeRow, WorkPermitFees, WorkPermitRegime
from nlu.normalise import fold
from nlu.types import Duration

FLOW_NAME = "work_permit_fee"
GENERAL: WorkPermitRegime = "general"
LIBERATED: WorkPermitRegime = "liberated_territories"
#: Words naming the liberated territories (folded prefixes).
LIBERATED_WORDS = ("liberated", "karabakh", "qarabag", "azad edilmis", "isgaldan azad", "освобожд", "карабах", "osvobozhd")
MONTHS_PREFIX = "months:"
PROCESSING_PREFIX = "processing:"
#: Fact: a term over the general maximum the user typed, until they confirm the regime.
OFFERED_TERM = "offered_months"
REGIME_PREFIX = "regime:"


def regime_for(facts: Facts) -> WorkPermitRegime:
    return LIBERATED if facts.get("regime") == LIBERATED else GENERAL


def fee_rows(fees: WorkPermitFees, regime: WorkPermitRegime, months: int | None, processing: int | None) -> tuple[FeeRow, ...]:
    """The table cells matching the inputs given: one cell, a row, a column, or the whole regime."""
    rows = [row for row in fees.rows if row.regime == regime]
    if months is not None:
        covering = sorted({row.duration_months for row in rows if row.duration_months >= months})
        rows = [row for row in rows if covering and row.duration_months == covering[0]]
    if processing is not None:
        rows = [row for row in rows if row.processing_working_days == processing]
    return tuple(sorted(rows, key=lambda row: (row.duration_months, row.processing_working_days)))


class DurationSlot(Slot):
    name = "months"

    def prompt(self, ctx: TurnContext, facts: Facts) -> Reply:
        t = ctx.t
        fees = ctx.kb.tables.work_permit_fees
        regime = regime_for(facts)
        buttons = _term_buttons(t, fees, regime)
        if regime == GENERAL:
            buttons += (Button(t.gettext("Work in the liberated territories"), f"{REGIME_PREFIX}{LIBERATED}"),)
        return Reply(t.gettext("For how long is the permit? Pick a term or type it (e.g. 6 months)."), buttons + control_buttons(t))

    def answer(self, ctx: TurnContext, facts: Facts) -> Any | Invalid | Clarify | None:
        offered = facts.get(OFFERED_TERM)
        if offered is not None and not ctx.payload:
            # Typed yes / no to "only in the liberated territories — is the work there?".
            if mentions(fold(ctx.text), YES_WORDS):
                return offered
            if mentions(fold(ctx.text), NO_WORDS):
                return longest_months(ctx.kb.tables.work_permit_fees, GENERAL)
        number = None if ctx.payload else bare_number(ctx.text)
        if number is None:
            return self.extract(ctx, facts)
        fees = ctx.kb.tables.work_permit_fees
        reading = read_bare_number(number, fees, regime_for(facts))
        if reading in (NumberReading.MONTHS, NumberReading.LIBERATED_MONTHS):
            return number  # a liberated-territories term is confirmed in finish()
        if reading == NumberReading.MONTHS_OR_PROCESSING:
            return _ask_months_or_processing(ctx.t, number, fees, regime_for(facts))
        if reading == NumberReading.PROCESSING:
            return None  # read as the processing time by _optional_facts
        return Invalid("A work permit is issued for at most {count} months.", {"count": longest_months(fees, LIBERATED)})

    def extract(self, ctx: TurnContext, facts: Facts) -> Any | None:
        if ctx.payload and ctx.payload.startswith(MONTHS_PREFIX):
            return int(ctx.payload[len(MONTHS_PREFIX) :])
        if ctx.parse is not None:
            for entity in ctx.parse.entities_of("duration"):
                value = entity.value
                if isinstance(value, Duration) and value.unit in ("month", "year", "week"):
                    return {"month": value.amount, "year": value.amount * 12, "week": ceil(value.amount * 7 / 30)}[value.unit]
        # "на год", "yearly", "illik": a year without a digit, which the NLU does not read.
        return MONTHS_IN_A_YEAR if mentions_a_year(ctx.text) else None


def _ask_months_or_processing(t: Translator, number: int, fees: WorkPermitFees, regime: WorkPermitRegime) -> Clarify:
    """ "10": a term of 10 months, or the 10-working-day processing time?"""
    covering = min(months for months in _durations(fees, regime) if months >= number)
    text = t.gettext("Do you mean a permit for {months}, or processing in {days}?", months=_months(t, number), days=_working_days(t, number))
    buttons = (
        Button(_up_to(t, covering), f"{MONTHS_PREFIX}{number}"),
        Button(_working_days(t, number), f"{PROCESSING_PREFIX}{number}"),
    )
    return Clarify(Reply(text, buttons + control_buttons(t)))


def _ask_liberated(t: Translator, number: int, fees: WorkPermitFees) -> Reply:
    """ "18", "2 года": terms over the general maximum exist only for work in the liberated territories."""
    general = longest_months(fees, GENERAL)
    text = t.ngettext(
        "Permits for more than {count} month are issued only for work in the liberated territories. Is the work there?",
        "Permits for more than {count} months are issued only for work in the liberated territories. Is the work there?",
        general,
        count=general,
    )
    buttons = (
        Button(t.gettext("Yes, in the liberated territories"), f"{MONTHS_PREFIX}{number}"),
        Button(t.gettext("No: show the fees for {term}", term=_up_to(t, general)), f"{MONTHS_PREFIX}{general}"),
    )
    return Reply(text, buttons + control_buttons(t))


class PermitFeeFlow(SlotFlow):
    """Asks only for what is missing; the processing time is optional (then the whole row)."""

    name = FLOW_NAME
    intents = ("work_permit_fee",)
    slots = (DurationSlot(),)
    payload_prefixes = (MONTHS_PREFIX, PROCESSING_PREFIX, REGIME_PREFIX)

    def start(self, ctx: TurnContext, facts: Facts) -> FlowOutcome:
        facts = {**facts, **_optional_facts(ctx, facts)}
        if self.slots[0].extract(ctx, facts) is None and _answers_by_column(ctx, facts):
            return self.finish(ctx, facts)
        return super().start(ctx, facts)

    def handle(self, ctx: TurnContext, step: str, facts: Facts, filled: Sequence[str]) -> FlowOutcome:
        given = _optional_facts(ctx, facts)
        facts = {**facts, **given}
        outcome = super().handle(ctx, step, facts, filled)
        if outcome.understood or not given:
            return outcome
        # No term, but the processing time ("20", "20 рабочих дней") or the regime: the column for
        # that processing time, or the term question again with the regime's own terms.
        if _answers_by_column(ctx, facts):
            return self.finish(ctx, facts)
        return self.reprompt(ctx, step, facts, filled)

    def finish(self, ctx: TurnContext, facts: Facts) -> FlowOutcome:
        t = ctx.t
        fees = ctx.kb.tables.work_permit_fees
        months: int | None = facts.get("months")
        if months is not None and months > longest_months(fees, GENERAL) and facts.get("regime") != LIBERATED and not _confirmed(ctx, facts):
            # Typed, not chosen: such terms exist only in the liberated territories, so ask.
            unconfirmed = {**{key: value for key, value in facts.items() if key != "months"}, OFFERED_TERM: months}
            return FlowOutcome((_ask_liberated(t, months, fees),), self.slots[0].step, unconfirmed)
        facts = {key: value for key, value in facts.items() if key != OFFERED_TERM}
        regime = LIBERATED if months is not None and months > longest_months(fees, GENERAL) else regime_for(facts)
        facts = {**facts, "regime": regime}
        processing = facts.get("processing")
        if processing is not None and processing not in fees.processing_tiers(regime):
            processing = None
        rows = fee_rows(fees, regime, months, processing)
        lines = _fee_lines(t, rows, months, processing)
        if regime == LIBERATED:
            lines.append(t.gettext("These are the fees for work in the liberated territories (a temporary regime)."))
        lines.append(t.gettext("The employer applies for the permit and pays the fee. Re-issuing a permit, or a new permit for a new job with the same employer, is free."))
        lines += basis_notes(ctx, [fees.regime(regime).basis])
        buttons: tuple[Button, ...] = ()
        if months is not None and processing is None:
            buttons = tuple(Button(_working_days(t, days), f"{PROCESSING_PREFIX}{days}") for days in fees.processing_tiers(regime))
        elif months is None:
            buttons = _term_buttons(t, fees, regime)
        if regime == GENERAL:
            buttons += (Button(t.gettext("Work in the liberated territories"), f"{REGIME_PREFIX}{LIBERATED}"),)
        buttons += (Button(t.gettext("Another term"), f"flow:{FLOW_NAME}"), Button(t.gettext("Main menu"), "menu"))
        return FlowOutcome((Reply("\n".join(lines), buttons),), None, facts, answered=True)


def _fee_lines(t: Translator, rows: Sequence[FeeRow], months: int | None, processing: int | None) -> list[str]:
    """One fee, the row of a term (by processing time) or the column of a processing time (by term)."""
    if months is not None and processing is not None and len(rows) == 1:
        row = rows[0]
        return [
            t.gettext(
                "The state fee for a work permit for {term}, processed in {days} working days, is {amount}.",
                term=_up_to(t, row.duration_months),
                days=row.processing_working_days,
                amount=t.format_money(row.amount_azn),
            )
        ]
    if months is not None:
        header = t.gettext("State fee for a work permit for {term}, by processing time:", term=_up_to(t, rows[0].duration_months))
        items = [
            t.ngettext("{count} working day: {amount}", "{count} working days: {amount}", row.processing_working_days, count=row.processing_working_days, amount=t.format_money(row.amount_azn))
            for row in rows
        ]
    else:
        header = t.ngettext(
            "State fee for a work permit processed in {count} working day, by term:",
            "State fee for a work permit processed in {count} working days, by term:",
            processing or 0,
            count=processing,
        )
        items = [f"{_up_to(t, row.duration_months)}: {t.format_money(row.amount_azn)}" for row in rows]
    return [header] + [f"• {item}" for item in items]


def _optional_facts(ctx: TurnContext, facts: Facts) -> dict[str, Any]:
    """Processing time and regime: used when given, never asked for."""
    found: dict[str, Any] = {}
    payload = ctx.payload or ""
    if payload.startswith(REGIME_PREFIX):
        found["regime"] = payload[len(REGIME_PREFIX) :]
    elif mentions(fold(ctx.text), LIBERATED_WORDS):
        found["regime"] = LIBERATED
    if payload.startswith(PROCESSING_PREFIX):
        found["processing"] = int(payload[len(PROCESSING_PREFIX) :])
    elif (days := _processing_in_text(ctx, regime_for({**facts, **found}))) is not None:
        found["processing"] = days
    return found


def _processing_in_text(ctx: TurnContext, regime: WorkPermitRegime) -> int | None:
    """A processing time written as a bare tier number that cannot be a term ("20"), as
    "<n> working days", or as the NLU's "<n> days" when n is a processing tier."""
    fees = ctx.kb.tables.work_permit_fees
    number = bare_number(ctx.text)
    if number is not None:
        return number if read_bare_number(number, fees, regime) == NumberReading.PROCESSING else None
    # Any regime's tiers: a term over 12 months in the same message switches to the liberated one.
    tiers = set(fees.processing_tiers(GENERAL)) | set(fees.processing_tiers(LIBERATED))
    written = working_days_in(ctx.text)
    if written is not None:
        return written if written in tiers else None
    days = [e.value.amount for e in ctx.parse.entities_of("duration") if isinstance(e.value, Duration) and e.value.unit == "day"] if ctx.parse else []
    return next((amount for amount in days if amount in tiers), None)


def _confirmed(ctx: TurnContext, facts: Facts) -> bool:
    """The term came from one of the flow's own buttons (offered only where it applies), or is
    the offered liberated-territories term the user just said yes to."""
    tapped = bool(ctx.payload and ctx.payload.startswith(MONTHS_PREFIX))
    return tapped or (facts.get(OFFERED_TERM) is not None and facts.get("months") == facts.get(OFFERED_TERM))


def _answers_by_column(ctx: TurnContext, facts: Facts) -> bool:
    """Only the processing time is known (and is one of the regime's): its column answers every term."""
    return "months" not in facts and facts.get("processing") in ctx.kb.tables.work_permit_fees.processing_tiers(regime_for(facts))


def _durations(fees: WorkPermitFees, regime: WorkPermitRegime) -> list[int]:
    return sorted({row.duration_months for row in fees.rows if row.regime == regime})


def _term_buttons(t: Translator, fees: WorkPermitFees, regime: WorkPermitRegime) -> tuple[Button, ...]:
    return tuple(Button(_up_to(t, months), f"{MONTHS_PREFIX}{months}") for months in _durations(fees, regime))


def _months(t: Translator, months: int) -> str:
    return t.ngettext("{count} month", "{count} months", months, count=months)


def _working_days(t: Translator, days: int) -> str:
    return t.ngettext("{count} working day", "{count} working days", days, count=days)


def _up_to(t: Translator, months: int) -> str:
    return t.ngettext("up to {count} month", "up to {count} months", months, count=months)
