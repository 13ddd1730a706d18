"""Work-permit exemption wizard and fee calculator dialogues, one table per language."""

from flows.dialogue import ConversationState
from nlu.types import Duration, Entity
from tests.flows.conftest import Chat, Said, payloads, run_table, text_of


def months(n: int) -> Entity:
    return Entity("duration", Duration(n, "month"), f"{n} months", 0, 1)


def working_days(n: int) -> Entity:
    return Entity("duration", Duration(n, "day"), f"{n} days", 0, 1)


def test_exemption_wizard_in_english_spouse_registered(chat: Chat) -> None:
    run_table(
        chat,
        [
            ("do I need a work permit", Said("work_permit_exemption"), ["Does one of these apply"], ["exempt:none"]),
            ("2", None, ["Is your spouse registered"], ["spouse:yes"]),
            ("yes", None, ["You do not need a work permit", "64.0.14"], ["rate:up"]),
        ],
    )


def test_exemption_wizard_in_russian_none_means_permit_needed(chat: Chat) -> None:
    run_table(
        chat,
        [
            ("нужно ли разрешение на работу", Said("work_permit_exemption", language="ru"), ["Относится ли к вам"], []),
            ("что-то непонятное", None, ["Извините, я не понял этот ответ"], []),
            ({"payload": "exempt:none"}, None, ["Вам нужно разрешение на работу", "работодатель"], ["flow:work_permit_fee", "intent:work_permit_apply"]),
        ],
    )


def test_exemption_wizard_in_azerbaijani_other_categories(chat: Chat) -> None:
    run_table(
        chat,
        [
            ("iş icazəsi lazımdırmı", Said("work_permit_exemption", language="az"), ["Bunlardan biri sizə aiddirmi"], []),
            ({"payload": "exempt:other"}, None, ["Bunlardan biri sizə aiddirmi"], ["exempt:64.0.9", "exempt:none"]),
            ({"payload": "exempt:64.0.9"}, None, ["Sizə iş icazəsi lazım deyil", "64.0.9"], []),
        ],
    )


def test_refugee_is_recognised_from_the_first_message(chat: Chat) -> None:
    turn = chat.send("I am a refugee, do I need a work permit?", said=Said("work_permit_exemption"))
    assert "64.0.15" in text_of(turn)


def test_fee_with_both_inputs_in_one_message(chat: Chat) -> None:
    run_table(
        chat,
        [
            ("how much is a 1 year permit in 10 working days", Said("work_permit_fee", entities=(months(12), working_days(10))), ["1,400 AZN", "employer", "free"], ["rate:up"]),
        ],
    )


def test_fee_row_when_processing_is_missing_in_russian(chat: Chat) -> None:
    run_table(
        chat,
        [
            ("сколько стоит разрешение на работу", Said("work_permit_fee", language="ru"), ["На какой срок"], ["months:6"]),
            ("6", None, ["до 6 месяцев", "900 AZN", "700 AZN", "600 AZN"], ["processing:15"]),
            ({"payload": "processing:15"}, None, ["700 AZN"], []),
        ],
    )


def test_fee_for_liberated_territories_in_azerbaijani(chat: Chat) -> None:
    run_table(
        chat,
        [
            ("iş icazəsi neçəyədir", Said("work_permit_fee", language="az"), ["İcazə nə qədər müddətə"], [f"months:{12}"]),
            ({"payload": "months:24"}, None, ["1.800 AZN", "işğaldan azad edilmiş"], []),
        ],
    )


def test_fee_rejects_impossible_terms(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    chat.send("", payload="flow:work_permit_fee")
    turn = chat.send("99")
    assert "at most 24 months" in text_of(turn)
    assert "months:3" in payloads(turn)


def test_fee_column_when_only_the_processing_time_is_given(chat: Chat) -> None:
    turn = chat.send("permit fee with 20 working days processing", said=Said("work_permit_fee", entities=(working_days(20),)))
    shown = text_of(turn)
    assert "processed in 20 working days, by term" in shown
    assert all(amount in shown for amount in ("350 AZN", "600 AZN", "1,000 AZN"))
    assert "700 AZN" not in shown


def test_liberated_territories_button_at_the_term_question_is_not_a_failure(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    chat.send("", payload="flow:work_permit_fee")
    turn = chat.send("", payload="regime:liberated_territories")
    assert "did not understand" not in text_of(turn) and chat.state.failed_attempts == 0
    assert "months:24" in payloads(turn)


def test_processing_button_at_the_term_question_gives_the_column_with_term_buttons(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    chat.send("", payload="flow:work_permit_fee")
    turn = chat.send("", payload="processing:15")
    assert "processed in 15 working days, by term" in text_of(turn) and "1,200 AZN" in text_of(turn)
    turn = chat.send("", payload="months:6")
    assert "for up to 6 months, processed in 15 working days, is 700 AZN" in text_of(turn)


def test_liberated_regime_reads_a_bare_number_as_a_term(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    chat.send("", payload="flow:work_permit_fee")
    chat.send("", payload="regime:liberated_territories")
    turn = chat.send("20")
    assert "up to 24 months" in text_of(turn) and "1,800 AZN" in text_of(turn)


def test_zero_months_is_rejected(chat: Chat) -> None:
    chat.state = ConversationState(language="en")
    chat.send("", payload="flow:work_permit_fee")
    assert "at most 24 months" in text_of(chat.send("0"))


def test_a_typed_long_term_is_confirmed_and_no_gives_the_general_row_in_azerbaijani(chat: Chat) -> None:
    run_table(
        chat,
        [
            ("18 aylıq iş icazəsi neçəyədir", Said("work_permit_fee", language="az", entities=(months(18),)), ["12 aydan uzun", "İş oradadır?"], ["months:18", "months:12"]),
            ("xeyr", Said("deny", language="az"), ["12 aya qədər", "1.400 AZN"], ["processing:10"]),
        ],
    )
    assert chat.state.slots["last_facts"] == {"months": 12, "regime": "general"}
