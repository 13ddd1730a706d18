"""Editing one article inside its YAML file: minimal diffs and staleness bookkeeping."""

from __future__ import annotations

import difflib

import pytest

from bot.editor.articles import ArticleEdit, ArticleEditError, apply_edit, article_form
from knowledge_base import DEFAULT_CONTENT_DIR, load_files, read_content_files
from knowledge_base.validation import stale_languages

PATH = "articles/registration.yml"
ARTICLE = "registration_overview"  # source language en, az and ru up to date
FILES = read_content_files(DEFAULT_CONTENT_DIR)


def _changed_lines(before: str, after: str) -> list[str]:
    return [
        line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def _article(body: str):  # type: ignore[no-untyped-def]
    return load_files({**FILES, PATH: body}).article(ARTICLE)


def test_unchanged_form_round_trips_byte_for_byte() -> None:
    form = article_form(FILES[PATH], ARTICLE)
    assert form["stale"] == []
    edit = ArticleEdit(
        texts=form["texts"], legal_basis=None, lists={}, dates=form["dates"], confidence=form["confidence"]
    )
    assert apply_edit(FILES[PATH], ARTICLE, edit) == FILES[PATH]


def test_editing_a_translation_makes_it_the_source_and_the_others_stale() -> None:
    body = apply_edit(FILES[PATH], ARTICLE, ArticleEdit(texts={"ru": {"answer": "Да, нужна."}}))
    article = _article(body)
    assert article.answer("ru") == "Да, нужна."
    assert article.source_language == "ru"
    assert sorted(stale_languages(article)) == ["az", "en"]
    # The rest of the file is untouched, so the revision diff shows only this article.
    next_article = "  - id: registration_deadline"
    assert body.split(next_article, 1)[1] == FILES[PATH].split(next_article, 1)[1]
    changed = _changed_lines(FILES[PATH], body)
    assert "+          Да, нужна." in changed and "+    source_language: ru" in changed
    assert len(changed) <= 12


def test_editing_the_source_language_leaves_translations_stale_until_confirmed() -> None:
    body = apply_edit(FILES[PATH], ARTICLE, ArticleEdit(texts={"en": {"title": "Must I register my address?"}}))
    assert sorted(stale_languages(_article(body))) == ["az", "ru"]
    confirmed = apply_edit(body, ARTICLE, ArticleEdit(confirm=("az",)))
    assert stale_languages(_article(confirmed)) == ["ru"]
    assert article_form(confirmed, ARTICLE)["stale"] == ["ru"]


def test_metadata_edits() -> None:
    body = apply_edit(
        FILES[PATH],
        ARTICLE,
        ArticleEdit(
            legal_basis=[{"act": "migration_code", "article": "21.1"}],
            lists={"sources": ["https://migration.gov.az/en/oyq", ""]},
            dates={"verified_on": "2026-11-01", "effective_from": None},
            confidence="P",
        ),
    )
    article = _article(body)
    assert [ref.article for ref in article.legal_basis] == ["21.1"]
    assert article.sources == ("https://migration.gov.az/en/oyq",)
    assert article.verified_on.isoformat() == "2026-11-01" and article.effective_from is None
    assert article.confidence == "P"


@pytest.mark.parametrize(
    "edit",
    [
        ArticleEdit(texts={"ru": {"answer": "  "}}),
        ArticleEdit(texts={"de": {"answer": "Ja"}}),
        ArticleEdit(dates={"verified_on": "soon"}),
        ArticleEdit(lists={"priority": ["1"]}),
    ],
)
def test_malformed_edits_are_refused(edit: ArticleEdit) -> None:
    with pytest.raises(ArticleEditError):
        apply_edit(FILES[PATH], ARTICLE, edit)


def test_unknown_article_is_refused() -> None:
    with pytest.raises(ArticleEditError):
        apply_edit(FILES[PATH], "no_such_article", ArticleEdit())
