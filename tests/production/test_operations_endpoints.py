"""Live server: security headers everywhere, /metrics, /readyz and polite rate limits."""

from __future__ import annotations

import contextlib

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import generate_latest

from bot.channels.base import Delivery, PermanentDeliveryError, TransientDeliveryError
from bot.observability.instruments import InstrumentedSender
from bot.observability.metrics import ServiceMetrics
from bot.observability.setup import _allowed
from bot.web.security import SECURITY_HEADERS, forwarded_https_middleware
from flows.messages import Reply
from tests.conftest import ConfigFactory, LiveServerFactory
from tests.support import EchoDialogue, RecordingSender

WEBHOOK = "/webhooks/rest/webhook"


@pytest.mark.asyncio
async def test_every_kind_of_response_carries_the_security_headers(
    make_config: ConfigFactory, live_server: LiveServerFactory
) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    async with aiohttp.ClientSession(server.url) as http:
        for method, path, body in [
            ("GET", "/", None),
            ("GET", "/static/chat.js", None),
            ("GET", "/console/", None),
            ("GET", "/no-such-page", None),
            ("POST", WEBHOOK, {"sender": "h", "message": "hi"}),
            ("POST", WEBHOOK, {"sender": ""}),  # a 400
        ]:
            async with http.request(method, path, json=body, allow_redirects=False) as response:
                for name, value in SECURITY_HEADERS.items():
                    assert response.headers.get(name) == value, (path, name)
                assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
                cache = response.headers.get("Cache-Control", "")
                assert ("no-store" in cache) != path.startswith("/static/"), path


@pytest.mark.asyncio
async def test_metrics_count_turns_and_requests_and_readyz_reports_ready(
    make_config: ConfigFactory, live_server: LiveServerFactory
) -> None:
    server = await live_server(make_config(), dialogue=EchoDialogue())
    async with aiohttp.ClientSession(server.url) as http:
        for text in ("one", "two", "human"):
            assert (await http.post(WEBHOOK, json={"sender": "m", "message": text})).status == 200
        async with http.get("/metrics") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/plain; version=")
            metrics = await response.text()
        async with http.get("/readyz") as response:
            assert response.status == 200 and (await response.json())["status"] == "ready"
    assert 'migassist_bot_turns_total{channel="rest",intent="echo",language="en"} 3.0' in metrics
    assert 'migassist_handoff_requests_total{reason="asked"} 1.0' in metrics
    assert 'migassist_http_requests_total{method="POST",route="/webhooks/rest/webhook",status="200"} 3.0' in metrics
    assert 'migassist_handoff_queue_length{language="en"} 1.0' in metrics
    # REST answers travel in the HTTP responses: they are not outbox delivery attempts.
    assert 'migassist_delivery_attempts_total{channel="rest"' not in metrics
    assert "migassist_unprocessed_messages 0.0" in metrics


def test_metrics_are_only_for_allowed_networks() -> None:
    assert _allowed("127.0.0.1", ("127.0.0.1/32",))
    assert not _allowed("203.0.113.5", ("127.0.0.1/32", "10.0.0.0/8"))
    assert not _allowed(None, ("0.0.0.0/0",))


@pytest.mark.asyncio
async def test_a_user_over_the_limit_gets_a_polite_reply_not_silence(
    make_config: ConfigFactory, live_server: LiveServerFactory
) -> None:
    config = make_config(MIGASSIST_RATE_LIMITS__USER_MESSAGES="2", MIGASSIST_RATE_LIMITS__USER_PERIOD_SECONDS="3600")
    server = await live_server(config, dialogue=EchoDialogue())
    async with aiohttp.ClientSession(server.url) as http:
        answers = [
            await (await http.post(WEBHOOK, json={"sender": "fast", "message": f"m{n}"})).json() for n in range(4)
        ]
        other = await (await http.post(WEBHOOK, json={"sender": "calm", "message": "hi"})).json()
        metrics = await (await http.get("/metrics")).text()
    assert answers[0][0]["text"] == "echo: m0" and answers[1][0]["text"] == "echo: m1"
    for refused in answers[2:]:
        assert len(refused) == 1 and "Please wait a minute" in refused[0]["text"]  # in the user's language (en)
    assert other[0]["text"] == "echo: hi"
    assert 'migassist_rate_limited_total{scope="user"} 2.0' in metrics


@pytest.mark.asyncio
async def test_a_client_ip_over_the_limit_gets_http_429_with_an_explanation(
    make_config: ConfigFactory, live_server: LiveServerFactory
) -> None:
    config = make_config(MIGASSIST_RATE_LIMITS__IP_REQUESTS="3", MIGASSIST_RATE_LIMITS__IP_PERIOD_SECONDS="3600")
    server = await live_server(config, dialogue=EchoDialogue())
    async with aiohttp.ClientSession(server.url) as http:
        statuses = [(await http.post(WEBHOOK, json={"sender": f"u{n}", "message": "x"})).status for n in range(3)]
        async with http.post(WEBHOOK, json={"sender": "u9", "message": "x"}) as refused:
            body = await refused.json()
            assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
        assert (await http.get("/healthz")).status == 200  # probes are never limited
    assert statuses == [200, 200, 200]
    text = body[0]["text"]
    assert "Please wait a minute" in text and "минуту" in text and "dəqiqə" in text


@pytest.mark.asyncio
@pytest.mark.parametrize(("trusted", "header", "secure"), [
    ("127.0.0.1/32", "https", True),
    ("127.0.0.1/32", None, False),
    ("10.0.0.0/8", "https", False),  # the header from anyone else is ignored
])
async def test_https_is_believed_only_from_trusted_proxies(trusted: str, header: str | None, secure: bool) -> None:
    seen: list[bool] = []

    async def probe(request: web.Request) -> web.Response:
        seen.append(request.secure)
        return web.Response(text="ok")

    app = web.Application(middlewares=[forwarded_https_middleware([trusted])])
    app.router.add_get("/", probe)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        await client.get("/", headers={"X-Forwarded-Proto": header} if header else {})
    assert seen == [secure]


@pytest.mark.asyncio
async def test_delivery_attempts_of_pushing_channels_are_counted_by_outcome() -> None:
    metrics = ServiceMetrics()
    inner = RecordingSender()
    inner.fail_next = ["transient", "permanent"]
    sender = InstrumentedSender("telegram", inner, metrics)
    for _ in range(3):
        with contextlib.suppress(TransientDeliveryError, PermanentDeliveryError):
            await sender.send(Delivery("u1", Reply("hi"), "r1"))
    exposed = generate_latest(metrics.registry).decode()
    for outcome in ("retry", "failed", "sent"):
        assert f'migassist_delivery_attempts_total{{channel="telegram",outcome="{outcome}"}} 1.0' in exposed
