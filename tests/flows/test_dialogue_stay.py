"""Stay and registration calculator dialogues, as tables of turns, one per language."""

from datetime import date

from flows.dialogue import ConversationState
from nlu.types import Duration, Entity
from tests.flows.conftest import Chat, Said, country, on, payloads, run_table, text_of

MARCH_1 = date(2026, 3, 1)


def test_one_message_answer_in_english(chat: Chat) -> None:
    question = "I entered visa-free on 1 March 2026, I'm from Georgia — until when must I register?"
    run_table(
        chat,
        [
            (question, Said("registration", entities=(on(MARCH_1), country("GE"))), ["16 March 2026", "29 May 2026", "arrival day is day 1", "919"], ["rate:up", "rate:down"]),
        ],
    )
    assert chat.state.flow is None


def test_step_by_step_in_azerbaijani_with_a_correction(chat: Chat) -> None:
    run_table(
        chat,
        [
            ("qalma müddətimi hesabla", Said("stay_period", language="az"), ["Azərbaycana hansı tarixdə gəlmisiniz"], ["back", "cancel"]),
            ("31.02.2026", None, ["Belə tarix yoxdur"], []),
            ("01.03.2026", None, ["Azərbaycana necə gəlmisiniz"], ["entry:visa_free", "entry:e_visa"]),
            ("1", None, ["Vətəndaşlığınız nədir"], ["country:KZ", "country:other"]),
            # A correction of the date while the citizenship is asked.
            ("yox, 02.03.2026 gəlmişəm", None, ["Vətəndaşlığınız nədir"], []),
            ("3", None, ["1 aprel 2026", "30 may 2026"], ["rate:down"]),
        ],
    )
    assert chat.state.slots["last_facts"]["arrival"] == "2026-03-02"


def test_russian_with_cancel_and_back(chat: Chat) -> None:
    run_table(
        chat,
        [
            ("рассчитать срок регистрации", Said("registration", language="ru"), ["Какого числа вы прибыли"], []),
            ({"payload": "date:2026-03-01"}, None, ["Как вы въехали"], []),
            ({"payload": "entry:visa"}, None, ["Сколько дней пребывания разрешает ваша виза"], ["visa_days:30"]),
            ({"payload": "back"}, None, ["Как вы въехали"], []),
            ({"payload": "entry:e_visa"}, None, ["Какое у вас гражданство"], []),
            ("отмена", None, ["Отменено"], ["flow:stay"]),
        ],
    )
    assert chat.state.flow is None


def test_future_arrival_and_far_future_dates(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    run_table(
        chat,
        [
            ({"payload": "flow:stay"}, None, ["On what date did you arrive"], []),
            ("01.03.2030", None, ["more than a year ahead"], []),
            ("20.03.2026", None, ["How did you enter"], []),
            ({"payload": "entry:e_visa"}, None, ["citizenship"], []),
            ({"payload": "country:other"}, None, ["You have not arrived yet", "18 April 2026"], []),
        ],
    )


def test_language_switch_keeps_the_progress(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    run_table(
        chat,
        [
            ({"payload": "flow:stay"}, None, ["On what date did you arrive"], []),
            ({"payload": "date:2026-03-01"}, None, ["How did you enter"], []),
            ({"payload": "lang:ru"}, None, ["Теперь я буду отвечать на русском", "Как вы въехали"], ["entry:visa_free"]),
            ({"payload": "entry:visa_free"}, None, ["Какое у вас гражданство"], []),
            ({"payload": "country:KZ"}, None, ["31 марта 2026", "29 мая 2026"], []),
        ],
    )
    assert chat.state.language == "ru" and chat.state.language_chosen


def test_residence_permit_holders_are_pointed_elsewhere(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    chat.send("", payload="flow:stay")
    chat.send("", payload="date:2026-03-01")
    turn = chat.send("", payload="entry:residence_permit")
    assert "does not apply" in text_of(turn)
    assert "intent:temporary_residence" in payloads(turn)


def test_one_message_with_a_visa_and_its_days(chat: Chat) -> None:
    thirty_days = Entity("duration", Duration(30, "day"), "30 days", 0, 1)
    question = "I came on a tourist visa for 30 days on 1 March 2026, I am from India. How long can I stay?"
    said = Said("stay_period", entities=(on(MARCH_1), thirty_days, country("IN")))
    run_table(chat, [(question, said, ["30 days ends on 30 March 2026", "16 March 2026"], [])])
    assert chat.state.slots["last_facts"]["visa_days"] == 30


def test_arrival_years_ago_is_questioned(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    chat.send("", payload="flow:stay")
    turn = chat.send("01.03.2016")
    assert "too long ago" in text_of(turn)
    assert chat.state.step == "ask_arrival"
