"""What the flows need from the knowledge base and the NLU (implemented in their packages).

Protocols rather than imports of concrete classes keep the dialogue testable with small fakes
and keep the dependency direction ``flows → {nlu, knowledge_base}`` narrow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from knowledge_base.model import Article
from knowledge_base.tables import DataTables
from nlu.types import ParseResult


class IntentParser(Protocol):
    """The NLU's narrow synchronous API (``nlu.NluModel`` satisfies it)."""

    def parse(self, text: str, language_hint: str | None = None, today: date | None = None) -> ParseResult:
        """Language, intent with calibrated confidence, ranking and entities of one message."""
        ...


class KnowledgeBase(Protocol):
    """Curated articles and typed data tables (``knowledge_base.KnowledgeBase`` satisfies it)."""

    @property
    def tables(self) -> DataTables:
        """Every number the calculators use."""
        ...

    def article(self, article_id: str) -> Article:
        """The article with this id; raises ``KeyError`` when there is none."""
        ...

    def articles_for_intent(self, intent: str) -> Sequence[Article]:
        """Articles answering ``intent``, the primary answer first (may be empty)."""
        ...


def find_article(kb: KnowledgeBase, article_id: str) -> Article | None:
    """The article with ``article_id``, or ``None`` (ids arrive from users' button payloads)."""
    try:
        return kb.article(article_id)
    except KeyError:
        return None
