"""The issue's accuracy bar: key facts of the facts sheet are in the tables and in the answers
of all three languages (legal-facts.md §2, §3.3, §3.5)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from knowledge_base import LANGUAGES, KnowledgeBase
from knowledge_base.validation import amounts_in


def test_registration_deadlines_in_table(kb: KnowledgeBase) -> None:
    rules = kb.tables.registration
    assert (rules.threshold_days, rules.deadline_days) == (15, 15)
    assert rules.deadline_for("KZ").days == 30
    assert rules.deadline_for("kz").basis.confidence == "O"
    assert rules.deadline_for("DE").days == 15
    assert rules.fee_azn == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_registration_answer_states_15_and_30_days(kb: KnowledgeBase, language: str) -> None:
    rules = kb.tables.registration
    kazakhstan = {"az": "Qazaxıstan", "ru": "Казахстан", "en": "Kazakhstan"}[language]
    for article_id in ("registration_overview", "registration_deadline"):
        answer = kb.article(article_id).answer(language)
        assert f"{rules.deadline_days} " in answer
        assert f"{rules.deadline_for('KZ').days} " in answer
        assert kazakhstan in answer
    assert kb.articles_for_intent("registration")[0].id == "registration_overview"


def test_one_year_permit_at_20_working_days_costs_1000(kb: KnowledgeBase) -> None:
    row = kb.tables.work_permit_fee(duration_months=12, processing_days=20)
    assert row is not None and row.amount_azn == Decimal(1000)


@pytest.mark.parametrize("language", LANGUAGES)
def test_fee_answer_quotes_the_20_day_tier(kb: KnowledgeBase, language: str) -> None:
    answer = kb.articles_for_intent("work_permit_fee")[0].answer(language)
    assert "1 000 AZN" in answer
    assert "20 " in answer
    table = {row.amount_azn for row in kb.tables.work_permit_fees.rows if row.regime == "general"}
    assert amounts_in(answer) == table


def test_spouse_exemption_clause(kb: KnowledgeBase) -> None:
    exemption = kb.tables.exemptions.clause("64.0.14")
    assert exemption is not None
    assert "spouses of Azerbaijani citizens registered" in exemption.description.en


@pytest.mark.parametrize(
    ("language", "spouse", "registered"),
    [("az", "evli", "qeydiyyatda"), ("ru", "супруг", "зарегистрированн"), ("en", "spouse", "registered")],
)
def test_spouse_exemption_in_answers(kb: KnowledgeBase, language: str, spouse: str, registered: str) -> None:
    for article in kb.articles_for_intent("work_permit_exemption"):
        answer = article.answer(language)
        assert "64.0.14" in answer
        assert spouse in answer.lower() or spouse in article.title(language).lower()
        assert registered in answer


def test_exemption_list_numbers(kb: KnowledgeBase) -> None:
    clauses = [e.clause for e in kb.tables.exemptions.exemptions]
    assert len(clauses) == 23  # 19 numbered + 4 hyphenated, text as of January 2024
    assert {"64.0.6-1", "64.0.8-1", "64.0.13-1", "64.0.15-1", "64.0.19"} <= set(clauses)
    assert kb.tables.exemptions.later_changes_basis.confidence == "U"


def test_unverified_figures_are_flagged(kb: KnowledgeBase) -> None:
    limits = kb.tables.stay_limits
    assert limits.e_visa_multiple_entry.basis.confidence == "U"
    assert limits.country_rule("CN") is not None and limits.country_rule("CN").basis.confidence == "S"  # type: ignore[union-attr]
    assert kb.tables.residence_fees.permanent_basis.confidence == "U"
    # The PRP answer must not quote the unverified fees.
    prp = kb.articles_for_intent("permanent_residence")[0]
    for language in LANGUAGES:
        assert amounts_in(prp.text(language, with_details=True)) == set()
