"""What the user is told about their handoff, in their language (gettext catalogs)."""

from __future__ import annotations

import math

from flows.i18n import Translator
from flows.messages import Button, Reply

CANCEL_PAYLOAD = "handoff:cancel"
RATING_PREFIX = "rating:"


def cancel_button(t: Translator) -> Button:
    return Button(t.gettext("Back to the assistant"), CANCEL_PAYLOAD)


def estimated_minutes(position: int, average_handling_minutes: float, operators_online: int) -> int:
    """A rough wait: the chats ahead (and this one) shared among the operators online."""
    return max(1, math.ceil(position * average_handling_minutes / max(operators_online, 1)))


def queue_position(t: Translator, position: int, minutes: int, *, update: bool = False) -> Reply:
    """Position in the queue and the estimated wait, with a way back to the bot."""
    lead = (
        t.gettext("Update: you are now number {position} in the queue.", position=position)
        if update
        else t.gettext("You are number {position} in the queue.", position=position)
    )
    wait = t.ngettext(
        "Estimated wait: about {minutes} minute.", "Estimated wait: about {minutes} minutes.", minutes, minutes=minutes
    )
    return Reply(f"{lead} {wait}", (cancel_button(t),))


def nobody_available(t: Translator, *, open_now: bool) -> Reply:
    """Honest notice that no operator can answer now; the user may leave a message or number."""
    reason = (
        t.gettext("No operator who speaks your language is online right now.")
        if open_now
        else t.gettext("The call centre is closed at the moment.")
    )
    invite = t.gettext(
        "You can leave your message or a phone number for a call back here: it stays in the queue "
        "and a person will answer as soon as possible."
    )
    return Reply(f"{reason} {invite}", (cancel_button(t),))


def message_saved(t: Translator) -> Reply:
    return Reply(t.gettext("Thank you, your message is saved for the operator."))


def operator_joined(t: Translator) -> Reply:
    return Reply(t.gettext("An operator has joined the chat."))


def transferred(t: Translator) -> Reply:
    return Reply(t.gettext("You are being transferred to another operator, please wait."))


def back_to_bot(t: Translator, *, by_operator: bool) -> Reply:
    text = (
        t.gettext("The operator has handed you back to the assistant. How else can I help?")
        if by_operator
        else t.gettext("You are back with the assistant. How can I help?")
    )
    return Reply(text)


def rating_question(t: Translator) -> Reply:
    """The 1–5 satisfaction question sent when an operator closes the chat."""
    text = t.gettext(
        "The operator has closed this chat. How satisfied are you with the help? "
        "Choose from 1 (not at all) to 5 (very)."
    )
    return Reply(text, tuple(Button(str(score), f"{RATING_PREFIX}{score}") for score in range(1, 6)), kind="rating")


def rating_thanks(t: Translator) -> Reply:
    return Reply(t.gettext("Thank you for your rating!"))


def parse_rating(payload: str | None) -> int | None:
    """The score of a ``rating:N`` payload (1–5), else ``None``."""
    if payload and payload.startswith(RATING_PREFIX):
        value = payload[len(RATING_PREFIX):]
        if value in {"1", "2", "3", "4", "5"}:
            return int(value)
    return None
