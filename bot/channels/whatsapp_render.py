"""How a :class:`Reply` looks on WhatsApp: text, reply buttons, a list, or numbered text.

- up to 3 options whose titles fit 20 characters: interactive **reply buttons**;
- up to 10 options whose titles fit 24 characters (longer ones, up to 72, are shortened in the
  row title and given in full as the row's description): an interactive **list**;
- otherwise the options are written as a numbered list under the text, with "reply with a
  number from 1 to N"; the channel maps a typed number back to the option's payload.

Payloads travel only as button/row ids and are never shown. An interactive body holds 1024
characters: a longer text is sent first as plain messages (4096 each), split at sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from bot.channels.text_split import split_text
from flows.i18n import Translator
from flows.messages import Button, Reply

TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
MAX_REPLY_BUTTONS = 3
REPLY_BUTTON_TITLE_LIMIT = 20
MAX_LIST_ROWS = 10
LIST_ROW_TITLE_LIMIT = 24
LIST_ROW_DESCRIPTION_LIMIT = 72
LIST_BUTTON_LIMIT = 20
ID_LIMIT = 200  # list row ids hold 200 characters, reply button ids 256

_NUMBERED = re.compile(r"^\d{1,2}[.)]\s")

Message = dict[str, Any]


Layout = Literal["text", "buttons", "list", "numbered"]


def layout_for(buttons: Sequence[Button]) -> Layout:
    """How a reply with these options is shown (see the module docstring)."""
    if not buttons:
        return "text"
    if any(len(b.payload) > ID_LIMIT for b in buttons):
        return "numbered"
    if len(buttons) <= MAX_REPLY_BUTTONS and all(len(b.title) <= REPLY_BUTTON_TITLE_LIMIT for b in buttons):
        return "buttons"
    if len(buttons) <= MAX_LIST_ROWS and all(len(b.title) <= LIST_ROW_DESCRIPTION_LIMIT for b in buttons):
        return "list"
    return "numbered"


def render(reply: Reply, t: Translator) -> list[Message]:
    """The Cloud API message objects (without ``to``) that show ``reply``, in sending order."""
    layout = layout_for(reply.buttons)
    if layout == "text":
        return [_text(part) for part in split_text(reply.text, TEXT_LIMIT)]
    if layout == "numbered":
        return _numbered(reply.text, reply.buttons, t)
    lead, body = _split_for_interactive(reply.text)
    interactive = _reply_buttons(body, reply.buttons) if layout == "buttons" else _list(body, reply.buttons, t)
    return [_text(part) for part in lead] + [interactive]


def numbered_choice(text: str, buttons: Sequence[Button]) -> Button | None:
    """The option a typed number ("2", "2.", " 2) ") picks among the last reply's buttons."""
    stripped = text.strip().rstrip(".)")
    if stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
        return buttons[int(stripped) - 1]
    return None


def _split_for_interactive(text: str) -> tuple[list[str], str]:
    """Leading plain-text parts, and the last part (≤ 1024 characters) as the interactive body."""
    parts = split_text(text, INTERACTIVE_BODY_LIMIT)
    body = parts[-1]
    lead = text.strip()[: len(text.strip()) - len(body)].rstrip()
    return (split_text(lead, TEXT_LIMIT) if lead else []), body


def _text(body: str) -> Message:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def _reply_buttons(body: str, buttons: Sequence[Button]) -> Message:
    return {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": body},
            "action": {"buttons": [{"type": "reply", "reply": {"id": b.payload, "title": b.title}} for b in buttons]},
        },
    }


def _list(body: str, buttons: Sequence[Button], t: Translator) -> Message:
    rows = []
    for button in buttons:
        row: dict[str, str] = {"id": button.payload, "title": _shorten(button.title, LIST_ROW_TITLE_LIMIT)}
        if row["title"] != button.title:
            row["description"] = button.title
        rows.append(row)
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": body},
            "action": {"button": _shorten(t.gettext("Choose"), LIST_BUTTON_LIMIT), "sections": [{"rows": rows}]},
        },
    }


def _numbered(text: str, buttons: Sequence[Button], t: Translator) -> list[Message]:
    lines = [b.title if _NUMBERED.match(b.title) else f"{n}. {b.title}" for n, b in enumerate(buttons, start=1)]
    hint = t.gettext("Reply with a number from 1 to {last}.", last=len(buttons))
    full = "\n\n".join(part for part in (text.strip(), "\n".join(lines), hint) if part)
    return [_text(part) for part in split_text(full, TEXT_LIMIT)]


def _shorten(title: str, limit: int) -> str:
    """``title`` cut at a word boundary to fit ``limit`` characters, ending with "…"."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 3 else cut).rstrip(" ,.;:-") + "…"
