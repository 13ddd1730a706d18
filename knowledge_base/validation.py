"""Checks across the whole knowledge base (``migassist kb validate`` and the test suite).

Loading already enforces the schema (every field typed, all three languages present and
non-empty, acts known). Validation adds what needs the whole picture: intent coverage, citations
that exist, consistent dates, links that resolve, amounts that match the data tables, and
translations that are not stale.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from knowledge_base.knowledge_base import KnowledgeBase
from knowledge_base.model import LANGUAGES, Article, LegalReference
from knowledge_base.table_loader import TABLE_NAMES
from knowledge_base.tables import Basis
from nlu.intents import INTENTS, MIGRATION_INTENTS

CONTROL_PAYLOADS = frozenset({"handoff", "menu"})
"""Button payloads the dialogue engine understands besides ``article:`` and ``flow:``."""
FLOW_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

_NUMBER = r"\d{1,3}(?:[ \u00a0,]\d{3})+(?![\d])|\d+(?:[.,]\d+)?"
_JOINER = r"\s*(?:,|–|-|—|\bto\b|\bor\b|\band\b|\bvə ya\b|\bvə\b|\bили\b|\bдо\b|\bи\b)\s*"
_CURRENCY = r"\s*(?:AZN|manat|манат)"
AMOUNT_RUN = re.compile(rf"((?:(?:{_NUMBER}){_JOINER})*(?:{_NUMBER})){_CURRENCY}", re.IGNORECASE)
"""A currency mention with the list of numbers it closes: "500, 700 or 1 200 AZN" → 500, 700, 1200."""
NUMBER = re.compile(_NUMBER)


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: ``where`` names the article (and field) or table, ``message`` what is wrong."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def validate(kb: KnowledgeBase, today: date | None = None, *, freshness: bool = True) -> list[Problem]:
    """Every problem found in ``kb`` (empty when the content is publishable).

    ``freshness=False`` leaves out stale translations (editors may publish a change in one
    language before the others are re-translated, when the workspace is configured so).
    """
    today = today or date.today()
    problems: list[Problem] = []
    problems += _coverage(kb)
    for article in kb.articles:
        problems += _article_intents(article)
        problems += _citations(kb, f"article {article.id}", article.legal_basis)
        problems += _dates(article, today)
        problems += _links(kb, article)
        problems += _amounts(kb, article)
        if freshness:
            problems += _freshness(article)
    for name, basis in _table_bases(kb):
        problems += _citations(kb, f"table {name}", basis.references)
    for regime in kb.tables.work_permit_fees.regimes:
        if regime.effective_from and regime.effective_to and regime.effective_from >= regime.effective_to:
            problems.append(Problem(f"table work_permit_fees.{regime.regime}", "effective_to must be after effective_from"))
    return problems


def amounts_in(text: str) -> set[Decimal]:
    """Money amounts written in ``text`` ("1 000 AZN", "300 AZN-dən 400 AZN-dək", "2,000–3,000 AZN")."""
    found: set[Decimal] = set()
    for run in AMOUNT_RUN.finditer(text):
        for number in NUMBER.findall(run.group(1)):
            found.add(_parse_amount(number))
    return found


def table_amounts(kb: KnowledgeBase, table: str) -> set[Decimal]:
    """Every amount (field ending in ``_azn`` or a ``Decimal``) held in data table ``table``."""
    return set(_decimals(getattr(kb.tables, table)))


def stale_languages(article: Article) -> list[str]:
    """Languages whose recorded ``source_hash`` no longer matches the source-language text."""
    current = article.texts[article.source_language].content_hash()
    return [
        language
        for language in LANGUAGES
        if language != article.source_language and article.texts[language].source_hash != current
    ]


def _parse_amount(number: str) -> Decimal:
    compact = re.sub(r"[ \u00a0]", "", number)
    if re.fullmatch(r"\d{1,3}(,\d{3})+", compact):
        compact = compact.replace(",", "")
    try:
        return Decimal(compact.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern only admits digits
        return Decimal(-1)


def _decimals(value: object) -> Iterator[Decimal]:
    if isinstance(value, Decimal):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _decimals(getattr(value, field.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _decimals(item)


def _coverage(kb: KnowledgeBase) -> list[Problem]:
    return [
        Problem(f"intent {intent}", "no article answers this migration intent")
        for intent in MIGRATION_INTENTS
        if not kb.articles_for_intent(intent)
    ]


def _article_intents(article: Article) -> list[Problem]:
    where = f"article {article.id}"
    problems = [Problem(f"{where}.intents", f"unknown intent {intent!r}") for intent in article.intents if intent not in INTENTS]
    if not article.intents:
        problems.append(Problem(f"{where}.intents", "answers no intent"))
    return problems


def _citations(kb: KnowledgeBase, where: str, references: Iterable[LegalReference]) -> list[Problem]:
    problems = []
    for reference in references:
        act = kb.acts.get(reference.act)
        if act is None:
            problems.append(Problem(where, f"unknown act {reference.act!r}"))
        elif reference.article is not None and reference.article not in act.citable:
            problems.append(
                Problem(where, f"{reference.act} has no provision {reference.article!r} in the reference texts")
            )
    return problems


def _dates(article: Article, today: date) -> list[Problem]:
    where = f"article {article.id}"
    problems = []
    if article.effective_from and article.effective_to and article.effective_from >= article.effective_to:
        problems.append(Problem(f"{where}.effective_to", "must be after effective_from"))
    if article.verified_on > today:
        problems.append(Problem(f"{where}.verified_on", "is in the future"))
    return problems


def _links(kb: KnowledgeBase, article: Article) -> list[Problem]:
    where = f"article {article.id}"
    problems = []
    for related in article.related:
        if related == article.id:
            problems.append(Problem(f"{where}.related", "links to itself"))
        elif not kb.has_article(related):
            problems.append(Problem(f"{where}.related", f"no article {related!r}"))
    for follow_up in article.follow_ups:
        kind, _, value = follow_up.payload.partition(":")
        if kind == "article" and not kb.has_article(value):
            problems.append(Problem(f"{where}.follow_ups", f"no article {value!r}"))
        elif kind == "flow" and not FLOW_NAME.match(value):
            problems.append(Problem(f"{where}.follow_ups", f"bad flow name {value!r}"))
        elif kind not in ("article", "flow") and follow_up.payload not in CONTROL_PAYLOADS:
            problems.append(Problem(f"{where}.follow_ups", f"unknown payload {follow_up.payload!r}"))
    for table in article.tables:
        if table not in TABLE_NAMES:
            problems.append(Problem(f"{where}.tables", f"no data table {table!r}"))
    return problems


def _amounts(kb: KnowledgeBase, article: Article) -> list[Problem]:
    allowed: set[Decimal] = set()
    for table in article.tables:
        if table in TABLE_NAMES:
            allowed |= table_amounts(kb, table)
    problems = []
    for language in LANGUAGES:
        text = article.texts[language]
        for field, content in (("answer", text.answer), ("details", text.details or "")):
            for amount in sorted(amounts_in(content) - allowed):
                problems.append(
                    Problem(
                        f"article {article.id}.text.{language}.{field}",
                        f"amount {amount} AZN is not in its tables ({', '.join(article.tables) or 'none cited'})",
                    )
                )
    return problems


def _freshness(article: Article) -> list[Problem]:
    current = article.texts[article.source_language].content_hash()
    return [
        Problem(
            f"article {article.id}.text.{language}",
            f"stale: translated from an older {article.source_language} text; "
            f"once the translation is updated, set source_hash: {current}",
        )
        for language in stale_languages(article)
    ]


def _table_bases(kb: KnowledgeBase) -> Iterator[tuple[str, Basis]]:
    for name in TABLE_NAMES:
        yield from ((name, basis) for basis in _bases(getattr(kb.tables, name)))


def _bases(value: object) -> Iterator[Basis]:
    if isinstance(value, Basis):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _bases(getattr(value, field.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _bases(item)
