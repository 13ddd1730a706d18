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


# --- a new question while a flow waits for an answer (issue 9, problem 1) -------------------


def test_registration_question_while_the_fee_calculator_waits_for_a_term_in_russian(real_chat: Chat) -> None:
    run_table(
        real_chat,
        [
            ("сколько стоит разрешение на работу", None, ["На какой срок"], ["months:6"]),
            ("до какого числа регистрация, я приехал 1 марта", None, ["Как вы въехали"], ["entry:visa_free"]),
        ],
    )
    assert "не понял" not in text_of(real_chat.turns[-1])
    assert real_chat.state.slots["facts"]["arrival"] == "2026-03-01"


def test_stay_facts_while_the_fee_calculator_waits_in_english(real_chat: Chat) -> None:
    # The NLU reads this as out_of_scope; the date and the citizenship are the stay calculator's facts.
    run_table(
        real_chat,
        [
            ("how much is a work permit", None, ["For how long"], []),
            ("I came on 1 March from Georgia", None, ["How did you enter"], ["entry:visa_free"]),
        ],
    )
    assert real_chat.state.flow == "stay" and real_chat.state.failed_attempts == 0


def test_registration_question_inside_the_exemption_wizard_in_azerbaijani(real_chat: Chat) -> None:
    run_table(
        real_chat,
        [
            ("iş icazəsi lazımdırmı", None, ["Bunlardan biri"], ["exempt:none"]),
            ("1 martda gəlmişəm, qeydiyyat nə vaxta qədər", None, ["Azərbaycana necə"], ["entry:visa_free"]),
        ],
    )


def test_a_real_answer_still_wins_over_a_new_question(real_chat: Chat) -> None:
    # "20" reads to the NLU as a confident application_status question; "6 ay" as stay_period.
    run_table(
        real_chat,
        [
            ("сколько стоит разрешение на работу", None, ["На какой срок"], []),
            ("20", None, ["20 рабочих дней", "350 AZN", "600 AZN"], ["months:6"]),
        ],
    )
    real_chat.send("iş icazəsi neçəyədir")
    assert "6 aya qədər" in text_of(real_chat.send("6 ay"))


# --- ambiguous numbers and a year without a digit (problem 2) ------------------------------


def test_twenty_is_the_processing_time_not_the_liberated_territories_term(real_chat: Chat) -> None:
    real_chat.send("how much is a work permit")
    shown = text_of(real_chat.send("20"))
    assert "processed in 20 working days, by term" in shown
    assert "liberated territories (a temporary regime)" not in shown and "1,800 AZN" not in shown


def test_ten_asks_whether_months_or_working_days(real_chat: Chat) -> None:
    run_table(
        real_chat,
        [
            ("how much is a work permit", None, [], []),
            ("10", None, ["Do you mean a permit for 10 months, or processing in 10 working days?"], ["months:10", "processing:10"]),
            ({"payload": "processing:10"}, None, ["processed in 10 working days, by term", "1,400 AZN"], []),
        ],
    )


def test_eighteen_asks_about_the_liberated_territories_in_russian(real_chat: Chat) -> None:
    run_table(
        real_chat,
        [
            ("сколько стоит разрешение на работу", None, [], []),
            ("18", None, ["более 12 месяцев", "освобождённых территориях"], ["months:18", "months:12"]),
            ({"payload": "months:12"}, None, ["до 12 месяцев", "1\u00a0400 AZN"], []),
        ],
    )


def test_a_year_without_a_digit_is_twelve_months_in_every_language(real_chat: Chat) -> None:
    for opening, answer, expected in (
        ("сколько стоит разрешение на работу", "на год", "до 12 месяцев"),
        ("сколько стоит разрешение на работу", "na god", "до 12 месяцев"),
        ("iş icazəsi neçəyədir", "bir illik", "12 aya qədər"),
        ("iş icazəsi neçəyədir", "1 il", "12 aya qədər"),
        ("how much is a work permit", "yearly", "up to 12 months"),
        ("how much is a work permit", "for a year", "up to 12 months"),
    ):
        real_chat.send("", payload="menu")
        real_chat.send(opening)
        shown = text_of(real_chat.send(answer))
        assert expected in shown, f"{answer!r}: {shown!r}"


def test_working_days_written_out_give_the_column(real_chat: Chat) -> None:
    real_chat.send("iş icazəsi neçəyədir")
    assert "20 iş günü ərzində" in text_of(real_chat.send("20 iş günü"))
    real_chat.send("сколько стоит разрешение на работу")
    assert "за 20 рабочих дней" in text_of(real_chat.send("20 рабочих дней"))


# --- gibberish keeps the conversation's language (problem 3) --------------------------------


def test_gibberish_in_an_azerbaijani_conversation_is_answered_in_azerbaijani(real_chat: Chat) -> None:
    real_chat.send("iş icazəsi neçəyədir")
    turn = real_chat.send("asdkjh qwe")
    assert turn.state.language == "az"
    assert "Bağışlayın" in text_of(turn)


def test_a_real_english_question_still_switches_the_language(real_chat: Chat) -> None:
    real_chat.send("salam")
    turn = real_chat.send("how much is a 1 year work permit")
    assert turn.state.language == "en" and "1,400 AZN" in text_of(turn)


# --- found while trying every flow in three languages (problem 4) --------------------------


def test_not_knowing_the_answer_is_not_an_emergency(real_chat: Chat) -> None:
    # The NLU reads both as trafficking_emergency.
    for opening, answer, sorry in (
        ("сколько стоит разрешение на работу", "не знаю", "не понял"),
        ("iş icazəsi neçəyədir", "bilmirəm", "başa düşmədim"),
    ):
        real_chat.send("", payload="menu")
        real_chat.send(opening)
        turn = real_chat.send(answer)
        assert turn.handoff is None and sorry in text_of(turn)
        assert real_chat.state.flow == "work_permit_fee"


def test_asking_for_russian_mid_flow_switches_and_keeps_the_progress(real_chat: Chat) -> None:
    # "по-русски" also carries a country entity (RU); it must not become the citizenship.
    run_table(
        real_chat,
        [
            ("qalma müddətimi hesabla", None, ["hansı tarixdə"], []),
            ("1 mart", None, ["necə gəlmisiniz"], []),
            ("по-русски пожалуйста", None, ["на русском", "Как вы въехали"], ["entry:visa_free"]),
        ],
    )
    assert real_chat.state.language == "ru" and "country" not in real_chat.state.slots["facts"]


def test_typed_none_and_other_in_the_wizard_and_the_country_question(real_chat: Chat) -> None:
    real_chat.send("do I need a work permit")
    assert "You need a work permit." in text_of(real_chat.send("none"))
    run_table(
        real_chat,
        [
            ("calculate my stay", None, ["On what date"], []),
            ({"payload": "date:2026-03-01"}, None, ["How did you enter"], []),
            ("visa free", None, ["What is your citizenship"], []),
            ("other", None, ["ends on 29 May 2026"], []),
        ],
    )


def test_a_typed_two_year_term_is_confirmed_before_the_liberated_territories_fees(real_chat: Chat) -> None:
    run_table(
        real_chat,
        [
            ("сколько стоит разрешение на работу на 2 года", None, ["более 12 месяцев"], ["months:24", "months:12"]),
            ("да", None, ["до 24 месяцев", "освобождённых территориях (временный режим)"], ["processing:5"]),
        ],
    )
    assert "offered_months" not in real_chat.state.slots["last_facts"]


def test_a_two_year_term_in_the_liberated_territories_is_answered_at_once(real_chat: Chat) -> None:
    turn = real_chat.send("how much is a 2 year work permit in Karabakh")
    assert "up to 24 months" in text_of(turn) and "1,800 AZN" in text_of(turn)


def test_stay_facts_read_as_out_of_scope_start_the_calculator_outside_a_flow(real_chat: Chat) -> None:
    run_table(real_chat, [("hi, I arrived on 1 March from Georgia", None, ["How did you enter"], ["entry:visa_free"])])
    assert real_chat.state.slots["facts"] == {"focus": "stay", "arrival": "2026-03-01", "country": "GE"}
