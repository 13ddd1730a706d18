"""Knowledge-base answers, one table per language: the article, its follow-ups, the rating."""

import pytest

from tests.flows.conftest import Chat, Said, payloads, run_table, text_of

QUESTIONS = {
    "az": "sığınacaq üçün hara müraciət edim",
    "ru": "как попросить убежище в Азербайджане",
    "en": "where do I apply for asylum",
}


@pytest.mark.parametrize("language", ["az", "ru", "en"])
def test_asylum_question_is_answered_from_the_knowledge_base(chat: Chat, kb, language: str) -> None:  # type: ignore[no-untyped-def]
    article = kb.articles_for_intent("refugee_asylum")[0]
    follow_ups = [f.payload for f in article.follow_ups]
    run_table(
        chat,
        [(QUESTIONS[language], Said("refugee_asylum", language=language), [article.text(language)], [*follow_ups, "menu", "rate:up", "rate:down"])],
    )
    assert chat.state.language == language


def test_article_button_shows_that_article(chat: Chat, kb) -> None:  # type: ignore[no-untyped-def]
    article = kb.article("registration_how")
    chat.send("salam", said=Said("greet", language="az"))
    turn = chat.send("", payload=f"article:{article.id}")
    assert text_of(turn).startswith(article.text("az"))
    assert "rate:down" in payloads(turn)


def test_unknown_article_id_falls_back_to_the_menu(chat: Chat) -> None:
    turn = chat.send("", payload="article:no-such-article")
    assert "flow:stay" in payloads(turn)
