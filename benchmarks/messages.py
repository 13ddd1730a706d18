"""What the simulated users write: everyday questions in the three languages, in rotation.

Nothing here asks for a person: a handed-off conversation is answered by operators, not the
bot, and would measure the desk rather than the assistant.

The same list is sent to MigAssist and to the Rasa peer, so both classify the same text.
"""

from __future__ import annotations

SAMPLE_MESSAGES: tuple[str, ...] = (
    "Salam",
    "Müvəqqəti yaşamaq icazəsi almaq üçün hansı sənədlər lazımdır?",
    "Qeydiyyata düşmək üçün neçə gün vaxtım var?",
    "İş icazəsinin rüsumu nə qədərdir?",
    "Здравствуйте",
    "Какие документы нужны для временного вида на жительство?",
    "Сколько дней можно находиться без регистрации?",
    "Сколько стоит разрешение на работу?",
    "Hello",
    "What documents do I need for a temporary residence permit?",
    "How many days can I stay without registering?",
    "How much does a work permit cost?",
    "thank you",
)


def message_for(user: int, turn: int) -> str:
    """The ``turn``-th message of simulated ``user`` (users start at different points)."""
    return SAMPLE_MESSAGES[(user * 5 + turn) % len(SAMPLE_MESSAGES)]
