"""Every entry of every catalog: translated, not fuzzy, placeholders as in the msgid, plurals complete."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from flows.i18n import DEFAULT_LOCALES_DIR, DOMAIN, load_catalogs
from flows.messages import LANGUAGES

PLURAL_FORMS = {"az": 2, "ru": 3, "en": 2}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def read_catalog(language: str) -> Catalog:
    with (DEFAULT_LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po_file:
        return read_po(po_file, locale=language)


def template_ids() -> set[object]:
    with (DEFAULT_LOCALES_DIR / f"{DOMAIN}.pot").open("rb") as pot_file:
        return {message.id for message in read_po(pot_file) if message.id}


def entries(language: str) -> list[Message]:
    return [message for message in read_catalog(language) if message.id]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_covers_the_template(language: str) -> None:
    assert {message.id for message in entries(language)} == template_ids()


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_header(language: str) -> None:
    assert read_catalog(language).num_plurals == PLURAL_FORMS[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_with_matching_placeholders(language: str) -> None:
    problems = []
    for message in entries(language):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(placeholders(str(i)) for i in ids))
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if isinstance(message.id, tuple) and len(strings) != PLURAL_FORMS[language]:
            problems.append(f"{len(strings)} plural forms: {ids[0]!r}")
        # A Russian "one" form may spell the number out, so only {count} may be left out there.
        may_omit = {"count"} if isinstance(message.id, tuple) else set()
        for string in strings:
            found = placeholders(str(string or ""))
            if not string:
                problems.append(f"untranslated: {ids[0]!r}")
            elif found - expected or expected - found - may_omit:
                problems.append(f"placeholders differ: {ids[0]!r} → {string!r}")
    assert not problems, "\n".join(problems)


def test_catalogs_load_and_translate() -> None:
    catalogs = load_catalogs()
    assert catalogs.translator("ru").gettext("Main menu") == "Главное меню"
    assert catalogs.translator("az").gettext("Main menu") == "Əsas menyu"
    days = [catalogs.translator("ru").ngettext("{count} working day", "{count} working days", n, count=n) for n in (1, 3, 5, 21)]
    assert days == ["1 рабочий день", "3 рабочих дня", "5 рабочих дней", "21 рабочий день"]
    assert catalogs.translator("xx").language == "az"  # unknown languages fall back to the default
