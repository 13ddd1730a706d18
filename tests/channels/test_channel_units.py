"""Pure parts of the channels: splitting, WhatsApp layouts and parsing, Telegram keyboards and
error mapping, the 24-hour window, signatures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.base import PermanentDeliveryError, TransientDeliveryError
from bot.channels.telegram import delivery_error
from bot.channels.telegram_keyboards import calendar_rows, callback_data_for, month_from_callback, payload_for_callback
from bot.channels.text_split import split_text
from bot.channels.whatsapp import AttachmentReceived, StatusReported, TextReceived, parse_webhook, signature_valid
from bot.channels.whatsapp_render import layout_for, numbered_choice, render
from bot.channels.whatsapp_window import whatsapp_window_open
from flows.i18n import load_catalogs
from flows.messages import Button, Reply
from tests.fakes.graph_api import APP_SECRET, image_webhook, signed, status_webhook, text_webhook

CATALOGS = load_catalogs()


@given(st.text(alphabet=st.sampled_from("ab .!?\n"), max_size=400), st.integers(min_value=5, max_value=60))
def test_split_parts_fit_and_lose_nothing(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(0 < len(part) <= limit for part in parts) or parts == [""]
    assert "".join("".join(parts).split()) == "".join(text.split())  # only whitespace at cuts is dropped


def test_split_prefers_sentence_boundaries() -> None:
    text = "First sentence is here. Second one follows it. Third closes."
    assert split_text(text, 50) == ["First sentence is here. Second one follows it.", "Third closes."]
    assert split_text("short", 4096) == ["short"]
    assert split_text("", 10) == [""]


@pytest.mark.parametrize(
    ("buttons", "layout"),
    [
        ((), "text"),
        (tuple(Button(f"Option {n}", f"o:{n}") for n in range(3)), "buttons"),
        (tuple(Button(f"Option {n}", f"o:{n}") for n in range(4)), "list"),
        ((Button("A title much longer than twenty", "x"),), "list"),
        (tuple(Button(f"Option {n}", f"o:{n}") for n in range(11)), "numbered"),
        ((Button("x" * 73, "x"),), "numbered"),
        ((Button("ok", "p" * 201),), "numbered"),
    ],
)
def test_whatsapp_layout_depends_on_the_options(buttons: tuple[Button, ...], layout: str) -> None:
    assert layout_for(buttons) == layout


def test_long_interactive_text_goes_first_as_plain_messages() -> None:
    text = "A legal sentence that goes on for a while. " * 60  # about 2,600 characters
    messages = render(Reply(text, (Button("Yes", "y"), Button("No", "n"))), CATALOGS.translator("en"))
    assert [m["type"] for m in messages] == ["text", "interactive"]
    assert len(messages[-1]["interactive"]["body"]["text"]) <= 1024
    assert len(messages[0]["text"]["body"]) <= 4096
    rebuilt = messages[0]["text"]["body"] + " " + messages[-1]["interactive"]["body"]["text"]
    assert rebuilt == text.strip()


def test_typed_numbers_pick_options() -> None:
    options = [Button("Yes", "y"), Button("No", "n")]
    assert numbered_choice(" 2. ", options) == options[1]
    assert numbered_choice("3", options) is None and numbered_choice("0", options) is None


def test_whatsapp_parsing_of_documented_payloads() -> None:
    (text,) = parse_webhook(text_webhook("994501234567", "wamid.A", " hello "))
    assert isinstance(text, TextReceived) and text.message.text == "hello" and text.message.key.channel == "whatsapp"
    (image,) = parse_webhook(image_webhook("994501234567", "wamid.B"))
    assert isinstance(image, AttachmentReceived) and image.attachment.kind == "image" and image.attachment.for_operator is None
    (status,) = parse_webhook(status_webhook("wamid.C", "failed", "994501234567", error_code=131047))
    assert isinstance(status, StatusReported) and status.error == "131047: Re-engagement message"
    assert list(parse_webhook({"object": "whatsapp_business_account", "entry": []})) == []
    assert list(parse_webhook(["not", "an", "object"])) == []


def test_signature_is_checked_over_the_raw_body() -> None:
    body, headers = signed({"a": 1})
    assert signature_valid(body, headers["X-Hub-Signature-256"], APP_SECRET)
    assert not signature_valid(body + b" ", headers["X-Hub-Signature-256"], APP_SECRET)
    assert not signature_valid(body, "sha256=00", APP_SECRET)


def test_the_24_hour_window() -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert whatsapp_window_open(now - timedelta(hours=23, minutes=59), now)
    assert not whatsapp_window_open(now - timedelta(hours=24), now)
    assert not whatsapp_window_open(None, now)  # the user never wrote


def test_callback_data_fits_64_bytes_and_resolves() -> None:
    assert callback_data_for("flow:stay") == "flow:stay"
    long_payload = "article:" + "ə" * 40  # 88 bytes in UTF-8
    token = callback_data_for(long_payload)
    assert len(token.encode()) <= 64
    assert payload_for_callback(token, ["menu", long_payload]) == long_payload
    assert payload_for_callback(token, ["menu"]) is None
    assert payload_for_callback("menu", []) == "menu"


def test_calendar_of_february_2028_in_russian() -> None:
    rows = calendar_rows(date(2028, 2, 1), CATALOGS.translator("ru"))
    header, weekdays, *weeks = rows
    assert [b.callback_data for b in header] == ["cal:2028-01", "cal:noop", "cal:2028-03"]
    assert header[1].text == "Февраль 2028"
    assert [b.text for b in weekdays][:2] == ["пн", "вт"]
    days = [b.callback_data for week in weeks for b in week if b.callback_data != "cal:noop"]
    assert days[0] == "date:2028-02-01" and days[-1] == "date:2028-02-29" and len(days) == 29
    assert weeks[0][1].callback_data == "date:2028-02-01"  # 1 February 2028 is a Tuesday
    assert month_from_callback("cal:2028-13") is None and month_from_callback("cal:noop") is None


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), PermanentDeliveryError),
        (BadRequest("Bad Request: chat not found"), PermanentDeliveryError),
        (NetworkError("Internal Server Error (500)"), TransientDeliveryError),
        (TimedOut(), TransientDeliveryError),
    ],
)
def test_telegram_errors_map_onto_the_outbox_rules(error: Exception, kind: type) -> None:
    assert isinstance(delivery_error(error), kind)  # type: ignore[arg-type]


def test_telegram_flood_control_carries_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    mapped = delivery_error(RetryAfter(7))
    assert isinstance(mapped, TransientDeliveryError) and mapped.retry_after == 7.0
