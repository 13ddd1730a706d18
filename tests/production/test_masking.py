"""Personal data and secrets never reach log output, in either log format."""

from __future__ import annotations

import json
import logging

import pytest

from bot.observability.logs import JsonFormatter, MaskingTextFormatter
from bot.observability.masking import mask


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("call me on +994 50 123 45 67", "123 45 67"),
        ("my number is 050-123-45-67", "123-45-67"),
        ("nömrəm 0501234567", "0501234567"),
        ("wa_id=994501234567 wrote", "994501234567"),
        ("write to ali.veliyev@example.az", "ali.veliyev@example.az"),
        ("passport AZE12345678", "AZE12345678"),
        ("pasport C01234567 itib", "C01234567"),
        ("application AZ-2026-000123 pending", "2026-000123"),
        ("заявка № 1234567", "1234567"),
        ("GET https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq/sendMessage", "AAHdqTcv"),
        ("Authorization: Bearer EAAGm0PX4ZCpsBAKZB", "EAAGm0PX4ZCpsBAKZB"),
        ("url?access_token=abc123def456&x=1", "abc123def456"),
    ],
)
def test_personal_data_and_secrets_are_masked(text: str, secret: str) -> None:
    assert secret not in mask(text)


@pytest.mark.parametrize(
    "text",
    [
        "outbox 42: attempt 3 failed (HTTP 500); retrying in 2.0s",
        "recovering 12 conversations with unprocessed messages",
        "conversation 1234 message 98765 processed in 0.012 s",
    ],
)
def test_operational_details_survive(text: str) -> None:
    assert mask(text) == text


def _record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("bad phone +994501234567")
        except ValueError:
            import sys

            exc_info = sys.exc_info()
    record = logging.LogRecord("bot.test", logging.WARNING, __file__, 1, message, args, exc_info)
    record.conversation_id = 7  # an "extra" field
    return record


def test_json_lines_carry_fields_and_mask_message_arguments_and_exceptions() -> None:
    line = JsonFormatter().format(_record("user %s wrote from %s", "ali@example.az", "+994 50 123 45 67", exc=True))
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "bot.test" and entry["conversation_id"] == 7
    assert entry["message"] == "user [email] wrote from [phone]"
    assert "ValueError" in entry["exc"] and "501234567" not in entry["exc"]
    assert entry["ts"].endswith("+00:00")


def test_text_lines_are_masked_too() -> None:
    line = MaskingTextFormatter().format(_record("passport %s", "AZE12345678"))
    assert "AZE12345678" not in line and "[document]" in line
