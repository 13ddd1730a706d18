"""Reading untrusted JSON (a webhook body, an element of ``getUpdates``) into a Telegram update.

python-telegram-bot trusts what it parses. ``Update.de_json`` raises whatever Python raises on a
wrong type — ``AttributeError`` for ``"callback_query": false``, ``TypeError`` for a list where
an object belongs, ``ValueError`` for a date out of range — and it keeps a wrong-typed scalar as
it came (``"text": 5``), which :func:`bot.channels.telegram.parse_update` would trip over later.
So :func:`read_update` first checks the type of every field ``parse_update`` reads, then lets
the library parse the rest under a guard: the result is an update we can read, or ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from telegram import Bot, Update

#: What malformed JSON makes python-telegram-bot's constructors raise (it has no error of its
#: own for it); ``OverflowError`` / ``OSError`` come from ``datetime.fromtimestamp`` on absurd
#: dates, ``RecursionError`` from absurdly nested ``reply_to_message`` chains.
MALFORMED = (AttributeError, TypeError, ValueError, KeyError, IndexError, OverflowError, OSError, RecursionError)

#: Telegram's ids (``update_id``, chat and user ids) fit in 64 bits; a bigger number is not an
#: id and would not fit our columns once written out.
ID_LIMIT = 2**63


def read_update(data: object, bot: Bot | None) -> Update | None:
    """``data`` as an :class:`Update` that ``parse_update`` can read, or ``None`` if it is none."""
    if not (
        isinstance(data, dict)
        and _is_id(data.get("update_id"))
        and _message_fits(data.get("message"))
        and _callback_query_fits(data.get("callback_query"))
    ):
        return None
    try:
        return Update.de_json(data, bot)
    except MALFORMED:
        return None


def update_id_of(data: object) -> int | None:
    """The ``update_id`` of a raw update, even a malformed one (polling must step past it)."""
    update_id = data.get("update_id") if isinstance(data, dict) else None
    return update_id if _is_id(update_id) else None


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -ID_LIMIT < value < ID_LIMIT


def _has_texts(value: dict[str, Any], fields: Iterable[str]) -> bool:
    """Each of ``fields`` is absent, ``null`` or a string."""
    return all(value.get(field) is None or isinstance(value.get(field), str) for field in fields)


def _optional_object_with_texts(value: object, fields: Iterable[str]) -> bool:
    return value is None or (isinstance(value, dict) and _has_texts(value, fields))


def _user_fits(user: object) -> bool:
    return isinstance(user, dict) and _is_id(user.get("id")) and _has_texts(user, ("language_code",))


def _message_fits(message: object) -> bool:
    if message is None:
        return True
    if not isinstance(message, dict):
        return False
    chat = message.get("chat")
    sender = message.get("from")
    return (
        _is_id(message.get("message_id"))
        and _is_id(message.get("date"))
        and isinstance(chat, dict)
        and _is_id(chat.get("id"))
        and (sender is None or _user_fits(sender))
        and _has_texts(message, ("text", "caption"))
        and _optional_object_with_texts(message.get("contact"), ("phone_number", "first_name", "last_name"))
        and _optional_object_with_texts(message.get("document"), ("file_name", "mime_type"))
        and _keyboard_fits(message.get("reply_markup"))
    )


def _keyboard_fits(markup: object) -> bool:
    """An inline keyboard whose button texts and ``callback_data`` are strings (we match on both)."""
    if markup is None:
        return True
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    return isinstance(rows, list) and all(
        isinstance(row, list)
        and all(isinstance(button, dict) and isinstance(button.get("text"), str) and _has_texts(button, ("callback_data",)) for button in row)
        for row in rows
    )


def _callback_query_fits(query: object) -> bool:
    if query is None:
        return True
    return (
        isinstance(query, dict)
        and isinstance(query.get("id"), str)
        and _user_fits(query.get("from"))
        and _has_texts(query, ("data",))
        and _message_fits(query.get("message"))
    )
