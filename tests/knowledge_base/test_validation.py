"""Validation accepts the seed content and rejects each kind of broken content."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import pytest

import knowledge_base
from knowledge_base import ContentError, KnowledgeBase
from knowledge_base.validation import Problem, amounts_in, stale_languages, validate
from nlu.intents import MIGRATION_INTENTS
from tests.knowledge_base.conftest import edited

REGISTRATION = "articles/registration.yml"


def problems_of(files: Mapping[str, str]) -> list[Problem]:
    return validate(knowledge_base.load_files(files))


def test_seed_content_is_valid(kb: KnowledgeBase) -> None:
    assert validate(kb) == []


def test_every_migration_intent_has_a_primary_article(kb: KnowledgeBase) -> None:
    for intent in MIGRATION_INTENTS:
        primary = kb.articles_for_intent(intent)[0]
        assert intent in primary.intents


def test_load_from_directory_matches_load_from_files(kb: KnowledgeBase) -> None:
    from_disk = knowledge_base.load()
    assert [a.id for a in from_disk.articles] == [a.id for a in kb.articles]


def test_missing_language_names_file_and_field(seed_files: Mapping[str, str]) -> None:
    files = edited(seed_files, REGISTRATION, "      ru:\n", "      xx:\n")
    with pytest.raises(ContentError) as error:
        knowledge_base.load_files(files)
    assert error.value.file == REGISTRATION
    assert error.value.field.startswith("articles[0].text")


def test_empty_answer_is_rejected(seed_files: Mapping[str, str]) -> None:
    files = edited(
        seed_files,
        "articles/service.yml",
        "        title: Checking the status of my application\n        answer: >-",
        "        title: Checking the status of my application\n        answer: ''\n        details: >-",
    )
    with pytest.raises(ContentError, match=r"answer: must not be empty"):
        knowledge_base.load_files(files)


def test_unknown_act_is_rejected(seed_files: Mapping[str, str]) -> None:
    files = edited(seed_files, REGISTRATION, "{act: migration_code, article: \"21.7\"}", "{act: visa_code, article: \"21.7\"}")
    with pytest.raises(ContentError, match="unknown act 'visa_code'"):
        knowledge_base.load_files(files)


def test_unquoted_provision_number_is_rejected(seed_files: Mapping[str, str]) -> None:
    # YAML would read 21.10 as the number 21.1: provision numbers must be quoted.
    files = edited(seed_files, REGISTRATION, 'article: "21.7"', "article: 21.10")
    with pytest.raises(ContentError, match="in quotes"):
        knowledge_base.load_files(files)


def test_dangling_related_link(seed_files: Mapping[str, str]) -> None:
    files = edited(seed_files, REGISTRATION, "related: [registration_deadline,", "related: [registration_dedline,")
    assert problems_of(files) == [
        Problem("article registration_overview.related", "no article 'registration_dedline'")
    ]


def test_dangling_follow_up(seed_files: Mapping[str, str]) -> None:
    files = edited(seed_files, REGISTRATION, "payload: flow:stay", "payload: article:nowhere")
    assert [str(p) for p in problems_of(files)] == ["article registration_overview.follow_ups: no article 'nowhere'"]


def test_amount_not_in_cited_table(seed_files: Mapping[str, str]) -> None:
    files = edited(seed_files, "articles/work_permit.yml", "1 000 AZN for up\n          to 1 year", "1 100 AZN for up\n          to 1 year")
    found = problems_of(files)
    amount_problems = [p for p in found if "amount" in p.message]
    assert amount_problems == [
        Problem("article wp_fees.text.en.answer", "amount 1100 AZN is not in its tables (work_permit_fees)")
    ]


def test_amount_from_a_table_the_article_does_not_cite(seed_files: Mapping[str, str]) -> None:
    # 350 AZN is a work-permit fee, but the extension article cites only the extension table.
    files = edited(seed_files, "articles/extension.yml", "adults\n          30 AZN for 30 days", "adults\n          350 AZN for 30 days")
    assert any(p.message.startswith("amount 350 AZN") for p in problems_of(files))


def test_changed_source_text_flags_translations_stale(seed_files: Mapping[str, str]) -> None:
    files = edited(seed_files, REGISTRATION, "Registration is free.", "Registration costs nothing.")
    new_hash = knowledge_base.load_files(files).article("registration_overview").texts["en"].content_hash()
    hint = f"stale: translated from an older en text; once the translation is updated, set source_hash: {new_hash}"
    assert [str(p) for p in problems_of(files)] == [
        f"article registration_overview.text.az: {hint}",
        f"article registration_overview.text.ru: {hint}",
    ]


def test_missing_source_hash_counts_as_stale(seed_files: Mapping[str, str], kb: KnowledgeBase) -> None:
    recorded = kb.article("registration_cost").texts["ru"].source_hash
    # ``edited`` removes the first occurrence: the az block comes before the ru block.
    files = edited(seed_files, REGISTRATION, f"        source_hash: {recorded}\n", "")
    assert [p.where for p in problems_of(files)] == ["article registration_cost.text.az"]


def test_updating_the_source_hash_clears_staleness(seed_files: Mapping[str, str], kb: KnowledgeBase) -> None:
    files = edited(seed_files, REGISTRATION, "Registration is free.", "Registration costs nothing.")
    article = knowledge_base.load_files(files).article("registration_overview")
    new_hash = article.texts["en"].content_hash()
    old_hash = kb.article("registration_overview").texts["az"].source_hash
    assert old_hash is not None and new_hash != old_hash
    files[REGISTRATION] = files[REGISTRATION].replace(f"source_hash: {old_hash}", f"source_hash: {new_hash}")
    refreshed = knowledge_base.load_files(files).article("registration_overview")
    assert stale_languages(refreshed) == []


def test_citation_of_a_provision_not_in_the_reference_texts(seed_files: Mapping[str, str]) -> None:
    files = edited(seed_files, REGISTRATION, 'article: "21.7"}', 'article: "21.77"}')
    assert any("no provision '21.77'" in p.message for p in problems_of(files))


def test_inverted_effective_dates(seed_files: Mapping[str, str]) -> None:
    files = edited(
        seed_files,
        "articles/work_permit.yml",
        "effective_from: 2023-01-01\n    effective_to: 2028-01-01",
        "effective_from: 2028-01-01\n    effective_to: 2023-01-01",
    )
    assert [str(p) for p in problems_of(files)] == ["article wp_fees_liberated.effective_to: must be after effective_from"]


def test_inverted_regime_dates(seed_files: Mapping[str, str]) -> None:
    files = edited(seed_files, "tables/work_permit_fees.yml", "effective_to: 2028-01-01", "effective_to: 2022-01-01")
    assert [str(p) for p in problems_of(files)] == [
        "table work_permit_fees.liberated_territories: effective_to must be after effective_from"
    ]


def test_verified_in_the_future(kb: KnowledgeBase) -> None:
    found = validate(kb, today=date(2026, 1, 1))
    assert found and all(p.message == "is in the future" for p in found)


def test_uncovered_intent_is_reported(seed_files: Mapping[str, str]) -> None:
    files = edited(seed_files, "articles/service.yml", "intents: [application_status]", "intents: [contact_info]")
    assert Problem("intent application_status", "no article answers this migration intent") in problems_of(files)


def test_unknown_intent_is_reported(seed_files: Mapping[str, str]) -> None:
    files = edited(seed_files, "articles/service.yml", "intents: [application_status]", "intents: [application_status, visa_status]")
    assert Problem("article application_status.intents", "unknown intent 'visa_status'") in problems_of(files)


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        ("within 15 working days: 500, 700 or 1 200 AZN", {500, 700, 1200}),
        ("300 AZN-dən 400 AZN-dək", {300, 400}),
        ("2,000–3,000 AZN and 30 000 to 35 000 AZN", {2000, 3000, 30000, 35000}),
        ("от 700 до 1 800 AZN", {700, 1800}),
        ("5 working days, 2 photos, 90 days", set()),
    ],
)
def test_amounts_in_text(text: str, amounts: set[int]) -> None:
    assert amounts_in(text) == {Decimal(amount) for amount in amounts}
