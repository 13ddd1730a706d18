"""Splitting long answers into messages a platform accepts, at the most natural boundary.

Telegram accepts 4096 characters per message, WhatsApp 4096 per text body and 1024 per
interactive body. A legal answer can be longer; cutting it mid-sentence would change what it
says, so we cut at a paragraph break if one fits, else after a sentence, else between words,
and only as a last resort inside a word.
"""

from __future__ import annotations

import re

# A sentence ends with . ! ? … (optionally followed by closing quotes or brackets) and a space.
_SENTENCE_END = re.compile(r"[.!?…][\"'»”)\]]*\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_LINE_BREAK = re.compile(r"\n")
_WORD_BREAK = re.compile(r"\s+")


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters, none of them blank.

    Joining the parts with the whitespace that was cut away gives back the text; an empty text
    gives one empty part (so a reply with only buttons still becomes one message).
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _cut_position(rest, limit)
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if head:
            parts.append(head)
    if rest or not parts:
        parts.append(rest)
    return parts


def _cut_position(text: str, limit: int) -> int:
    """Where to cut ``text`` so the first part has at most ``limit`` characters."""
    window = text[: limit + 1]  # a break right after the limit still leaves a fitting head
    for boundary in (_PARAGRAPH_BREAK, _SENTENCE_END, _LINE_BREAK, _WORD_BREAK):
        ends = [m.end() for m in boundary.finditer(window) if len(text[: m.end()].rstrip()) <= limit]
        # Only cuts in the second half of the window: a break near the start would produce a
        # tiny message followed by one that still needs cutting.
        good = [end for end in ends if end > limit // 2]
        if good:
            return good[-1]
    return limit
