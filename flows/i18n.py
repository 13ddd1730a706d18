"""UI strings and locale formatting for az / ru / en.

Catalogs are the ``.po`` files in ``locales/<lang>/LC_MESSAGES/migassist.po``; they are read once
with Babel and compiled in memory (no ``.mo`` files to build or ship). Anyone who shows text to a
user — the flows, the web chat page, handoff messages — asks :class:`Catalogs` for a
:class:`Translator`::

    catalogs = load_catalogs()
    t = catalogs.translator("ru")
    t.gettext("Your registration deadline is {date}.", date=t.format_date(deadline))
    t.ngettext("{count} day left", "{count} days left", n, count=n)

Placeholders are named (``{date}``) and substituted *after* translation, so translators can move
them. Strings defined away from a call site are marked with :func:`N_` so ``pybabel extract``
finds them.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from flows.messages import LANGUAGES

DOMAIN = "migassist"
DEFAULT_LANGUAGE = "az"
#: ``locales/`` at the project root (next to the ``flows`` package).
DEFAULT_LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translated where it is shown)."""
    return message


class CatalogError(Exception):
    """A gettext catalog is missing or cannot be parsed."""


@dataclass(frozen=True)
class Translator:
    """Translates UI strings into one language and formats values for its locale."""

    language: str
    translations: _gettext.NullTranslations

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.language)

    def gettext(self, message: str, **values: object) -> str:
        """Translate ``message`` and substitute named ``{placeholders}`` from ``values``."""
        return _substitute(self.translations.gettext(message), values)

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """Translate a count-dependent message (Russian has three plural forms)."""
        return _substitute(self.translations.ngettext(singular, plural, n), values)

    def format_date(self, value: date) -> str:
        """A date written out in the locale: ``16 March 2026`` / ``16 марта 2026`` / ``16 mart 2026``.

        Day-first in every language (the service's own style), month name in the locale's
        grammatical case; no trailing "г." so the date can end a sentence.
        """
        return _babel_format_date(value, format="d MMMM y", locale=self.locale)

    def format_number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def format_money(self, amount: int | Decimal, currency: str = "AZN") -> str:
        """An amount with its currency, e.g. ``1,400 AZN``; whole amounts without decimals."""
        number = format_decimal(amount, locale=self.locale, decimal_quantization=False)
        if currency == "AZN":
            # CLDR writes "₼"/"man." inconsistently across az/ru/en; the service writes "AZN".
            return f"{number} AZN"
        return format_currency(amount, currency, locale=self.locale)


def _substitute(text: str, values: Mapping[str, object]) -> str:
    return text.format_map(values) if values else text


@dataclass(frozen=True)
class Catalogs:
    """The translations of all languages, loaded once at start-up."""

    by_language: Mapping[str, _gettext.NullTranslations]

    def translator(self, language: str | None) -> Translator:
        """A translator for ``language``; an unknown or missing language gets the default one."""
        lang = language if language is not None and language in self.by_language else DEFAULT_LANGUAGE
        return Translator(lang, self.by_language[lang])


def load_catalogs(locales_dir: Path = DEFAULT_LOCALES_DIR) -> Catalogs:
    """Read ``<locales_dir>/<lang>/LC_MESSAGES/migassist.po`` for every language."""
    return Catalogs({lang: _load_po(locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po", lang) for lang in LANGUAGES})


def _load_po(path: Path, language: str) -> _gettext.GNUTranslations:
    try:
        with path.open("rb") as po_file:
            catalog = read_po(po_file, locale=language, domain=DOMAIN)
    except (OSError, ValueError) as error:
        raise CatalogError(f"cannot read catalog {path}: {error}") from error
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)
