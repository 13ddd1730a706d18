"""The web chat WebSocket protocol: acknowledgements, replies, and clear errors for bad frames."""

from __future__ import annotations

import aiohttp
import pytest

from tests.conftest import ConfigFactory, LiveServerFactory
from tests.support import EchoDialogue

SESSION = "0123456789abcdef0123"


@pytest.mark.asyncio
async def test_message_is_acknowledged_then_answered(make_config: ConfigFactory, live_server: LiveServerFactory) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    async with aiohttp.ClientSession(server.url) as http, http.ws_connect(f"/ws/chat?session={SESSION}") as ws:
        assert (await ws.receive_json())["type"] == "history"
        await ws.send_json({"type": "message", "id": "c1", "text": "hi"})
        events = [await ws.receive_json() for _ in range(3)]
    assert events[0]["type"] == "ack" and events[0]["id"] == "c1"
    assert [e["text"] for e in events[1:]] == ["echo: hi", "turn 1"]
    assert events[1]["buttons"] == [{"title": "Again", "payload": "again"}]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("frame", "error"),
    [
        ("{oops", "malformed JSON"),
        ("[" * 50_000, "malformed JSON"),  # nesting deep enough to exhaust recursion
        ('{"type": "hello"}', "unknown frame type"),
        ('{"type": "message", "id": "bad id!", "text": "x"}', "'id'"),
        ('{"type": "message", "id": "c2", "text": "   "}', "empty message"),
        ('{"type": "message", "id": "c3", "text": 5}', "must be strings"),
        ('{"type": "message", "id": "c4", "text": "%s"}' % ("x" * 4097), "too long"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_usable(
    make_config: ConfigFactory, live_server: LiveServerFactory, frame: str, error: str
) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    async with aiohttp.ClientSession(server.url) as http, http.ws_connect(f"/ws/chat?session={SESSION}") as ws:
        await ws.receive_json()
        await ws.send_str(frame)
        event = await ws.receive_json()
        assert event["type"] == "error" and error in event["error"]
        await ws.send_json({"type": "message", "id": "ok", "text": "still here"})
        assert (await ws.receive_json())["type"] == "ack"


@pytest.mark.asyncio
async def test_socket_requires_a_session_id(make_config: ConfigFactory, live_server: LiveServerFactory) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    async with aiohttp.ClientSession(server.url) as http:
        response = await http.get("/ws/chat?session=short")
        assert response.status == 400
