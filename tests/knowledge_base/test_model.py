"""Rendering of articles: citations per language, answer first, disclaimer, effective dates."""

from __future__ import annotations

from datetime import date

from knowledge_base import KnowledgeBase
from knowledge_base.model import DISCLAIMER


def test_legal_basis_rendered_per_language(kb: KnowledgeBase) -> None:
    article = kb.article("wp_exemption_spouse")
    assert article.legal_basis_text("en") == "Migration Code, art. 64.0.14"
    assert article.legal_basis_text("az") == "Miqrasiya Məcəlləsi, maddə 64.0.14"
    assert article.legal_basis_text("ru") == "Миграционный кодекс, ст. 64.0.14"


def test_text_puts_the_answer_first_and_ends_with_the_disclaimer(kb: KnowledgeBase) -> None:
    article = kb.article("registration_deadline")
    short = article.text("en")
    assert short.startswith(article.answer("en"))
    assert short.endswith(DISCLAIMER.en)
    assert article.details("en") not in short  # type: ignore[operator]
    assert article.details("en") in article.text("en", with_details=True)  # type: ignore[operator]


def test_help_article_has_no_legal_disclaimer(kb: KnowledgeBase) -> None:
    article = kb.articles_for_intent("help")[0]
    assert DISCLAIMER.az not in article.text("az")


def test_every_legal_answer_is_phone_sized(kb: KnowledgeBase) -> None:
    for article in kb.articles:
        for language in ("az", "ru", "en"):
            assert len(article.answer(language)) <= 600, (article.id, language)


def test_effective_period(kb: KnowledgeBase) -> None:
    article = kb.article("wp_fees_liberated")
    assert article.is_effective_on(date(2027, 12, 31))
    assert not article.is_effective_on(date(2028, 1, 1))
    assert not article.is_effective_on(date(2022, 12, 31))


def test_articles_can_be_kept_in_sets(kb: KnowledgeBase) -> None:
    articles = set(kb.articles_for_intent("registration")) | set(kb.articles_for_intent("registration"))
    assert len(articles) == len(kb.articles_for_intent("registration"))
