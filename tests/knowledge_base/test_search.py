"""Search tolerates missing Azerbaijani letters, Russian in Latin letters and mixed languages."""

from __future__ import annotations

import pytest

from knowledge_base import KnowledgeBase


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ("Qeydiyyata necə düşmək olar?", "az", {"registration_how", "registration_overview", "registration_deadline"}),
        ("qeydiyyat nece", "az", {"registration_how", "registration_overview", "registration_deadline"}),
        ("is icazesi qiymeti", "az", {"wp_fees"}),
        ("iş icazəsinin qiyməti", "az", {"wp_fees"}),
        ("azerbaycan vetendasi ile evliyem is icazesi lazimdir", "az", {"wp_exemption_spouse"}),
        ("cixis qadagasi yoxlamaq", "az", {"fines_unpaid"}),
        ("daimi yasama icazesi nece il sonra", "az", {"prp_overview"}),
        ("Сколько стоит разрешение на работу?", "ru", {"wp_fees"}),
        ("razreshenie na rabotu cena", "ru", {"wp_fees"}),
        ("vnzh dokumenty", "ru", {"trp_documents"}),
        ("prosrochil registraciyu", "ru", {"fines_no_registration"}),
        ("skolko dney mozhno byt bez vizy", "ru", {"stay_limits"}),
        ("How long can I stay visa-free?", "en", {"stay_limits"}),
        ("urgent evisa 3 hours", "en", {"visa_evisa"}),
        ("qeydiyyat registration deadline", "en", {"registration_deadline", "registration_overview"}),
    ],
)
def test_top_hit(kb: KnowledgeBase, query: str, language: str, expected: set[str]) -> None:
    hits = kb.search(query, language)
    assert hits, query
    assert hits[0].article.id in expected


def test_hits_are_ranked_and_limited(kb: KnowledgeBase) -> None:
    hits = kb.search("qeydiyyat", "az", limit=3)
    assert len(hits) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.article.id.startswith("registration") for h in hits)


def test_matching_language_is_reported(kb: KnowledgeBase) -> None:
    assert kb.search("регистрация", "ru")[0].language == "ru"
    assert kb.search("registraciya", "ru")[0].language == "ru"


def test_nothing_matches_nonsense(kb: KnowledgeBase) -> None:
    assert kb.search("zzqx vvkj", "en") == []
    assert kb.search("", "en") == []
