"""Answers from the knowledge base, and the short replies to conversation-control intents."""

from __future__ import annotations

from flows.flow import TurnContext
from flows.messages import Button, Reply
from flows.replies import language_buttons, main_menu
from knowledge_base.model import Article


def answer_article(ctx: TurnContext, article: Article, extra: tuple[Button, ...] = ()) -> list[Reply]:
    """The article in the user's language with its follow-up buttons and a way back to the menu."""
    language = ctx.t.language
    candidates = extra + tuple(Button(f.title.in_(language), f.payload) for f in article.follow_ups)
    candidates += (Button(ctx.t.gettext("Main menu"), "menu"),)
    # The article may already offer what the caller adds (e.g. the calculator): one button each.
    unique: dict[str, Button] = {}
    for button in candidates:
        unique.setdefault(button.payload, button)
    return [Reply(article.text(language), tuple(unique.values()))]


def answer_intent(ctx: TurnContext, intent: str) -> list[Reply]:
    """Replies to greetings, thanks, help and other intents that need no article."""
    t = ctx.t
    if intent == "greet":
        hello = t.gettext("Hello! I am the State Migration Service's assistant. I can answer in Azerbaijani, Russian and English.")
        return [Reply(hello, language_buttons()), main_menu(t)]
    if intent == "goodbye":
        return [Reply(t.gettext("Goodbye! Come back any time."))]
    if intent == "thanks":
        return [Reply(t.gettext("You are welcome! Anything else?"), (Button(t.gettext("Main menu"), "menu"),))]
    if intent == "out_of_scope":
        return [main_menu(t, t.gettext("I can only help with migration questions about Azerbaijan: stay, registration, visas, permits and fees."))]
    return [main_menu(t)]
