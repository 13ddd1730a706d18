"""Work-permit fee calculator (``flow:work_permit_fee``; diagram in ``permit_fees.md``).

Inputs: the permit's duration and the processing time (working days), and whether the work is in
the liberated territories (a separate fee regime with longer permits). With both inputs the
answer is one fee; with only the duration it is that row of the table (every processing time),
with only the processing time that column (every duration). Every amount comes from
:class:`knowledge_base.tables.WorkPermitFees`.
"""

from __future__ import annotations

import re
from math import ceil
from typing import Any, Sequence

from flows.choices import mentions
from flows.flow import (
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


def longest_months(fees: WorkPermitFees, regime: WorkPermitRegime) -> int:
    return max(row.duration_months for row in fees.rows if row.regime == regime)


class DurationSlot(Slot):
    name = "months"

    def prompt(self, ctx: TurnContext, facts: Facts) -> Reply:
        t = ctx.t
        fees = ctx.kb.tables.work_permit_fees
        regime = regime_for(facts)
        durations = sorted({row.duration_months for row in fees.rows if row.regime == regime})
        buttons = tuple(Button(_up_to(t, months), f"{MONTHS_PREFIX}{months}") for months in durations)
        if regime == GENERAL:
            buttons += (Button(t.gettext("Work in the liberated territories"), f"{REGIME_PREFIX}{LIBERATED}"),)
        return Reply(t.gettext("For how long is the permit? Pick a term or type it (e.g. 6 months)."), buttons + control_buttons(t))

    def answer(self, ctx: TurnContext, facts: Facts) -> Any | Invalid | None:
        if ctx.payload and ctx.payload.startswith(MONTHS_PREFIX):
            return int(ctx.payload[len(MONTHS_PREFIX) :])
        number = re.fullmatch(r"\s*(\d{1,2})\s*", ctx.text)
        value = int(number.group(1)) if number else self.extract(ctx, facts)
        if value is None:
            return None
        limit = longest_months(ctx.kb.tables.work_permit_fees, LIBERATED)
        if not 1 <= value <= limit:
            return Invalid("A work permit is issued for at most {count} months.", {"count": limit})
        return value

    def extract(self, ctx: TurnContext, facts: Facts) -> Any | None:
        if ctx.parse is None:
            return None
        for entity in ctx.parse.entities_of("duration"):
            value = entity.value
            if isinstance(value, Duration) and value.unit in ("month", "year", "week"):
                return {"month": value.amount, "year": value.amount * 12, "week": ceil(value.amount * 7 / 30)}[value.unit]
        return None


class PermitFeeFlow(SlotFlow):
    """Asks only for what is missing; the processing time is optional (then the whole row)."""

    name = FLOW_NAME
    intents = ("work_permit_fee",)
    slots = (DurationSlot(),)
    payload_prefixes = (MONTHS_PREFIX, PROCESSING_PREFIX, REGIME_PREFIX)

    def start(self, ctx: TurnContext, facts: Facts) -> FlowOutcome:
        facts = {**facts, **_optional_facts(ctx, facts)}
        if "processing" in facts and "months" not in facts and self.slots[0].extract(ctx, facts) is None:
            # Only the processing time is known: the column for it answers every term at once.
            return self.finish(ctx, facts)
        return super().start(ctx, facts)

    def handle(self, ctx: TurnContext, step: str, facts: Facts, filled: Sequence[str]) -> FlowOutcome:
        return super().handle(ctx, step, {**facts, **_optional_facts(ctx, facts)}, filled)

    def finish(self, ctx: TurnContext, facts: Facts) -> FlowOutcome:
        t = ctx.t
        fees = ctx.kb.tables.work_permit_fees
        months: int | None = facts.get("months")
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
            buttons = tuple(
                Button(t.ngettext("{count} working day", "{count} working days", days, count=days), f"{PROCESSING_PREFIX}{days}")
                for days in fees.processing_tiers(regime)
            )
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
    elif ctx.parse is not None:
        tiers = set(ctx.kb.tables.work_permit_fees.processing_tiers(GENERAL)) | set(ctx.kb.tables.work_permit_fees.processing_tiers(LIBERATED))
        for entity in ctx.parse.entities_of("duration"):
            if isinstance(entity.value, Duration) and entity.value.unit == "day" and entity.value.amount in tiers:
                found["processing"] = entity.value.amount
    return found


def _up_to(t: Translator, months: int) -> str:
    return t.ngettext("up to {count} month", "up to {count} months", months, count=months)
