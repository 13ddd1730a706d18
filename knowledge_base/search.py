"""In-memory search over article titles, synonyms and answers in all three languages.

Text is reduced to :func:`nlu.normalise.skeleton` tokens, so "qeydiyyat nece" meets "Qeydiyyat
necə edilir", and "registraciya" meets "регистрация". Matching is exact on tokens, with a
weaker prefix match so that Azerbaijani suffixes ("qeydiyyatdan", "icazəsi") and Russian
endings still meet their stems. Scores are weighted by field (titles and synonyms count more
than answers), by rarity (IDF) and by language (the asker's language counts most).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from knowledge_base.model import LANGUAGES, Article
from nlu.normalise import skeleton

FIELD_WEIGHTS = {"title": 3.0, "synonyms": 3.0, "answer": 1.0, "details": 0.5}
REPEAT_WEIGHT = 0.1
OTHER_LANGUAGE_WEIGHT = 0.6
"""Matches in another language still count (mixed-language and transliterated queries)."""
PREFIX_WEIGHT = 0.9
"""A stem match counts at most this much, scaled by how much of the longer word the stem covers:
"qeydiyyat" → "qeydiyyata" is nearly exact, "necə" → "neçəyədir" is a weak hint."""
MIN_PREFIX = 4
"""Shorter stems would match too much ("is" in every Azerbaijani word starting with it)."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked result: the article, its score and the language whose text matched best."""

    article: Article
    score: float
    language: str


def _mention_weight(weights: list[float]) -> float:
    """The best field counts fully, each further mention a little: an article *about* a word
    names it in its title and again in its answer."""
    best = max(weights)
    return best + REPEAT_WEIGHT * (sum(weights) - best)


def tokens(text: str) -> list[str]:
    return [token for token in skeleton(text).split() if len(token) > 1]


class SearchIndex:
    """An immutable inverted index over the articles (built once, read by many)."""

    def __init__(self, articles: tuple[Article, ...]) -> None:
        self._articles = articles
        # (term, article index, language) -> weights of the fields it is mentioned in
        mentions: dict[tuple[str, int, str], list[float]] = defaultdict(list)
        for index, article in enumerate(articles):
            for language in LANGUAGES:
                text = article.texts[language]
                fields = (
                    (FIELD_WEIGHTS["title"], text.title),
                    (FIELD_WEIGHTS["synonyms"], " ".join(text.synonyms)),
                    (FIELD_WEIGHTS["answer"], text.answer),
                    (FIELD_WEIGHTS["details"], text.details or ""),
                )
                for weight, content in fields:
                    for term in tokens(content):
                        mentions[(term, index, language)].append(weight)
        postings: dict[str, dict[int, dict[str, float]]] = {}
        for (term, index, text_language), weights in mentions.items():
            postings.setdefault(term, {}).setdefault(index, {})[text_language] = _mention_weight(weights)
        self._postings = postings
        self._idf = {
            term: math.log(1 + len(articles) / len(by_article)) for term, by_article in self._postings.items()
        }
        self._terms = tuple(sorted(self._postings))

    def search(self, query: str, language: str, limit: int = 5) -> list[SearchHit]:
        """Articles ranked by relevance to ``query`` (best first, at most ``limit``)."""
        scores: dict[int, float] = defaultdict(float)
        best_language: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for query_term in dict.fromkeys(tokens(query)):
            per_article: dict[int, tuple[float, str]] = {}
            # A stem match is no rarer than the word asked for: a common word ("necə") must not
            # borrow the weight of a rare longer word it happens to start ("neçəyədir").
            query_idf = self._idf.get(query_term, math.inf)
            for term, closeness in self._matching_terms(query_term):
                idf = min(self._idf[term], query_idf)
                for index, languages in self._postings[term].items():
                    for text_language, field_weight in languages.items():
                        language_weight = 1.0 if text_language == language else OTHER_LANGUAGE_WEIGHT
                        value = closeness * field_weight * language_weight * idf
                        if value > per_article.get(index, (0.0, ""))[0]:
                            per_article[index] = (value, text_language)
            for index, (value, text_language) in per_article.items():
                scores[index] += value
                best_language[index][text_language] += value
        ranked = sorted(scores.items(), key=lambda item: (-item[1], self._articles[item[0]].priority, item[0]))
        return [
            SearchHit(
                article=self._articles[index],
                score=round(score, 4),
                language=max(best_language[index].items(), key=lambda item: item[1])[0],
            )
            for index, score in ranked[:limit]
        ]

    def _matching_terms(self, query_term: str) -> list[tuple[str, float]]:
        """Index terms equal to ``query_term`` (weight 1) or sharing a long enough stem with it."""
        matches = [(query_term, 1.0)] if query_term in self._postings else []
        if len(query_term) >= MIN_PREFIX:
            matches.extend(
                (term, PREFIX_WEIGHT * min(len(term), len(query_term)) / max(len(term), len(query_term)))
                for term in self._terms
                if term != query_term
                and len(term) >= MIN_PREFIX
                and (term.startswith(query_term) or query_term.startswith(term))
            )
        return matches
