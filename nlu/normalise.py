"""Text normalisation shared by training, inference and knowledge-base search.

Three views of a message, each a pure function of the text:

* :func:`fold` — the canonical form: lowercase, Azerbaijani letters folded to ASCII,
  punctuation and emoji replaced by spaces, repeated letters squeezed. Cyrillic stays Cyrillic.
* :func:`transliterate_ru` — Cyrillic to the Latin spelling people type on a Latin keyboard
  ("разрешение" → "razreshenie"), so Russian typed in Latin letters can meet Russian in Cyrillic.
* :func:`skeleton` — a coarser Latin key where spelling variants collapse ("sh"/"s", "kh"/"x"/"h",
  "zh"/"j", "y"/"i", "ts"/"c"). It over-merges on purpose: it is only ever used as an *extra*
  feature view next to :func:`fold`, never instead of it.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from functools import cache

_AZ_FOLD = str.maketrans(
    {
        "ə": "e",
        "ş": "s",
        "ç": "c",
        "ğ": "g",
        "ı": "i",
        "ö": "o",
        "ü": "u",
        # Cyrillic "ё" is routinely written "е"; folding it keeps one spelling per word.
        "ё": "е",
    }
)

# Everything that is not a letter or a digit becomes a space (punctuation, emoji, symbols).
_NON_WORD = re.compile(r"[^\w]|_", re.UNICODE)
# A letter repeated (salaaam, пожааалуйста, passport/pasport) is squeezed to one: training and
# inference both squeeze, so doubled letters never distinguish words and stretched or
# mis-doubled spellings meet. Digits are left alone ("2000" must stay 2000).
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1+", re.UNICODE)
# Its replacement, the letter once: a callable (run in C) costs less per ``sub`` than r"\1".
_ONE_LETTER = operator.itemgetter(1)
_SPACES = re.compile(r"\s+")
# Apostrophes join rather than split ("don't" → "dont", "o'zbek" → "ozbek"): Latin-typed
# Russian uses them for soft signs, Uzbek/Turkic spellings inside names.
_APOSTROPHES = re.compile("['`\u2019\u2018\u02bb\u02bc]")
# Letters whose diacritic makes them a different letter, not a decorated one.
_KEEP_MARKED = frozenset("й")


def _strip_marks(text: str) -> str:
    """Drop combining marks ("i̇" from İ.lower(), "é"), keeping letters such as "й"."""
    if text.isascii():
        return text
    return "".join(_strip_char_marks(ch) for ch in text)


@cache
def _strip_char_marks(ch: str) -> str:
    if ch.isascii() or ch in _KEEP_MARKED:
        return ch
    return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Return the canonical search/classification form of ``text``.

    >>> fold("Qeydiyyatdan keçməliyəmmi?? 🙏")
    'qeydiyatdan kecmeliyemi'
    >>> fold("İŞÇİ İCAZƏSİ")
    'isci icazesi'
    """
    # Turkish/Azerbaijani dotted capital İ lowercases to "i" + combining dot in Python;
    # map it explicitly. Dotless capital I lowercases to "i", which is where ı folds anyway.
    text = text.replace("İ", "i")
    text = unicodedata.normalize("NFC", text.lower())
    text = _strip_marks(text.translate(_AZ_FOLD))
    text = _APOSTROPHES.sub("", text)
    text = _NON_WORD.sub(" ", text)
    text = _REPEATED_LETTER.sub(_ONE_LETTER, text)
    return _SPACES.sub(" ", text).strip()


_RU_TO_LATIN = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "sch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
        # Azerbaijani Cyrillic letters, for the occasional old-alphabet message.
        "ә": "e",
        "ғ": "g",
        "ҹ": "c",
        "ө": "o",
        "ү": "u",
        "һ": "h",
        "ј": "y",
        "ҝ": "g",
    }
)


def transliterate_ru(text: str) -> str:
    """Transliterate Cyrillic letters of folded text to the Latin spelling people type.

    >>> transliterate_ru(fold("Сколько стоит разрешение на работу?"))
    'skolko stoit razreshenie na rabotu'
    """
    return text.translate(_RU_TO_LATIN)


# Ordered rewrites: longer clusters first so "shch" is not consumed as "sh" + "ch".
_SKELETON_REWRITES: tuple[tuple[str, str], ...] = (
    ("shch", "s"),
    ("sch", "s"),
    ("sh", "s"),
    ("zh", "j"),
    ("kh", "h"),
    ("ch", "c"),
    ("ts", "c"),
    ("gh", "g"),
    ("ph", "f"),
    ("x", "h"),
    ("w", "v"),
    ("q", "g"),
    ("y", "i"),
)
_SKELETON_PATTERN = re.compile("|".join(re.escape(src) for src, _ in _SKELETON_REWRITES))
_SKELETON_TARGET = dict(_SKELETON_REWRITES)


def skeleton(text: str) -> str:
    """Return a coarse Latin key of ``text`` where common spelling variants coincide.

    >>> skeleton("razreshenie") == skeleton("razresenie")
    True
    >>> skeleton("şəhadətnamə") == skeleton("shehadetname")
    True
    """
    return latin_skeleton(transliterate_ru(fold(text)))


def latin_skeleton(latin: str) -> str:
    """:func:`skeleton` of text that is already ``transliterate_ru(fold(text))``."""
    key = _SKELETON_PATTERN.sub(lambda m: _SKELETON_TARGET[m.group(0)], latin)
    return _REPEATED_LETTER.sub(_ONE_LETTER, key)


def fold_aligned(text: str) -> str:
    """Fold case and Azerbaijani letters *character by character*, keeping the length.

    Entity patterns run on this form so that a match's ``start``/``end`` index the original
    text. Nothing is removed or squeezed (unlike :func:`fold`).

    >>> fold_aligned("1-ci MART, Şəki") == "1-ci mart, seki"
    True
    """
    if max(text, default="") < _ALIGNED_TABLE_END:
        return text.translate(_ALIGNED_TABLE)
    return "".join(_fold_char(ch) for ch in text)


def _fold_char(ch: str) -> str:
    if ch == "İ":
        return "i"
    lowered = ch.lower()
    folded = _strip_marks(lowered.translate(_AZ_FOLD))
    # A character whose folded form is not exactly one character keeps its lowered self (or
    # itself), so offsets stay aligned.
    if len(folded) == 1:
        return folded
    return lowered if len(lowered) == 1 else ch


# _fold_char of every character below U+3000 (all alphabets, punctuation and currency signs
# messages use) that it changes, so :func:`fold_aligned` of such text is one ``translate``.
_ALIGNED_TABLE_END = "\u3000"
_ALIGNED_TABLE = {
    code: folded for code in range(ord(_ALIGNED_TABLE_END)) if (folded := _fold_char(chr(code))) != chr(code)
}
