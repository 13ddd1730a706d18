"""UI strings of the operator console, translated from the gettext catalogs.

The page fetches all three languages at once and switches without a reload; placeholders such as
``{time}`` are filled in by the page after translation.
"""

from __future__ import annotations

from flows.i18n import N_, Catalogs
from flows.messages import LANGUAGES

CONSOLE_STRINGS: dict[str, str] = {
    "status": N_("Status"),
    "online": N_("online"),
    "away": N_("away"),
    "offline": N_("offline"),
    "connecting": N_("connecting…"),
    "live": N_("live"),
    "reconnecting": N_("reconnecting…"),
    "sign_out": N_("Sign out"),
    "queue": N_("Queue"),
    "my_chats": N_("My chats"),
    "lists": N_("← Lists"),
    "window_warning": N_(
        "WhatsApp: more than 24 hours since the user's last message — a free-text reply will not be delivered."
    ),
    "summary": N_("Summary"),
    "reply_placeholder": N_("Reply to the user…"),
    "send": N_("Send"),
    "canned": N_("Canned answers (knowledge base)"),
    "canned_placeholder": N_("Search in az / ru / en"),
    "search": N_("Search"),
    "insert": N_("Insert"),
    "no_matches": N_("No matching answers."),
    "transfer_operator": N_("Transfer to operator"),
    "transfer_language": N_("Transfer to language queue"),
    "return_bot": N_("Return to bot"),
    "close_chat": N_("Close chat"),
    "claim_open": N_("Claim this chat"),
    "claim": N_("Claim"),
    "notes": N_("Internal notes"),
    "note_placeholder": N_("Note for colleagues (never sent to the user)"),
    "add_note": N_("Add note"),
    "waiting": N_("waiting {time}"),
    "left_message": N_("left a message"),
    "priority": N_("priority {priority}"),
    "yours": N_("Chat #{id} is yours."),
    "refused": N_("Refused: {error}"),
    "claimed_by_other": N_("Another operator claimed this chat first."),
    "not_your_chat": N_("This chat is no longer assigned to you."),
    "not_your_language": N_("This chat is for operators of another language."),
    "author_user": N_("user"),
    "author_bot": N_("bot"),
    "author_operator": N_("operator"),
    "reason_asked": N_("asked for a person"),
    "reason_not_understood": N_("not understood"),
    "reason_thumbs_down": N_("answer rated 👎"),
    "reason_emergency": N_("emergency"),
    "reason_labour_rights": N_("labour rights"),
    "wrap_answered": N_("answered"),
    "wrap_referred": N_("referred to an office"),
    "wrap_callback_arranged": N_("call back arranged"),
    "wrap_no_reply": N_("no reply from the user"),
    "wrap_other": N_("other"),
}


def console_strings(catalogs: Catalogs) -> dict[str, dict[str, str]]:
    """Every console string in every language."""
    return {
        language: {key: catalogs.translator(language).gettext(text) for key, text in CONSOLE_STRINGS.items()}
        for language in LANGUAGES
    }
