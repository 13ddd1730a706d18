"""Replies shared by every flow: main menu, rating, handoff offers, topic labels."""

from __future__ import annotations

from collections.abc import Mapping

from flows.i18n import N_, Translator
from flows.messages import LANGUAGES, Button, Reply

#: Button labels for "did you mean…?" and follow-ups, one per topic intent.
TOPIC_LABELS: Mapping[str, str] = {
    "stay_period": N_("How long I may stay"),
    "registration": N_("Registration at the place of stay"),
    "stay_extension": N_("Extending my stay"),
    "visa": N_("Visas and e-visa"),
    "work_permit_exemption": N_("Do I need a work permit?"),
    "work_permit_fee": N_("Work permit fees"),
    "work_permit_apply": N_("Getting a work permit"),
    "temporary_residence": N_("Residence permits"),
    "permanent_residence": N_("Permanent residence"),
    "refugee_asylum": N_("Asylum and refugee status"),
    "citizenship": N_("Citizenship"),
    "fines_penalties": N_("Fines and bans"),
    "application_status": N_("My application's status"),
    "contact_info": N_("Contacts"),
    "labour_rights": N_("Problems with an employer"),
    "trafficking_emergency": N_("I am in danger"),
    "human_handoff": N_("Talk to a person"),
}

LANGUAGE_NAMES: Mapping[str, str] = {"az": "Azərbaycanca", "ru": "Русский", "en": "English"}

_MENU: tuple[tuple[str, str], ...] = (
    (N_("Stay and registration calculator"), "flow:stay"),
    (N_("Do I need a work permit?"), "flow:work_permit_exemption"),
    (N_("Work permit fees"), "flow:work_permit_fee"),
    (N_("Residence permits"), "intent:temporary_residence"),
    (N_("Visas and e-visa"), "intent:visa"),
    (N_("Contacts"), "intent:contact_info"),
    (N_("Talk to a person"), "handoff"),
)


def menu_buttons(t: Translator) -> tuple[Button, ...]:
    return tuple(Button(f"{number}. {t.gettext(label)}", payload) for number, (label, payload) in enumerate(_MENU, start=1))


def menu_payload_for_number(text: str) -> str | None:
    """The payload of a typed menu number ("3" → the third menu entry)."""
    stripped = text.strip().rstrip(".")
    if stripped.isdigit() and 1 <= int(stripped) <= len(_MENU):
        return _MENU[int(stripped) - 1][1]
    return None


def language_buttons() -> tuple[Button, ...]:
    return tuple(Button(LANGUAGE_NAMES[lang], f"lang:{lang}") for lang in LANGUAGES)


def main_menu(t: Translator, intro: str | None = None) -> Reply:
    text = intro or t.gettext("What would you like to know? Pick a topic or type your question.")
    return Reply(text, menu_buttons(t))


def rating(t: Translator) -> Reply:
    return Reply(t.gettext("Was this helpful?"), (Button("👍", "rate:up"), Button("👎", "rate:down")))


def handoff_offer(t: Translator, text: str) -> Reply:
    return Reply(text, (Button(t.gettext("Yes, connect me"), "handoff"), Button(t.gettext("No, thanks"), "menu")))


def topic_button(t: Translator, intent: str) -> Button:
    return Button(t.gettext(TOPIC_LABELS[intent]), f"intent:{intent}")
