"""The Rasa-compatible REST channel: contract, button payloads, idempotency and bad input."""

from __future__ import annotations

import io

import aiohttp
import pytest

from tests.conftest import ConfigFactory, LiveServerFactory
from tests.support import EchoDialogue

WEBHOOK = "/webhooks/rest/webhook"


@pytest.mark.asyncio
async def test_replies_in_rasa_format_and_button_payload_round_trip(
    make_config: ConfigFactory, live_server: LiveServerFactory
) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    async with aiohttp.ClientSession(server.url) as http:
        response = await http.post(WEBHOOK, json={"sender": "alice", "message": "salam", "metadata": {}})
        assert response.status == 200
        assert await response.json() == [
            {"recipient_id": "alice", "text": "echo: salam", "buttons": [{"title": "Again", "payload": "again"}]},
            {"recipient_id": "alice", "text": "turn 1"},
        ]
        pressed = await http.post(WEBHOOK, json={"sender": "alice", "message": "again"})
        assert await pressed.json() == [{"recipient_id": "alice", "text": "pressed again"}]


@pytest.mark.asyncio
async def test_retry_with_same_message_id_is_answered_once(make_config: ConfigFactory, live_server: LiveServerFactory) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    body = {"sender": "bob", "message": "hi", "metadata": {"message_id": "c-1"}}
    async with aiohttp.ClientSession(server.url) as http:
        first = await (await http.post(WEBHOOK, json=body)).json()
        second = await (await http.post(WEBHOOK, json=body)).json()
        third = await (await http.post(WEBHOOK, json={**body, "metadata": {"message_id": "c-2"}})).json()
    assert first == second
    assert third[-1]["text"] == "turn 2"  # the retry did not count as a turn


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"{not json", 400, "JSON object"),
        (b"[1, 2]", 400, "JSON object"),
        (b'{"message": "hi"}', 400, "sender"),
        (b'{"sender": "", "message": "hi"}', 400, "sender"),
        (b'{"sender": "a", "message": 42}', 400, "message"),
        (b'{"sender": "a", "message": "   "}', 400, "empty"),
        (b'{"sender": "a", "message": "hi", "metadata": [1]}', 400, "metadata"),
        ('{"sender": "a", "message": "%s"}' % ("x" * 4097), 413, "4096"),
        (b"\xff\xfe\x00", 400, "JSON object"),
        (b"[" * 100_000, 400, "JSON object"),
    ],
)
async def test_bad_input_gets_a_clear_json_error(
    make_config: ConfigFactory, live_server: LiveServerFactory, body: bytes | str, status: int, error: str
) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    async with aiohttp.ClientSession(server.url) as http:
        response = await http.post(WEBHOOK, data=body, headers={"Content-Type": "application/json"})
        assert response.status == status
        assert error in (await response.json())["error"]


@pytest.mark.asyncio
async def test_oversize_body_is_refused_without_reading_it_all(
    make_config: ConfigFactory, live_server: LiveServerFactory
) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    async with aiohttp.ClientSession(server.url) as http:
        response = await http.post(WEBHOOK, data=io.BytesIO(b"x" * (2 * 1024 * 1024)))
        assert response.status == 413


@pytest.mark.asyncio
async def test_healthz_reports_database_and_nlu(make_config: ConfigFactory, live_server: LiveServerFactory) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    async with aiohttp.ClientSession(server.url) as http:
        response = await http.get("/healthz")
        body = await response.json()
    assert response.status == 200
    assert body["database"] == "ok" and body["nlu"]["status"] == "ok" and body["nlu"]["intents"] == 25
