"""Understanding policy, people, ratings, languages, timeouts and the error boundary."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flows.dialogue import ConversationState
from flows.engine import PRIORITY
from flows.messages import ConversationKey, IncomingMessage
from tests.flows.conftest import NOW, Chat, Said, payloads, run_table, text_of


def test_greeting_offers_languages_and_menu(chat: Chat) -> None:
    run_table(chat, [("salam", Said("greet", language="az"), ["Salam!"], ["lang:ru", "flow:stay", "handoff"])])
    assert chat.state.language == "az"


def test_middle_confidence_asks_did_you_mean_then_hands_off(chat: Chat) -> None:
    unsure = Said("visa", 0.45, ranking=(("visa", 0.45), ("stay_period", 0.3), ("greet", 0.1)))
    run_table(chat, [("visa thing", unsure, ["Did you mean"], ["intent:visa", "intent:stay_period", "handoff"])])
    assert "intent:greet" not in payloads(chat.turns[-1])
    turn = chat.send("blah blah", said=Said("out_of_scope", 0.1))
    assert turn.handoff is not None and turn.handoff.reason == "not_understood"
    assert [i["intent"] for i in turn.handoff.summary["intents"]] == ["visa", "out_of_scope"]
    assert turn.handoff.summary["last_messages"] == ["visa thing", "blah blah"]


def test_low_confidence_first_asks_to_rephrase(chat: Chat) -> None:
    turn = chat.send("qwerty", said=Said("out_of_scope", 0.1))
    assert turn.handoff is None
    assert "did not understand" in text_of(turn) and "handoff" in payloads(turn)
    assert chat.state.failed_attempts == 1


def test_did_you_mean_button_answers_the_topic(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    turn = chat.send("", payload="intent:work_permit_fee")
    assert "For how long is the permit" in text_of(turn)


def test_explicit_request_for_a_person_hands_off_at_once(chat: Chat) -> None:
    chat.send("", payload="flow:stay")
    chat.send("", payload="date:2026-03-01")
    turn = chat.send("позовите оператора", said=Said("human_handoff", language="ru"))
    assert turn.handoff is not None and turn.handoff.reason == "asked"
    assert turn.handoff.summary["slots"] == {"arrival": "2026-03-01"}
    assert "Сотрудник колл-центра ответит" in text_of(turn)


def test_emergency_always_hands_off_with_top_priority(chat: Chat) -> None:
    turn = chat.send("they took my passport and lock me in", said=Said("trafficking_emergency", 0.35))
    assert turn.handoff is not None and turn.handoff.reason == "emergency"
    assert turn.handoff.priority == max(PRIORITY.values())
    assert "urgent" in text_of(turn)


def test_labour_rights_offers_an_urgent_person(chat: Chat) -> None:
    run_table(chat, [("my employer does not pay me", Said("labour_rights"), ["Shall I connect you"], ["handoff"])])
    turn = chat.send("yes", said=Said("affirm"))
    assert turn.handoff is not None and turn.handoff.reason == "labour_rights"


def test_thumbs_down_then_yes_hands_off(chat: Chat) -> None:
    chat.send("", payload="flow:work_permit_fee")
    chat.send("", payload="months:3")
    offer = chat.send("", payload="rate:down")
    assert "handoff" in payloads(offer) and offer.handoff is None
    turn = chat.send("bəli", said=Said("affirm", language="az", language_confident=False))
    assert turn.handoff is not None and turn.handoff.reason == "thumbs_down"
    assert turn.handoff.summary["slots"]["months"] == 3


def test_thumbs_down_then_no_returns_to_the_menu(chat: Chat) -> None:
    chat.send("", payload="rate:down")
    turn = chat.send("no", said=Said("deny"))
    assert turn.handoff is None and "flow:stay" in payloads(turn)
    assert chat.state.flow is None


def test_faq_answer_comes_from_the_knowledge_base_with_rating(chat: Chat, kb) -> None:  # type: ignore[no-untyped-def]
    article = kb.articles_for_intent("contact_info")[0]
    turn = chat.send("how can I call you", said=Said("contact_info"))
    assert turn.replies[0].text == article.text("en")
    assert payloads(turn)[-2:] == ["rate:up", "rate:down"]
    assert chat.state.slots["memory"]["articles"] == [article.id]


def test_explicit_language_choice_beats_detection(chat: Chat) -> None:
    chat.send("", payload="lang:ru")
    turn = chat.send("hello", said=Said("greet", language="en"))
    assert "Здравствуйте" in text_of(turn)


def test_asking_for_a_language_in_words_switches(chat: Chat) -> None:
    turn = chat.send("ingilis dilində danış", said=Said("change_language", language="az"))
    assert "I will answer in English" in text_of(turn)
    assert chat.state.language == "en"


def test_unconfident_detection_keeps_the_conversation_language(chat: Chat) -> None:
    chat.state = ConversationState(language="ru")
    turn = chat.send("ok", said=Said("thanks", language="en", language_confident=False))
    assert "Пожалуйста" in text_of(turn)


def test_typed_numbers_work_for_the_menu_and_typed_words_for_back(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    assert "On what date" in text_of(chat.send("1"))
    chat.send("01.03.2026")
    assert "On what date" in text_of(chat.send("back"))


def test_a_new_question_mid_flow_leaves_the_flow(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    chat.send("", payload="flow:stay")
    turn = chat.send("how much is a work permit", said=Said("work_permit_fee"))
    assert "For how long is the permit" in text_of(turn)
    assert chat.state.flow == "work_permit_fee"


def test_idle_flow_is_reset_after_the_timeout(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    chat.send("", payload="flow:stay")
    chat.now = NOW + timedelta(minutes=31)
    turn = chat.send("01.03.2026", said=Said("out_of_scope", 0.1))
    assert chat.state.flow is None
    assert "did not understand" in text_of(turn)


def test_internal_errors_become_an_apology_and_an_offer(chat: Chat) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    chat.nlu.parse = broken  # type: ignore[method-assign, assignment]
    state = ConversationState(language="ru")
    message = IncomingMessage(ConversationKey("test", "u1"), "m1", "привет", NOW)
    turn = chat.engine.respond(state, message, NOW)
    assert "произошла ошибка" in text_of(turn)
    assert "handoff" in payloads(turn)
    assert turn.handoff is None
    assert replace(turn.state, flow=None, step=None, slots={}) == replace(state, flow=None, step=None, slots={})


def test_an_emergency_mid_flow_interrupts_it(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    chat.send("", payload="flow:stay")
    chat.send("", payload="date:2026-03-01")
    turn = chat.send("help they are holding me", said=Said("trafficking_emergency", 0.8))
    assert turn.handoff is not None and turn.handoff.reason == "emergency"
    assert turn.handoff.summary["slots"] == {"arrival": "2026-03-01"}
    assert turn.handoff.summary["flow"] == "stay"
    assert chat.state.flow is None


def test_general_stay_question_gets_the_article_and_one_calculator_button(chat: Chat, kb) -> None:  # type: ignore[no-untyped-def]
    article = kb.articles_for_intent("registration")[0]
    turn = chat.send("do I need to register without a visa?", said=Said("registration"))
    assert turn.replies[0].text == article.text("en")
    assert payloads(turn).count("flow:stay") == 1
    assert chat.state.flow is None


def test_unsure_out_of_scope_keeps_the_language_even_when_the_nlu_is_sure_of_it(chat: Chat) -> None:
    chat.send("salam", said=Said("greet", language="az"))
    turn = chat.send("asdkjh qwe", said=Said("out_of_scope", 0.21, language="en", language_confident=True))
    assert turn.state.language == "az" and "Bağışlayın" in text_of(turn)
    turn = chat.send("what is the weather", said=Said("out_of_scope", 0.97, language="en"))
    assert turn.state.language == "en"


def test_a_short_answer_to_the_flow_keeps_the_language_but_a_new_question_does_not(chat: Chat) -> None:
    chat.state = ConversationState(language="ru")
    chat.send("", payload="flow:work_permit_fee")
    turn = chat.send("na god", said=Said("greet", 0.79, language="en"))
    assert turn.state.language == "ru" and "до 12 месяцев" in text_of(turn)
    chat.send("", payload="flow:work_permit_fee")
    turn = chat.send("how much is it", said=Said("greet", 0.79, language="en"))
    assert turn.state.language == "en"


def test_a_barely_understood_topic_guess_keeps_the_language(chat: Chat) -> None:
    chat.send("salam", said=Said("greet", language="az"))
    turn = chat.send("asdf ghjk qwer", said=Said("labour_rights", 0.28, language="en"))
    assert turn.state.language == "az"
