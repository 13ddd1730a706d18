"""Money amounts: "1000 AZN", "1 000 манат", "200 manat", "$100", "50 евро", "₼ 30"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from nlu.entities.vocabulary import has_digit
from nlu.types import Entity, Money

# Currency words over fold_aligned text (Azerbaijani and Russian ones take endings).
_CURRENCY_WORDS: dict[str, str] = {
    r"azn|manat[^\W\d_]*|манат[^\W\d_]*|ман\.?|man\.": "AZN",
    r"usd|dollar[^\W\d_]*|доллар[^\W\d_]*|dolar[^\W\d_]*": "USD",
    r"eur|euro[^\W\d_]*|евро|avro[^\W\d_]*|yevro": "EUR",
    r"rub|rubl[^\W\d_]*|рубл[^\W\d_]*|руб\.?": "RUB",
    r"try|lira[^\W\d_]*|лир[^\W\d_]*": "TRY",
    r"gbp|pounds?|фунт[^\W\d_]*": "GBP",
}
_SYMBOLS: dict[str, str] = {"₼": "AZN", "$": "USD", "€": "EUR", "₽": "RUB", "₺": "TRY", "£": "GBP"}

# "1 000", "1,000", "1.000.000" (grouped thousands) or "150", "12.50", "12,5".
_AMOUNT = r"(?P<amount>\d{1,3}(?:[ \u00a0.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
_WORD_ALTERNATION = "|".join(f"(?:{pattern})" for pattern in _CURRENCY_WORDS)
_SYMBOL_ALTERNATION = "|".join(re.escape(symbol) for symbol in _SYMBOLS)
_PATTERNS = (
    re.compile(rf"(?<![\w.,]){_AMOUNT}\s*(?P<currency>{_WORD_ALTERNATION}|{_SYMBOL_ALTERNATION})(?!\w)"),
    re.compile(rf"(?P<currency>{_SYMBOL_ALTERNATION}|(?<!\w)(?:azn|usd|eur|rub))\s*{_AMOUNT}(?![\d])"),
)
_GROUPED = re.compile(r"\d{1,3}(?:([ \u00a0.,])\d{3})+")


def find_money(original: str, folded: str) -> Iterator[Entity]:
    """Yield money entities; ``folded`` is ``fold_aligned(original)``."""
    if not has_digit(folded):  # every amount has one
        return
    for pattern in _PATTERNS:
        for match in pattern.finditer(folded):
            amount = parse_amount(match.group("amount"))
            if amount is None:
                continue
            currency = _currency_code(match.group("currency"))
            yield Entity(
                "money", Money(amount, currency), original[match.start() : match.end()], match.start(), match.end()
            )


def parse_amount(text: str) -> Decimal | None:
    """Parse "1 000", "1,000.50", "12,5" into a :class:`Decimal`."""
    grouped = _GROUPED.match(text)
    if grouped and grouped.end() < len(text):  # thousands plus decimals: "1,000.50"
        integer, decimals = text[: grouped.end()], text[grouped.end() + 1 :]
        text = re.sub(r"\D", "", integer) + "." + decimals
    elif grouped:
        text = re.sub(r"\D", "", text)
    else:
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _currency_code(token: str) -> str:
    if token in _SYMBOLS:
        return _SYMBOLS[token]
    for pattern, code in _CURRENCY_WORDS.items():
        if re.fullmatch(pattern, token):
            return code
    raise ValueError(f"unknown currency token {token!r}")
