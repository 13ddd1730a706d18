"""Article types of the knowledge base: trilingual, cited, dated answers.

Everything here is an immutable value; :mod:`knowledge_base.loader` builds these from YAML and
:mod:`knowledge_base.validation` checks them. Flows read articles through
:class:`knowledge_base.KnowledgeBase` and render them with :meth:`Article.text`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

Language = Literal["az", "ru", "en"]
LANGUAGES: tuple[Language, ...] = ("az", "ru", "en")

ARTICLE_WORD: Mapping[str, str] = {"az": "maddə", "ru": "ст.", "en": "art."}
"""How each language abbreviates "article" in a citation."""

Confidence = Literal["P", "O", "S", "U"]
"""How well a fact is sourced (legal-facts sheet §0): Primary text, Official page, Secondary, Unverified."""

CONFIDENCE_LEVELS: tuple[Confidence, ...] = ("P", "O", "S", "U")


@dataclass(frozen=True, slots=True)
class LocalText:
    """One string in each of the three languages."""

    az: str
    ru: str
    en: str

    def in_(self, language: str) -> str:
        """The text in ``language`` (``az``, ``ru`` or ``en``); raises ``KeyError`` otherwise."""
        if language not in LANGUAGES:
            raise KeyError(language)
        return str(getattr(self, language))

    def as_dict(self) -> dict[str, str]:
        return {language: self.in_(language) for language in LANGUAGES}


DISCLAIMER = LocalText(
    az="Bu, ümumi məlumatdır. Şəxsi vəziyyətiniz üçün 919-a zəng edin və ya operator istəyin.",
    ru="Это общая информация. По вашей личной ситуации звоните в 919 или попросите оператора.",
    en="This is general information. For your own case, call 919 or ask for an operator.",
)
"""Appended to legal answers: the assistant informs, 919 and operators advise on a personal case."""


@dataclass(frozen=True, slots=True)
class Act:
    """A legal act that content may cite, with its name in each language.

    ``citable`` lists the provision numbers (``"21"``, ``"21.2"``, ``"64.0.13-1"``) known to
    exist in the reference excerpts; an empty tuple means the act is cited only as a whole.
    """

    id: str
    name: LocalText
    citable: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LegalReference:
    """A citation: an act and optionally one of its provisions (``article="21.2"``).

    ``act_name`` is resolved from the act registry when content is loaded, so a reference can
    render itself without a lookup.
    """

    act: str
    act_name: LocalText
    article: str | None = None

    def text(self, language: str) -> str:
        """E.g. "Miqrasiya Məcəlləsi, maddə 21.2" / "Миграционный кодекс, ст. 21.2" / "Migration Code, art. 21.2"."""
        name = self.act_name.in_(language)
        if self.article is None:
            return name
        return f"{name}, {ARTICLE_WORD[language]} {self.article}"


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A suggested next step, shown as a button.

    ``payload`` is ``article:<id>`` or ``flow:<name>``; flows interpret it.
    """

    title: LocalText
    payload: str


@dataclass(frozen=True, slots=True)
class ArticleText:
    """An article's text in one language.

    ``source_hash`` is the :func:`text_hash` of the source-language text this translation was
    made from (``None`` for the source language itself); validation flags it stale when the
    source text has changed since.
    """

    title: str
    answer: str
    details: str | None = None
    synonyms: tuple[str, ...] = ()
    source_hash: str | None = None

    def content_hash(self) -> str:
        """Hash of what translators translate: title, answer and details (not synonyms)."""
        return text_hash(self.title, self.answer, self.details or "")


def text_hash(*parts: str) -> str:
    """A short, stable fingerprint of text (first 16 hex digits of SHA-256)."""
    digest = hashlib.sha256("\x1f".join(part.strip() for part in parts).encode("utf-8"))
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Article:
    """One curated answer about one topic, in az, ru and en.

    ``intents`` are intent names from the intent contract (``shared/intents.md``); the first
    article listed for an intent in the knowledge base is its primary answer. ``tables`` names
    the data tables whose amounts the answer quotes (validation checks every amount against them).
    ``confidence`` is the weakest tag of the facts the article states. ``disclaimer`` adds the
    general-information notice (:data:`DISCLAIMER`) to :meth:`text`; only non-legal articles
    such as the help text switch it off. ``priority``: lower comes first for an intent.
    """

    id: str
    intents: tuple[str, ...]
    texts: Mapping[Language, ArticleText]
    source_language: Language
    legal_basis: tuple[LegalReference, ...]
    sources: tuple[str, ...]
    confidence: Confidence
    verified_on: date
    effective_from: date | None = None
    effective_to: date | None = None
    related: tuple[str, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    tables: tuple[str, ...] = ()
    priority: int = 100
    disclaimer: bool = True

    def __hash__(self) -> int:
        # ``texts`` is a mapping (unhashable); the id identifies an article within a knowledge base.
        return hash(self.id)

    def title(self, language: str) -> str:
        return self._text(language).title

    def answer(self, language: str) -> str:
        return self._text(language).answer

    def details(self, language: str) -> str | None:
        return self._text(language).details

    def text(self, language: str, with_details: bool = False) -> str:
        """The answer (and details on request) followed by the legal basis line, ready to send."""
        own = self._text(language)
        parts = [own.answer.strip()]
        if with_details and own.details:
            parts.append(own.details.strip())
        basis = self.legal_basis_text(language)
        if basis:
            parts.append(basis)
        if self.disclaimer:
            parts.append(DISCLAIMER.in_(language))
        return "\n\n".join(parts)

    def legal_basis_text(self, language: str) -> str:
        """The citations joined for display, e.g. "Migration Code, art. 21.2; …" (empty if none)."""
        return "; ".join(reference.text(language) for reference in self.legal_basis)

    def is_effective_on(self, day: date) -> bool:
        """True when ``day`` falls inside ``effective_from``…``effective_to`` (open ends allowed)."""
        if self.effective_from and day < self.effective_from:
            return False
        return not (self.effective_to and day >= self.effective_to)

    def _text(self, language: str) -> ArticleText:
        if language not in self.texts:
            raise KeyError(f"article {self.id!r} has no text in {language!r}")
        return self.texts[language]  # type: ignore[index]
