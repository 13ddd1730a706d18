"""UI strings of the web chat page, translated from the gettext catalogs."""

from __future__ import annotations

from flows.i18n import N_, Catalogs
from flows.messages import LANGUAGES

WEBCHAT_STRINGS: dict[str, str] = {
    "title": N_("Migration assistant"),
    "placeholder": N_("Type your question…"),
    "send": N_("Send"),
    "connecting": N_("Connecting…"),
    "offline": N_("No connection. Reconnecting…"),
    "error": N_("The message could not be sent."),
}


def webchat_strings(catalogs: Catalogs) -> dict[str, dict[str, str]]:
    """All page strings in every language: the page switches language without a reload."""
    return {
        language: {key: catalogs.translator(language).gettext(text) for key, text in WEBCHAT_STRINGS.items()}
        for language in LANGUAGES
    }
