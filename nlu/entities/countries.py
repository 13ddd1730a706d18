"""Countries and citizenship: names from Babel's territory names (az/ru/en) and a hand list of
adjectives and demonyms, in every spelling the NLU accepts.

Matching is a dictionary lookup of token n-grams by their :func:`~nlu.normalise.skeleton`
key, so "Qazaxıstan"/"Qazaxistan", "Казахстан"/"Kazakhstan"/"Kazahstan" meet. Inflected forms
are generated up front: Azerbaijani case/derivation suffixes ("Rusiyadan", "Qazaxıstanlı"),
Russian case endings ("из Казахстана", "в России", "грузины") and English plurals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from babel import Locale

from nlu.normalise import fold, skeleton, transliterate_ru
from nlu.types import Entity

# Region and pseudo-territory codes in Babel's lists that are not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})

# Adjectives/demonyms Babel lacks: code → words (az, en, ru mixed; ru in nominative).
_DEMONYMS: dict[str, tuple[str, ...]] = {
    "AZ": ("azərbaycanlı", "azerbaijani", "азербайджанец", "азербайджанка", "азербайджанский"),
    "KZ": ("qazax", "kazakh", "kazakhstani", "казах", "казашка", "казахстанец", "казахский"),
    "GE": ("gürcü", "georgian", "грузин", "грузинка", "грузинский"),
    "RU": ("rus", "russian", "россиянин", "россиянка", "русский", "российский"),
    "UZ": ("özbək", "uzbek", "узбек", "узбечка", "узбекский"),
    "TJ": ("tacik", "tajik", "таджик", "таджичка", "таджикский"),
    "TM": ("türkmən", "turkmen", "туркмен", "туркменка", "туркменский"),
    "KG": ("qırğız", "kyrgyz", "kirghiz", "киргиз", "кыргыз", "киргизский"),
    "UA": ("ukraynalı", "ukrainian", "украинец", "украинка", "украинский"),
    "BY": ("belarus", "belarusian", "белорус", "белоруска", "белорусский"),
    "MD": ("moldovalı", "moldovan", "молдаванин", "молдаванка", "молдавский"),
    "TR": ("türk", "turkish", "turkey", "турок", "турецкий"),
    "IR": ("iranlı", "iranian", "иранец", "иранский"),
    "IN": ("hindli", "indian", "индиец", "индус", "индийский"),
    "PK": ("pakistanlı", "pakistani", "пакистанец", "пакистанский"),
    "BD": ("banqladeşli", "bangladeshi", "бангладешец"),
    "NP": ("nepallı", "nepali", "nepalese", "непалец"),
    "AF": ("əfqan", "afghan", "афганец", "афганский"),
    "CN": ("çinli", "chinese", "китаец", "китаянка", "китайский"),
    "SY": ("suriyalı", "syrian", "сириец", "сирийский"),
    "IQ": ("iraqlı", "iraqi", "иракец", "иракский"),
    "EG": ("misirli", "egyptian", "египтянин", "египетский"),
    "US": ("amerikalı", "american", "usa", "abş", "сша", "ssha", "американец", "американский", "amerika", "америка"),
    "GB": ("ingiltərə", "britain", "england", "british", "uk", "англия", "британец", "британский"),
    "DE": ("alman", "german", "немец", "немецкий"),
    "FR": ("fransız", "french", "француз", "французский"),
}

# Keys that are ordinary words in one of the languages ("indi" = "now" in Azerbaijani, "того"
# = "of that" in Russian, "malı" = "property of"): never read as countries.
_AMBIGUOUS_KEYS = frozenset(
    skeleton(word)
    for word in ("indi", "того", "togo", "malı", "mali", "çad", "чад", "oman", "ona", "gana", "man", "niger", "kuba")
)

# Azerbaijani endings a name or demonym may carry (folded): cases, "-lı" (from), "-am" (I am).
_AZ_SUFFIXES = (
    "", "da", "de", "dan", "den", "a", "e", "ya", "ye", "in", "un", "nin", "nun", "i", "u",
    "ni", "nu", "li", "lu", "liyam", "liyem", "lidir", "lilar", "liler", "lar", "ler", "dir",
    "dur", "am", "yam", "em", "yem", "iq", "yiq", "ik", "yik", "daki", "deki", "dakilar",
)


@cache
def country_index() -> dict[tuple[str, ...], str]:
    """Map of skeleton-key token tuples to ISO 3166-1 alpha-2 codes."""
    index: dict[tuple[str, ...], str] = {}
    names: dict[str, set[str]] = {}
    for language in ("az", "ru", "en"):
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                names.setdefault(code, set()).add(str(name))
    for code, words in _DEMONYMS.items():
        names.setdefault(code, set()).update(words)
    for code in sorted(names):
        for name in sorted(names[code]):
            for form in _inflected_forms(name):
                key = tuple(skeleton(token) for token in form.split())
                if 1 <= len(key) <= 4 and key[-1] not in _AMBIGUOUS_KEYS and len("".join(key)) >= 2:
                    index.setdefault(key, code)
    return index


def _inflected_forms(name: str) -> Iterable[str]:
    folded = fold(name)
    if not folded:
        return
    head, _, last = folded.rpartition(" ")
    prefix = f"{head} " if head else ""
    if re.search(r"[а-я]", last):
        for ending_form in _russian_forms(last):
            yield prefix + ending_form
            yield transliterate_ru(prefix + ending_form)
    else:
        for suffix in _AZ_SUFFIXES:
            yield prefix + last + suffix
        yield prefix + last + "s"  # English plural demonyms: "Georgians"


def _russian_forms(word: str) -> Iterable[str]:
    """Nominative plus the case endings a Russian noun or adjective of this shape takes."""
    yield word
    if word.endswith(("ий", "ый", "ой")):  # adjectives: "грузинский" → "грузинская", "-ого" …
        stem = word[:-2]
        endings: tuple[str, ...] = ("ая", "ое", "ие", "ого", "ой", "ую", "их", "им", "ому", "ими")
    elif word.endswith("ия"):
        stem, endings = word[:-1], ("и", "ю", "ей")
    elif word.endswith(("а", "я")):
        stem, endings = word[:-1], ("ы", "и", "е", "у", "ю", "ой", "ей")
    elif word.endswith("ы"):
        stem, endings = word[:-1], ("ов", "ам", "ах", "ами")
    elif word.endswith("анин"):  # "россиянин" → "россияне", "россиян"
        stem, endings = word[:-2], ("ина", "ину", "ином", "е", "", "ам")
    elif word.endswith("ец"):  # "украинец" → "украинца", "украинцы"
        stem, endings = word[:-2], ("ца", "цу", "цем", "цы", "цев")
    elif word.endswith("ь"):
        stem, endings = word[:-1], ("и", "ю", "ем")
    else:
        stem, endings = word, ("а", "у", "е", "ом", "ы", "и", "ов", "ам", "ах")
    for ending in endings:
        yield stem + ending


_TOKEN = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
_MAX_NAME_TOKENS = 4

# A language name is not a citizenship: "rus dilində", "русский язык", "Russian language" (a
# language noun follows), "по-русски" / "po-russki" (adverb), "in Azerbaijani", "на русском"
# (a preposition before an adjective-shaped name; "in Russia" / "на Украине" stay countries).
_LANGUAGE_NOUN = re.compile(r"(?:dil|язык|yazyk|language)[^\W\d_]*")
_ADVERB_PREFIX = re.compile(r"(?<![^\W\d_])(?:по|po)\s*[-‐–]\s*$", re.IGNORECASE)
_LANGUAGE_PREPOSITIONS = frozenset({"in", "на", "na"})
_LANGUAGE_ADJECTIVE = re.compile(r"(?:ian|ani|ish|ese|ском|цком|skom|tskom)$")


def find_countries(original: str) -> Iterator[Entity]:
    """Yield country entities (longest name first at each position)."""
    index = country_index()
    tokens = [(m.start(), m.end(), skeleton(m.group(0))) for m in _TOKEN.finditer(original)]
    position = 0
    while position < len(tokens):
        for length in range(min(_MAX_NAME_TOKENS, len(tokens) - position), 0, -1):
            window = tokens[position : position + length]
            code = index.get(tuple(key for _, _, key in window))
            if code is not None:
                start, end = window[0][0], window[-1][1]
                if not _names_a_language(original, tokens, position, position + length):
                    yield Entity("country", code, original[start:end], start, end)
                position += length
                break
        else:
            position += 1


def _names_a_language(original: str, tokens: list[tuple[int, int, str]], first: int, after: int) -> bool:
    """Whether the name in ``tokens[first:after]`` is used as a language name (see above)."""
    start, end = tokens[first][0], tokens[after - 1][1]
    if after < len(tokens) and _LANGUAGE_NOUN.fullmatch(fold(original[tokens[after][0] : tokens[after][1]])):
        return True
    if _ADVERB_PREFIX.search(original[max(0, start - 5) : start]):
        return True
    previous = fold(original[tokens[first - 1][0] : tokens[first - 1][1]]) if first > 0 else ""
    return previous in _LANGUAGE_PREPOSITIONS and bool(_LANGUAGE_ADJECTIVE.search(fold(original[start:end])))
