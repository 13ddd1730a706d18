"""The runtime knowledge base: an immutable, in-memory view of articles and data tables."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from knowledge_base.errors import ArticleNotFound, ContentError
from knowledge_base.model import Act, Article
from knowledge_base.search import SearchHit, SearchIndex
from knowledge_base.tables import DataTables


class KnowledgeBase:
    """Articles by id and by intent, the data tables, and search; built once, then read-only.

    Rebuilding (e.g. after an editor publishes) means building a new instance and swapping the
    reference; nothing here mutates after construction, so readers need no locks.
    """

    __slots__ = ("_acts", "_articles", "_by_id", "_by_intent", "_index", "_tables")

    def __init__(self, articles: tuple[Article, ...], tables: DataTables, acts: Mapping[str, Act]) -> None:
        by_id: dict[str, Article] = {}
        for article in articles:
            if article.id in by_id:
                raise ContentError("articles", f"{article.id}.id", "duplicate article id")
            by_id[article.id] = article
        by_intent: dict[str, list[Article]] = {}
        for article in sorted(articles, key=lambda a: (a.priority, a.id)):
            for intent in article.intents:
                by_intent.setdefault(intent, []).append(article)
        self._articles = articles
        self._by_id = MappingProxyType(by_id)
        self._by_intent = MappingProxyType({intent: tuple(found) for intent, found in by_intent.items()})
        self._tables = tables
        self._acts = MappingProxyType(dict(acts))
        self._index = SearchIndex(articles)

    @property
    def articles(self) -> tuple[Article, ...]:
        """All articles in content order."""
        return self._articles

    @property
    def tables(self) -> DataTables:
        return self._tables

    @property
    def acts(self) -> Mapping[str, Act]:
        """The citable legal acts by id."""
        return self._acts

    def article(self, article_id: str) -> Article:
        """The article with ``article_id``; raises :class:`ArticleNotFound`."""
        try:
            return self._by_id[article_id]
        except KeyError:
            raise ArticleNotFound(article_id) from None

    def has_article(self, article_id: str) -> bool:
        return article_id in self._by_id

    def articles_for_intent(self, intent: str) -> tuple[Article, ...]:
        """Articles answering ``intent``, primary first (lowest ``priority``); empty if none."""
        return self._by_intent.get(intent, ())

    def search(self, query: str, language: str, limit: int = 5) -> list[SearchHit]:
        """Rank articles for a free-text ``query`` written in (or asked in) ``language``."""
        return self._index.search(query, language, limit)
