"""Masking personal data and secrets in free text bound for logs.

A safety net, not a licence: code logs conversation keys and message ids, never message text.
But exceptions quote values, libraries log URLs (a Telegram bot token travels in the URL path),
and a WhatsApp user id *is* a phone number — so every log line passes through :func:`mask`.
The patterns err on the side of masking too much.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # Telegram bot tokens ("123456789:AA...") and bearer/basic credentials.
    (re.compile(r"(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}"), "[secret]"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [secret]"),
    (re.compile(r"(?i)\b((?:access_)?token|secret|password|passwd|api_key|signature)(\s*[=:]\s*)[^\s&,;'\"]+"), r"\1\2[secret]"),
    # E-mail addresses.
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    # Phone numbers: international (+ or 00 prefix), Azerbaijani local "0XX XXX XX XX", or a bare
    # run of 9-15 digits (also WhatsApp and Telegram user ids, which identify a person).
    (re.compile(r"(?<![\w+])(?:\+|00)\d(?:[\s().-]?\d){6,14}(?!\d)"), "[phone]"),
    (re.compile(r"(?<!\w)0\d{2}[\s.-]?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}(?!\d)"), "[phone]"),
    (re.compile(r"(?<!\w)\d{9,15}(?!\w)"), "[number]"),
    # Passport, ID-card and application numbers: letters then digits ("AZE12345678",
    # "C01234567", "AZ-2026-000123"), or a number after a cue word ("№ 1234567").
    (re.compile(r"(?<![\w])[A-Za-z]{1,4}[-/]?\d{4}(?:[-/]\d+)+(?!\w)"), "[document]"),
    (re.compile(r"(?<![\w])[A-Z]{1,4}\d{5,}(?!\w)"), "[document]"),
    (re.compile(r"(?i)(№|#|\bno\.|\bn[oö]mr[eə]\w*|номер\w*|\bnomer\w*)(\s*[:#№]?\s*)\d[\d/-]{3,}"), r"\1\2[document]"),
)


def mask(text: str) -> str:
    """``text`` with phone numbers, e-mails, passport/application numbers and secrets replaced."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
