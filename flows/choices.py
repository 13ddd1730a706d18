"""Buttons with a typed fallback: a choice can be tapped, typed as its number, or typed in words.

Channels send a tapped button back as its payload; a user who cannot tap (SMS-like clients, a
terminal, WhatsApp lists that are closed) types "2", the button's title in any of the three
languages, or a keyword such as "vizasız".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flows.i18n import Catalogs, Translator
from flows.messages import LANGUAGES, Button
from nlu.normalise import fold


@dataclass(frozen=True)
class Choice:
    """One option of a question: its payload, its label and words that name it when typed.

    ``label`` is a msgid, or — with ``translatable=False`` — text already in the user's language
    (descriptions that come from the knowledge base).
    """

    payload: str
    label: str
    keywords: tuple[str, ...] = field(default=())
    translatable: bool = True

    def title(self, t: Translator) -> str:
        return t.gettext(self.label) if self.translatable else self.label

    def button(self, t: Translator, number: int | None = None) -> Button:
        title = self.title(t)
        return Button(f"{number}. {title}" if number is not None else title, self.payload)


def numbered_buttons(choices: Sequence[Choice], t: Translator) -> tuple[Button, ...]:
    """Buttons titled "1. …", "2. …" so the number can be typed instead of tapped."""
    return tuple(choice.button(t, number) for number, choice in enumerate(choices, start=1))


#: Typed yes / no in the three languages (folded word beginnings), for yes/no questions.
YES_WORDS: tuple[str, ...] = ("yes", "beli", "he", "да")
NO_WORDS: tuple[str, ...] = ("no", "xeyr", "yox", "нет")


_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def match_choice(text: str, choices: Sequence[Choice], catalogs: Catalogs) -> Choice | None:
    """The choice a typed answer names: its number, its label in any language, or a keyword."""
    number = _NUMBER.match(text)
    if number:
        index = int(number.group(1)) - 1
        return choices[index] if 0 <= index < len(choices) else None
    folded = fold(text)
    if not folded:
        return None
    for choice in choices:
        if folded in _labels(choice, catalogs):
            return choice
    return find_keyword(folded, choices)


def find_keyword(folded_text: str, choices: Iterable[Choice]) -> Choice | None:
    """The first choice with a keyword that starts a word of already-folded text.

    Keywords match word *beginnings* so inflected forms count ("vizasiz" finds "vizasizdir",
    "bez viz" finds "bez vizy").
    """
    for choice in choices:
        if mentions(folded_text, choice.keywords):
            return choice
    return None


def mentions(folded_text: str, words: Iterable[str]) -> bool:
    """Whether one of ``words`` (folded here like the text) starts a word of ``folded_text``."""
    padded = f" {folded_text}"
    return any(f" {fold(word)}" in padded for word in words)


def _labels(choice: Choice, catalogs: Catalogs) -> set[str]:
    return {fold(choice.title(catalogs.translator(language))) for language in LANGUAGES}
