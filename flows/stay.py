"""The stay-period and registration calculator flow (``flow:stay``; diagram in ``stay.md``).

Asks for the arrival date, the way the person entered, a visa's days of stay (visa only) and
citizenship — skipping whatever the first message already said — then answers with the
registration deadline, the last day of the stay, days left, how to extend, what happens after,
and the counting conventions and uncertainties behind the numbers.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from babel import Locale

from flows.choices import Choice, find_keyword, match_choice, mentions, numbered_buttons
from flows.date_input import date_payload, read_date
from flows.flow import (
    Facts,
    FlowOutcome,
    Invalid,
    Slot,
    SlotFlow,
    TurnContext,
    control_buttons,
)
from flows.i18n import N_, Translator
from flows.messages import LANGUAGES, Button, Reply
from flows.stay_calculator import StayAssessment, StayFacts, assess_stay
from flows.uncertainty import basis_notes, call_centre_phone
from nlu.normalise import fold
from nlu.types import Duration

FLOW_NAME = "stay"
#: Which question the user asked first; the answer leads with it.
FOCUS_REGISTRATION = "registration"
FOCUS_STAY = "stay"
#: Arrival dates further back than this are almost certainly typos (a year typed wrongly).
MAX_PAST_YEARS = 5
#: How far ahead a planned arrival may lie.
MAX_FUTURE_DAYS = 366

ENTRY_CHOICES: tuple[Choice, ...] = (
    Choice(
        "entry:visa_free",
        N_("Visa-free"),
        ("visa free", "without visa", "without a visa", "no visa", "vizasiz", "viza olmadan", "без виз", "безвиз", "bez viz"),
    ),
    Choice(
        "entry:e_visa",
        N_("E-visa (ASAN Visa)"),
        ("e visa", "evisa", "electronic visa", "asan vis", "asan viz", "elektron viz", "электронн", "е виз", "elektronn"),
    ),
    Choice(
        "entry:residence_permit",
        N_("Residence permit"),
        ("residence permit", "trp", "yasama icaz", "yasamaq ucun icaz", "вид на жительство", "внж", "vnzh", "разрешение на временное"),
    ),
    Choice("entry:visa", N_("Visa in my passport"), ("visa", "viza", "виз", "vizu", "vizy")),
)
VISA_CHOICE = ENTRY_CHOICES[-1]

OTHER_COUNTRY = "other"
#: Typed answers meaning "another country" ("other", "başqa", "другая").
OTHER_COUNTRY_WORDS = ("other", "another", "basqa", "diger", "друг", "drug", "иная", "иное")


class ArrivalSlot(Slot):
    name = "arrival"

    def prompt(self, ctx: TurnContext, facts: Facts) -> Reply:
        t = ctx.t
        yesterday = ctx.today - timedelta(days=1)
        buttons = (
            Button(t.gettext("Today"), date_payload(ctx.today)),
            Button(t.gettext("Yesterday"), date_payload(yesterday)),
        ) + control_buttons(t)
        text = t.gettext("On what date did you arrive in Azerbaijan? Type it like {example} or pick it.", example="01.03.2026")
        return Reply(text, buttons, kind="date_picker")

    def answer(self, ctx: TurnContext, facts: Facts) -> Any | Invalid | None:
        return self.extract_or_invalid(ctx)

    def extract(self, ctx: TurnContext, facts: Facts) -> Any | None:
        value = self.extract_or_invalid(ctx)
        return None if isinstance(value, Invalid) else value

    def extract_or_invalid(self, ctx: TurnContext) -> str | Invalid | None:
        value = read_date(ctx)
        if value is None or isinstance(value, Invalid):
            return value
        if value < ctx.today - timedelta(days=366 * MAX_PAST_YEARS):
            return Invalid("{date} is too long ago for this calculator. Please check the year.", {"date": ctx.t.format_date(value)})
        if value > ctx.today + timedelta(days=MAX_FUTURE_DAYS):
            return Invalid("{date} is more than a year ahead. Please check the year.", {"date": ctx.t.format_date(value)})
        return value.isoformat()


class EntrySlot(Slot):
    name = "entry"

    def prompt(self, ctx: TurnContext, facts: Facts) -> Reply:
        text = ctx.t.gettext("How did you enter Azerbaijan?")
        return Reply(text, numbered_buttons(ENTRY_CHOICES, ctx.t) + control_buttons(ctx.t))

    def answer(self, ctx: TurnContext, facts: Facts) -> Any | Invalid | None:
        choice = _payload_choice(ctx, ENTRY_CHOICES) or match_choice(ctx.text, ENTRY_CHOICES, ctx.catalogs)
        return choice.payload.split(":", 1)[1] if choice else None

    def extract(self, ctx: TurnContext, facts: Facts) -> Any | None:
        choice = _payload_choice(ctx, ENTRY_CHOICES) or find_keyword(fold(ctx.text), ENTRY_CHOICES)
        return choice.payload.split(":", 1)[1] if choice else None


class VisaDaysSlot(Slot):
    name = "visa_days"
    PAYLOAD_PREFIX = "visa_days:"
    MAX_DAYS = 730

    def applies(self, facts: Facts) -> bool:
        return facts.get("entry") == "visa"

    def prompt(self, ctx: TurnContext, facts: Facts) -> Reply:
        t = ctx.t
        visa_types = ctx.kb.tables.stay_limits.visa_types
        buttons = tuple(
            Button(
                t.ngettext("{name}: {count} day", "{name}: {count} days", v.max_stay_days, name=v.name.in_(t.language), count=v.max_stay_days),
                f"{self.PAYLOAD_PREFIX}{v.max_stay_days}",
            )
            for v in visa_types
        )
        text = t.gettext("How many days of stay does your visa allow? Type the number written in the visa, or pick the visa type (its maximum).")
        return Reply(text, buttons + control_buttons(t))

    def answer(self, ctx: TurnContext, facts: Facts) -> Any | Invalid | None:
        if ctx.payload and ctx.payload.startswith(self.PAYLOAD_PREFIX):
            return _bounded_days(ctx.payload[len(self.PAYLOAD_PREFIX) :], self.MAX_DAYS)
        number = re.fullmatch(r"\s*(\d{1,4})\s*", ctx.text)
        if number:
            return _bounded_days(number.group(1), self.MAX_DAYS)
        return self.extract(ctx, facts)

    def extract(self, ctx: TurnContext, facts: Facts) -> Any | None:
        # A number of days is a visa's period only when the visa is known or named in this message.
        visa_named = facts.get("entry") == "visa" or find_keyword(fold(ctx.text), (VISA_CHOICE,)) is not None
        if ctx.parse is None or not visa_named:
            return None
        for entity in ctx.parse.entities_of("duration"):
            if isinstance(entity.value, Duration) and entity.value.unit == "day" and 0 < entity.value.amount <= self.MAX_DAYS:
                return entity.value.amount
        return None


def _bounded_days(text: str, maximum: int) -> int | Invalid:
    days = int(text) if text.isdigit() else 0
    if not 1 <= days <= maximum:
        return Invalid("Please type the number of days, for example 30.")
    return days


class CountrySlot(Slot):
    name = "country"
    PAYLOAD_PREFIX = "country:"

    def applies(self, facts: Facts) -> bool:
        return facts.get("entry") != "residence_permit"

    def prompt(self, ctx: TurnContext, facts: Facts) -> Reply:
        t = ctx.t
        names = Locale.parse(t.language).territories
        buttons = tuple(
            Button(f"{number}. {names.get(code, code) if code != OTHER_COUNTRY else t.gettext('Another country')}", f"{self.PAYLOAD_PREFIX}{code}")
            for number, code in enumerate(_country_options(ctx), start=1)
        )
        text = t.gettext("What is your citizenship? Type the country or pick one (these have special rules).")
        return Reply(text, buttons + control_buttons(t))

    def answer(self, ctx: TurnContext, facts: Facts) -> Any | Invalid | None:
        found = self.extract(ctx, facts)
        if found is not None:
            return found
        options = _country_options(ctx)
        number = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", ctx.text)
        if number:
            index = int(number.group(1)) - 1
            return options[index] if 0 <= index < len(options) else None
        folded = fold(ctx.text)
        if folded in {fold(ctx.catalogs.translator(lang).gettext("Another country")) for lang in LANGUAGES} or mentions(folded, OTHER_COUNTRY_WORDS):
            return OTHER_COUNTRY
        return _country_by_name(ctx.text)

    def extract(self, ctx: TurnContext, facts: Facts) -> Any | None:
        if ctx.payload and ctx.payload.startswith(self.PAYLOAD_PREFIX):
            code = ctx.payload[len(self.PAYLOAD_PREFIX) :]
            return code if code == OTHER_COUNTRY or len(code) == 2 else None
        if ctx.parse is not None:
            for entity in ctx.parse.entities_of("country"):
                if isinstance(entity.value, str) and entity.value.upper() != "AZ":
                    return entity.value.upper()
        return None


def _country_options(ctx: TurnContext) -> tuple[str, ...]:
    """The countries with special rules in the tables, then "another country"."""
    tables = ctx.kb.tables
    codes = [rule.country for rule in tables.stay_limits.country_rules]
    codes += [override.country for override in tables.registration.overrides]
    return tuple(dict.fromkeys(codes)) + (OTHER_COUNTRY,)


def _country_by_name(text: str) -> str | None:
    """A country typed by name in az, ru or en (Babel's territory names)."""
    wanted = fold(text)
    if not wanted:
        return None
    for language in LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha() and fold(name) == wanted:
                return code
    return None


def _payload_choice(ctx: TurnContext, choices: tuple[Choice, ...]) -> Choice | None:
    return next((choice for choice in choices if choice.payload == ctx.payload), None)


class StayFlow(SlotFlow):
    """Stay period, registration deadline, extension and fines from the arrival date."""

    name = FLOW_NAME
    intents = ("stay_period", "registration")
    slots = (ArrivalSlot(), EntrySlot(), VisaDaysSlot(), CountrySlot())

    def recognises(self, ctx: TurnContext) -> bool:
        return wants_calculation(ctx)

    def finish(self, ctx: TurnContext, facts: Facts) -> FlowOutcome:
        t = ctx.t
        if facts["entry"] == "residence_permit":
            text = t.gettext(
                "With a residence permit your stay follows the permit's validity, so this calculator (for visitors) does not apply. See the residence permit answer instead."
            )
            buttons: tuple[Button, ...] = (Button(t.gettext("Residence permits"), "intent:temporary_residence"), Button(t.gettext("Main menu"), "menu"))
            return FlowOutcome((Reply(text, buttons),), None, facts, answered=True)
        country = facts.get("country")
        stay_facts = StayFacts(
            arrival=date.fromisoformat(facts["arrival"]),
            entry=facts["entry"],
            country=None if country == OTHER_COUNTRY else country,
            visa_days=facts.get("visa_days"),
        )
        assessment = assess_stay(stay_facts, ctx.today, ctx.kb.tables)
        text = "\n\n".join(part for part in _answer_parts(assessment, facts.get("focus"), ctx) if part)
        buttons = (
            Button(t.gettext("Extending my stay"), "intent:stay_extension"),
            Button(t.gettext("How to register"), "intent:registration"),
            Button(t.gettext("Calculate again"), f"flow:{FLOW_NAME}"),
            Button(t.gettext("Main menu"), "menu"),
        )
        return FlowOutcome((Reply(text, buttons),), None, facts, answered=True)


def _answer_parts(a: StayAssessment, focus: str | None, ctx: TurnContext) -> list[str]:
    t = ctx.t
    stay = _stay_lines(a, t)
    registration = _registration_lines(a, ctx)
    lead = registration + stay if focus == FOCUS_REGISTRATION else stay + registration
    return lead + [_extension_line(a, t), _fines_line(a, t), _conventions(a, ctx)]


def _stay_lines(a: StayAssessment, t: Translator) -> list[str]:
    assert a.limit is not None and a.last_day is not None
    days = a.limit.days
    lines = [
        t.ngettext(
            "Your permitted stay of {count} day ends on {date}.",
            "Your permitted stay of {count} days ends on {date}.",
            days,
            count=days,
            date=t.format_date(a.last_day),
        )
    ]
    if a.arrival_in_future:
        lines.append(t.gettext("You have not arrived yet, so these dates assume you arrive on {date}.", date=t.format_date(a.facts.arrival)))
    elif a.overstayed:
        lines.append(t.gettext("That day has passed: you are staying beyond the permitted period. Please contact the service as soon as possible."))
    elif a.days_left is not None:
        lines.append(t.ngettext("{count} day left, counting today.", "{count} days left, counting today.", a.days_left, count=a.days_left))
    if a.limit.rule == "country_calendar_year":
        lines.append(
            t.ngettext(
                "Citizens of this country may stay {count} day in total per calendar year; I assumed this is your first stay this year, so subtract any earlier days.",
                "Citizens of this country may stay {count} days in total per calendar year; I assumed this is your first stay this year, so subtract any earlier days.",
                days,
                count=days,
            )
        )
    if a.crosses_calendar_year:
        lines.append(t.gettext("Your stay runs into the next calendar year; how the yearly limit is counted then is not clear."))
    return lines


def _registration_lines(a: StayAssessment, ctx: TurnContext) -> list[str]:
    t = ctx.t
    reg = a.registration
    if reg is None:
        return []
    deadline = t.format_date(reg.deadline)
    if not reg.needed:
        return [
            t.ngettext(
                "Registration at the place of stay is needed only for stays longer than {count} day; if you stay longer, register by {date}.",
                "Registration at the place of stay is needed only for stays longer than {count} days; if you stay longer, register by {date}.",
                reg.threshold_days,
                count=reg.threshold_days,
                date=deadline,
            )
        ]
    lines = [
        t.ngettext(
            "You must be registered at your place of stay by {date} ({count} day after arrival).",
            "You must be registered at your place of stay by {date} ({count} days after arrival).",
            reg.deadline_days,
            count=reg.deadline_days,
            date=deadline,
        )
    ]
    if reg.country_rule:
        lines.append(t.gettext("Citizens of your country have a longer registration deadline than the general one."))
    rules = ctx.kb.tables.registration
    if rules.fee_azn == 0:
        lines.append(t.gettext("Registration is free. Your host (the hotel, or the owner of the home) registers you, and you may also apply yourself."))
    return lines


def _extension_line(a: StayAssessment, t: Translator) -> str:
    if a.overstayed or a.last_day is None:
        return ""
    count = a.extension_apply_before_working_days
    if a.extension_apply_by is None:
        return t.ngettext(
            "To stay longer you need a ground for extension; apply at least {count} working day before your stay ends.",
            "To stay longer you need a ground for extension; apply at least {count} working days before your stay ends.",
            count,
            count=count,
        )
    return t.ngettext(
        "To stay longer you need a ground for extension; apply by {date} ({count} working day before the end, not counting weekends and public holidays).",
        "To stay longer you need a ground for extension; apply by {date} ({count} working days before the end, not counting weekends and public holidays).",
        count,
        count=count,
        date=t.format_date(a.extension_apply_by),
    )


def _fines_line(a: StayAssessment, t: Translator) -> str:
    parts = [
        t.gettext(
            "{offence}: {amount} (Code of Administrative Offences, art. {article})",
            offence=fine.offence.in_(t.language),
            amount=_amount_range(fine.min_azn, fine.max_azn, t),
            article=fine.article,
        )
        for fine in a.fines
    ]
    if not parts:
        return ""
    return t.gettext("Fines after the permitted period or without registration:") + "\n" + "\n".join(f"• {part}" for part in parts)


def _amount_range(low: Any, high: Any, t: Translator) -> str:
    if low == high:
        return t.format_money(low)
    return t.gettext("{low} to {high}", low=t.format_number(low), high=t.format_money(high))


def _conventions(a: StayAssessment, ctx: TurnContext) -> str:
    t = ctx.t
    lines = [
        t.gettext("How I counted: the arrival day is day 1 of the stay; the registration deadline counts calendar days from the day after arrival."),
        t.gettext("The law does not say whether the arrival day counts for registration, so please confirm with the service's online registration calculator or the call centre."),
    ]
    lines += basis_notes(ctx, [a.limit.basis] if a.limit else [])
    phone = call_centre_phone(ctx.kb)
    if phone:
        lines.append(t.gettext("Call centre: {phone}.", phone=phone))
    return "\n".join(lines)


#: Words asking for a calculation rather than general information (folded prefixes).
CALCULATION_WORDS = ("calculat", "until when", "when must", "deadline", "hesabla", "neceye qeder", "ne vaxta qeder", "рассчит", "посчит", "до какого", "когда нужно", "kogda")


def wants_calculation(ctx: TurnContext) -> bool:
    """Whether a stay or registration question should run the calculator.

    Yes when the message holds a personal fact the calculator needs (a date, a citizenship) or
    asks to calculate; a general question ("how long can I stay without a visa?") gets the
    article, with a button to the calculator.
    """
    if ctx.parse is not None and (ctx.parse.entities_of("date") or ctx.parse.entities_of("country")):
        return True
    return mentions(fold(ctx.text), CALCULATION_WORDS)
