"""Fuzzing every parser of untrusted input: whatever arrives, the parser answers with a value or
its documented rejection — never an unexpected exception (which would be an HTTP 500 or a
dropped webhook). Examples are modest in number so this file runs in seconds."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nlu
from bot.channels.rest import RequestError, parse_rest_request
from bot.channels.telegram import parse_update
from bot.channels.telegram_updates import read_update
from bot.channels.webchat import WebChatChannel
from bot.channels.whatsapp import parse_webhook

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


def shaped(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the expected keys (each present or not) holding arbitrary JSON or plausible values:
    random JSON alone would rarely get past the first ``isinstance`` check."""
    return st.fixed_dictionaries({}, optional={key: value | json_values for key, value in fields.items()})


rest_bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    shaped({"sender": st.text(max_size=200), "message": st.text(max_size=300), "metadata": json_values}).map(
        lambda v: json.dumps(v).encode()
    ),
)


@FUZZ
@given(rest_bodies)
def test_rest_bodies_are_parsed_or_rejected_with_4xx(body: bytes) -> None:
    try:
        sender, message, metadata = parse_rest_request(body, max_message_chars=200)
    except RequestError as exc:
        assert 400 <= exc.status < 500
    else:
        assert sender.strip() and message.strip() and len(message) <= 200 and isinstance(metadata, dict)


wa_message = shaped(
    {
        "from": st.text(max_size=15),
        "id": st.text(max_size=20),
        "timestamp": st.text(max_size=12) | st.integers(),
        "type": st.sampled_from(["text", "interactive", "button", "image", "audio", "location", "unknown"]),
        "text": shaped({"body": st.text(max_size=100)}),
        "interactive": shaped(
            {
                "type": st.sampled_from(["button_reply", "list_reply"]),
                "button_reply": shaped({"id": st.text(max_size=10), "title": st.text(max_size=20)}),
                "list_reply": shaped({"id": st.text(max_size=10), "title": st.text(max_size=20)}),
            }
        ),
        "image": shaped({"id": st.text(max_size=10), "mime_type": st.text(max_size=10)}),
        "context": shaped({"id": st.text(max_size=10)}),
    }
)
wa_status = shaped(
    {
        "id": st.text(max_size=20),
        "status": st.sampled_from(["sent", "delivered", "read", "failed"]),
        "timestamp": st.text(max_size=12),
        "recipient_id": st.text(max_size=15),
        "errors": st.lists(shaped({"code": st.integers(), "title": st.text(max_size=20)}), max_size=2),
    }
)
wa_payloads = shaped(
    {
        "object": st.just("whatsapp_business_account"),
        "entry": st.lists(
            shaped(
                {
                    "changes": st.lists(
                        shaped(
                            {
                                "field": st.just("messages"),
                                "value": shaped(
                                    {
                                        "messages": st.lists(wa_message, max_size=3),
                                        "statuses": st.lists(wa_status, max_size=2),
                                        "contacts": json_values,
                                    }
                                ),
                            }
                        ),
                        max_size=2,
                    )
                }
            ),
            max_size=2,
        ),
    }
)


@FUZZ
@given(wa_payloads | json_values)
def test_whatsapp_notifications_never_break_the_parser(payload: Any) -> None:
    events = list(parse_webhook(payload))
    assert all(event is not None for event in events)


tg_user = shaped({"id": st.integers(), "is_bot": st.booleans(), "first_name": st.text(max_size=10), "language_code": st.text(max_size=6)})
tg_chat = shaped({"id": st.integers(), "type": st.sampled_from(["private", "group"])})
tg_message = shaped(
    {
        "message_id": st.integers(),
        "date": st.integers(min_value=0, max_value=2**32),
        "chat": tg_chat,
        "from": tg_user,
        "text": st.text(max_size=100),
        "photo": st.lists(shaped({"file_id": st.text(max_size=8), "file_unique_id": st.text(max_size=8), "width": st.integers(), "height": st.integers()}), max_size=2),
    }
)
tg_updates = shaped(
    {
        "update_id": st.integers(),
        "message": tg_message,
        "callback_query": shaped(
            {"id": st.text(max_size=8), "from": tg_user, "chat_instance": st.text(max_size=8), "data": st.text(max_size=64), "message": tg_message}
        ),
    }
)


@FUZZ
@given(tg_updates)
def test_telegram_updates_are_understood_or_rejected_as_the_webhook_expects(data: dict[str, Any]) -> None:
    # What the webhook and polling do with a body: read it (None -> HTTP 400 / skipped), then parse.
    update = read_update(data, None)
    if update is not None:
        parse_update(update)


class RecordingSocket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_json(self, data: dict[str, Any]) -> None:
        self.sent.append(data)


class AcceptingAssistant:
    async def receive(self, message: Any) -> Any:
        from bot.core.inbox import Accepted

        return Accepted(1, 1, duplicate=False)


webchat_frames = st.one_of(
    st.text(max_size=200),
    json_values.map(json.dumps),
    shaped(
        {
            "type": st.sampled_from(["message", "typing"]),
            "id": st.text(max_size=70),
            "text": st.text(max_size=300),
            "payload": st.text(max_size=300),
            "language": st.text(max_size=4),
        }
    ).map(json.dumps),
)


@FUZZ
@given(webchat_frames)
@pytest.mark.asyncio
async def test_web_chat_frames_get_an_ack_or_an_error_frame(frame: str) -> None:
    channel = WebChatChannel(AcceptingAssistant(), None, None, max_message_chars=200)  # type: ignore[arg-type]
    socket = RecordingSocket()
    await channel._on_frame("session-0123456789abcdef", frame, socket)  # type: ignore[arg-type]
    assert len(socket.sent) == 1 and socket.sent[0]["type"] in ("ack", "error")


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory, nlu_model_path: Path) -> nlu.NluModel:
    from bot.config import PROJECT_ROOT

    return nlu.load_or_train(nlu_model_path, PROJECT_ROOT / "nlu" / "data")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    text=st.text(max_size=200)
    | st.from_regex(r"\d{1,4}[./-]\d{1,4}([./-]\d{1,5})?|\d+ (gün|дней|days|ay|месяц|AZN|манат)|\+?\d[\d ]{6,14}", fullmatch=True),
    hint=st.none() | st.sampled_from(["az", "ru", "en", "xx", ""]),
    today=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
)
def test_nlu_parse_never_raises(model: nlu.NluModel, text: str, hint: str | None, today: date) -> None:
    result = model.parse(text, language_hint=hint, today=today)
    assert result.language in ("az", "ru", "en")
