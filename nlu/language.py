"""Language identification for az / ru / en messages.

Signals, strongest first:

1. **Script.** Cyrillic is Russian (or, with letters such as "ә"/"ҹ", old-alphabet Azerbaijani).
   Latin with Azerbaijani letters (ə ğ ı ş ç ö ü) is Azerbaijani.
2. For plain ASCII Latin text three scores are blended: a character n-gram model trained on
   the training data (the only signal that knows *Russian typed in Latin letters*, since its
   training set adds a transliteration of every Cyrillic example), lingua restricted to
   az/ru/en (robust general-purpose Azerbaijani vs English), and a small lexicon of
   function words. Lingua, the costliest signal, is consulted only when its share could change
   the winner or whether the winner is confident.

Very short messages, and messages none of whose words is known (in the training vocabulary or
the lexicon — "asdkjh qwe", "lkjlkj"), are never *confident*: the caller then keeps the
conversation's language. Gibberish scores confidently on character models alone, so the
vocabulary check is what stops it from switching the conversation's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from nlu.linear_scorer import LinearTextScorer
from nlu.normalise import fold, transliterate_ru

LANGUAGES: tuple[str, ...] = ("az", "ru", "en")
DEFAULT_LANGUAGE = "az"  # the service's own language, used when nothing else is known

_LINGUA_CODES = {Language.AZERBAIJANI: "az", Language.RUSSIAN: "ru", Language.ENGLISH: "en"}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_AZ_CYRILLIC = re.compile(r"[әғҹөүһјҝӘҒҸӨҮҺЈҜ]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f\u0259\u018f]")
_AZ_LATIN = re.compile(r"[əƏğĞıİşŞçÇöÖüÜ]")
_WORD = re.compile(r"[^\W\d_]+")

# Frequent function/cue words that tell the three languages apart in ASCII Latin text.
# Deliberately tiny: the trained model and lingua do the real work; this steadies short texts.
_LEXICON_WORDS: dict[str, str] = {
    "az": (
        "men mene menim sen siz sizin biz ne nece neyi harada hara haradan niye nie ucun ile "
        "var yox olar olur edim etmek isteyirem lazimdir lazim deyil bu o ve da de gun ay il "
        "xahis edirem salam sagol sag olun beli xeyr he yaxsi cox nedir necedir kimi"
    ),
    "ru": (
        "ya mne menya moy moya kak chto shto gde kogda skolko pochemu nuzhno mozhno eto eti "
        "est net da ne na v s u za dlya ili uzhe esche tut kto zdravstvuyte privet spasibo "
        "pozhaluysta pojaluysta horosho dobryy den nado hochu mogu mozhet budet byl"
    ),
    "en": (
        "i me my you your we the a an is are am was do does did how what where when why who "
        "can could should need want to of for in on with from and or not no yes please thanks "
        "thank hello hi it this that have has much many long"
    ),
}
# Folded like the messages they are compared with ("dobryy" → "dobry").
_LEXICON: dict[str, frozenset[str]] = {
    lang: frozenset(fold(words).split()) for lang, words in _LEXICON_WORDS.items()
}

#: Fewer letters than this and the guess is never confident ("ok", "да", "hə").
MIN_CONFIDENT_LETTERS = 4
#: The blended score the winner needs to be confident.
MIN_CONFIDENT_SCORE = 0.6
_WEIGHTS = {"model": 0.5, "lingua": 0.3, "lexicon": 0.2}
# The most lingua can move a score, plus slack for floating-point rounding.
_LINGUA_REACH = _WEIGHTS["lingua"] + 1e-9
#: Folded words shorter than this never count as known: repeated-letter squeezing turns
#: keyboard mashing such as "aaaa" into "a", which is an English word.
MIN_KNOWN_WORD_LETTERS = 2


@cache
def build_lingua_detector() -> LanguageDetector:
    """A lingua detector restricted to the three languages, with models loaded up front.

    Cached: the detector is immutable and its models take ~0.7 s and tens of MB to load, so
    every model in the process (a retrained one included) shares one.
    """
    return (
        LanguageDetectorBuilder.from_languages(*_LINGUA_CODES)
        .with_preloaded_language_models()
        .build()
    )


def train_latin_model(texts: Sequence[str], languages: Sequence[str]) -> Pipeline | None:
    """Train the character n-gram model that scores ASCII-Latin text as az/ru/en.

    Cyrillic examples are transliterated and Azerbaijani ones folded, so the model learns what
    Latin-typed Russian and special-letter-free Azerbaijani look like from the same data.
    Returns ``None`` when the data holds fewer than two languages (nothing to tell apart).
    """
    if len(set(languages)) < 2:
        return None
    latin_texts = [transliterate_ru(fold(text)) for text in texts]
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=2000),
    )
    model.fit(latin_texts, list(languages))
    return model


class LanguageIdentifier:
    """Decides the language of a message; see the module docstring for the signals."""

    def __init__(
        self,
        latin_model: Pipeline | None,
        lingua: LanguageDetector | None = None,
        known_words: Iterable[str] = (),
    ) -> None:
        """``known_words``: folded, transliterated words of the training data (any language)."""
        self._latin_scorer = LinearTextScorer(latin_model) if latin_model is not None else None
        self._lingua = lingua or build_lingua_detector()
        self._known_words = frozenset(known_words).union(*_LEXICON.values())

    def identify(self, text: str, hint: str | None = None, latin: str | None = None) -> tuple[str, bool]:
        """Return ``(language, confident)``; unconfident guesses defer to ``hint`` if given.

        ``latin`` is ``transliterate_ru(fold(text))`` if the caller has it already.
        """
        can_be_confident = sum(map(str.isalpha, text)) >= MIN_CONFIDENT_LETTERS and self.has_known_word(
            text, latin
        )
        if not can_be_confident and hint in LANGUAGES:
            return str(hint), False  # whatever the guess, the hint wins
        language, confident = self._guess(text, can_be_confident)
        if not confident and hint in LANGUAGES:
            return str(hint), False
        return language, confident

    def has_known_word(self, text: str, latin: str | None = None) -> bool:
        """Whether any word of ``text`` is in the training vocabulary or the lexicon
        (``latin``: as in :meth:`identify`)."""
        words = _WORD.findall(transliterate_ru(fold(text)) if latin is None else latin)
        return any(len(word) >= MIN_KNOWN_WORD_LETTERS and word in self._known_words for word in words)

    def _guess(self, text: str, can_be_confident: bool) -> tuple[str, bool]:
        """The likeliest language, and whether it is confident: ``can_be_confident`` and a
        score of at least :data:`MIN_CONFIDENT_SCORE`."""
        cyrillic = len(_CYRILLIC.findall(text))
        latin = len(_LATIN.findall(text))
        if cyrillic == 0 and latin == 0:
            return DEFAULT_LANGUAGE, False
        if cyrillic > latin:
            return ("az" if _AZ_CYRILLIC.search(text) else "ru"), can_be_confident
        if _AZ_LATIN.search(text):
            return "az", can_be_confident
        folded = fold(text)
        model, lexicon = self._model_scores(folded), _lexicon_scores(folded)
        # Lingua adds 0.3 × a value in [0, 1] to each language: skip it (the costliest signal)
        # when that cannot change the winner nor which side of the threshold its score is on.
        without_lingua = {lang: _blend(model, {}, lexicon, lang) for lang in LANGUAGES}
        best, runner_up = sorted(LANGUAGES, key=without_lingua.__getitem__, reverse=True)[:2]
        floor = without_lingua[best]
        if floor - without_lingua[runner_up] > _LINGUA_REACH:
            if not can_be_confident or floor >= MIN_CONFIDENT_SCORE:
                return best, can_be_confident
            if floor + _LINGUA_REACH < MIN_CONFIDENT_SCORE:
                return best, False
        lingua = self._lingua_scores(folded)
        scores = {lang: _blend(model, lingua, lexicon, lang) for lang in LANGUAGES}
        best = max(scores, key=scores.__getitem__)
        return best, can_be_confident and scores[best] >= MIN_CONFIDENT_SCORE

    def _model_scores(self, folded: str) -> dict[str, float]:
        if self._latin_scorer is None:
            return {}
        probabilities = self._latin_scorer.predict_proba(folded)
        return dict(zip(self._latin_scorer.classes, probabilities.tolist(), strict=True))

    def _lingua_scores(self, folded: str) -> dict[str, float]:
        return {
            _LINGUA_CODES[value.language]: value.value
            for value in self._lingua.compute_language_confidence_values(folded)
        }


def _blend(model: dict[str, float], lingua: dict[str, float], lexicon: dict[str, float], lang: str) -> float:
    """The weighted score of ``lang``; a signal missing from its dict counts 0."""
    return (
        _WEIGHTS["model"] * model.get(lang, 0.0)
        + _WEIGHTS["lingua"] * lingua.get(lang, 0.0)
        + _WEIGHTS["lexicon"] * lexicon[lang]
    )


def _lexicon_scores(folded: str) -> dict[str, float]:
    """Share of cue-word hits per language (uniform when there are none)."""
    words = _WORD.findall(folded)
    hits = np.array([sum(word in _LEXICON[lang] for word in words) for lang in LANGUAGES], float)
    if hits.sum() == 0:
        return {lang: 1.0 / len(LANGUAGES) for lang in LANGUAGES}
    return dict(zip(LANGUAGES, (hits / hits.sum()).tolist(), strict=True))
