"""End-to-end dialogues through the real NLU model and the real knowledge base, per language."""

from tests.flows.conftest import Chat, payloads, run_table, text_of


def test_one_message_registration_answer_in_english(real_chat: Chat) -> None:
    question = "I entered visa-free on 1 March 2026, I'm from Georgia — until when must I register?"
    run_table(real_chat, [(question, None, ["16 March 2026", "29 May 2026"], ["rate:down"])])


def test_one_message_registration_answer_in_russian_for_kazakhstan(real_chat: Chat) -> None:
    question = "Я въехал без визы 1 марта 2026, я из Казахстана, до какого числа регистрация?"
    run_table(real_chat, [(question, None, ["31 марта 2026", "29 мая 2026"], [])])
    assert real_chat.state.language == "ru"


def test_one_message_registration_answer_in_azerbaijani(real_chat: Chat) -> None:
    question = "1 mart 2026 vizasız gəlmişəm, Gürcüstan vətəndaşıyam, nə vaxta qədər qeydiyyatdan keçməliyəm?"
    run_table(real_chat, [(question, None, ["16 mart 2026", "29 may 2026"], [])])


def test_fee_question_in_english(real_chat: Chat) -> None:
    turn = real_chat.send("how much is a 1 year work permit")
    assert "1,400 AZN" in text_of(turn) and "1,000 AZN" in text_of(turn)
    assert "processing:10" in payloads(turn)


def test_asking_for_an_operator_in_russian_hands_off(real_chat: Chat) -> None:
    turn = real_chat.send("позовите оператора")
    assert turn.handoff is not None and turn.handoff.reason == "asked"


def test_trafficking_is_an_emergency(real_chat: Chat) -> None:
    turn = real_chat.send("they took my passport and locked me in, I am forced to work")
    assert turn.handoff is not None and turn.handoff.reason == "emergency"
