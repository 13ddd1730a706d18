"""The project's real trained model on short messages that review found misread.

These run on the model trained from ``nlu/data`` (not the small fixture set): what they check
is the effect of the training data itself.
"""

from __future__ import annotations

import pytest

from bot.config import NluSettings
from nlu import NluModel
from nlu.intents import MIGRATION_INTENTS, OUT_OF_SCOPE
from nlu.types import Duration

#: Confidence at which the bot answers an intent (config default).
CONFIDENT = NluSettings().confident_threshold


@pytest.mark.parametrize("text", ["asdkjh qwe", "aaaa bbbb", "qwerty asdf", "lkjlkj", "фывапр олдж"])
@pytest.mark.parametrize("hint", ["az", "ru", "en"])
def test_messages_without_a_known_word_keep_the_conversation_language(real_nlu: NluModel, text: str, hint: str) -> None:
    result = real_nlu.parse(text, language_hint=hint)
    assert (result.language, result.language_confident) == (hint, False)


@pytest.mark.parametrize(
    "text",
    ["bilmirəm", "bilmirem", "hec bilmirem", "не знаю", "ne znayu", "я правда не знаю", "I don't know", "i really dont know"],
)
def test_i_dont_know_is_out_of_scope_not_an_emergency(real_nlu: NluModel, text: str) -> None:
    # Not "deny": "I don't know" does not answer a yes/no question with no, so the flows
    # must ask again rather than take the "no" branch.
    assert real_nlu.parse(text).intent == OUT_OF_SCOPE


@pytest.mark.parametrize(
    "text",
    [
        "məni zorla saxlayırlar, çıxa bilmirəm, kömək edin",
        "meni zorla isletdirirler, pasportumu aliblar, qaca bilmirem",
        "меня держат силой и не отпускают, помогите",
        "menya derzhat siloy, ne vypuskayut",
        "they keep me locked in the house and took my passport, help",
    ],
)
def test_real_emergencies_still_win(real_nlu: NluModel, text: str) -> None:
    assert real_nlu.parse(text).intent == "trafficking_emergency"


@pytest.mark.parametrize("text", ["na god", "на год", "год", "один год", "bir il", "illik", "a year", "yearly"])
def test_a_year_is_a_duration_not_a_confident_greeting(real_nlu: NluModel, text: str) -> None:
    result = real_nlu.parse(text, language_hint="az")
    assert [e.value for e in result.entities_of("duration")] == [Duration(1, "year")]
    assert not (result.intent == "greet" and result.confidence >= CONFIDENT)


def test_na_god_is_not_confident_english(real_nlu: NluModel) -> None:
    result = real_nlu.parse("na god", language_hint="ru")
    assert not (result.language == "en" and result.language_confident)


@pytest.mark.parametrize("text", ["blah", "passport", "yesterday", "pasport", "вчера"])
def test_lone_words_are_not_answered_as_a_topic(real_nlu: NluModel, text: str) -> None:
    result = real_nlu.parse(text)
    assert result.intent != "thanks"
    assert not (result.intent in MIGRATION_INTENTS and result.confidence >= CONFIDENT)


@pytest.mark.parametrize(
    "text",
    [
        "Salam, viza ile gelmisem, 10 gunluk",
        "Salam, neçə gün qala bilərəm?",
        "Добрый вечер, какая пошлина за разрешение на работу?",
        "privet, kak prodlit prebyvanie",
        "Hello there, is registration needed when I rent a room?",
    ],
)
def test_a_greeting_followed_by_a_question_takes_the_question_intent(real_nlu: NluModel, text: str) -> None:
    assert real_nlu.parse(text).intent in MIGRATION_INTENTS
