"""How an article's answer will look on each channel, computed with the channels' own rendering.

The reply is built by the flows' own :func:`flows.faq.answer_article` (text, legal basis,
disclaimer, follow-up buttons, "Main menu"), then laid out as Telegram, WhatsApp and the web
chat would send it, with a warning wherever a platform limit changes the layout.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.channels import whatsapp_render
from bot.channels.telegram_keyboards import button_rows
from bot.channels.text_split import split_text
from flows.faq import answer_article
from flows.flow import TurnContext
from flows.i18n import Catalogs
from flows.messages import ConversationKey, IncomingMessage, Reply
from knowledge_base.knowledge_base import KnowledgeBase
from knowledge_base.model import Article

TELEGRAM_TEXT_LIMIT = 4096


def article_reply(article: Article, language: str, kb: KnowledgeBase, catalogs: Catalogs, today: date) -> Reply:
    """The reply the bot sends for ``article`` in ``language``."""
    message = IncomingMessage(ConversationKey("preview", "editor"), "preview", "", datetime.now(UTC))
    ctx = TurnContext(message, None, catalogs.translator(language), catalogs, kb, today)
    return answer_article(ctx, article)[0]


def preview(reply: Reply, catalogs: Catalogs, language: str) -> dict[str, Any]:
    """The reply as Telegram messages, WhatsApp messages and a web-chat bubble, with warnings."""
    t = catalogs.translator(language)
    telegram_parts = split_text(reply.text, TELEGRAM_TEXT_LIMIT)
    telegram = {
        "messages": telegram_parts,
        "buttons": [row[0].text for row in button_rows(reply.buttons)],
        "warnings": [f"sent as {len(telegram_parts)} messages (limit {TELEGRAM_TEXT_LIMIT} characters)"]
        if len(telegram_parts) > 1 else [],
    }
    layout = whatsapp_render.layout_for(reply.buttons)
    whatsapp = {"layout": layout, "messages": whatsapp_render.render(reply, t), "warnings": _whatsapp_warnings(reply, layout)}
    web = {"text": reply.text, "buttons": [button.title for button in reply.buttons]}
    return {"text_length": len(reply.text), "telegram": telegram, "whatsapp": whatsapp, "web": web}


def _whatsapp_warnings(reply: Reply, layout: str) -> list[str]:
    warnings = []
    too_long = [b.title for b in reply.buttons if len(b.title) > whatsapp_render.REPLY_BUTTON_TITLE_LIMIT]
    if layout == "list":
        reason = (
            f"more than {whatsapp_render.MAX_REPLY_BUTTONS} options"
            if len(reply.buttons) > whatsapp_render.MAX_REPLY_BUTTONS
            else f"titles over {whatsapp_render.REPLY_BUTTON_TITLE_LIMIT} characters: " + ", ".join(too_long)
        )
        warnings.append(f"shown as a list, not buttons ({reason})")
    elif layout == "numbered":
        warnings.append(
            f"shown as numbered text: more than {whatsapp_render.MAX_LIST_ROWS} options or titles over "
            f"{whatsapp_render.LIST_ROW_DESCRIPTION_LIMIT} characters"
        )
    if len(reply.text) > whatsapp_render.INTERACTIVE_BODY_LIMIT and layout in ("buttons", "list"):
        warnings.append(
            f"text over {whatsapp_render.INTERACTIVE_BODY_LIMIT} characters: the start is sent as a separate message"
        )
    return warnings
