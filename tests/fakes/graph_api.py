"""A fake WhatsApp Cloud API (Graph API) server on loopback, plus signed webhook payloads.

The server records every message posted to ``/{version}/{phone id}/messages`` (``messages``),
checks the bearer token, answers with a ``wamid`` like the real API, and can be scripted to
fail: ``fail(status, retry_after=..., code=..., after=n)`` queues one failure (after ``n`` more
messages went through), ``outage = True`` answers HTTP 500 until it is reset.

The ``*_webhook`` helpers build notification bodies shaped like Meta's documentation, and
:func:`signed` adds the ``X-Hub-Signature-256`` header.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import serve_on_loopback, wait_until

TOKEN = "EAAG-test-token"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
PHONE_NUMBER_ID = "106540352242922"
API_VERSION = "v21.0"
BUSINESS_NUMBER = "15550783881"


@dataclass
class GraphFailure:
    status: int
    retry_after: int | None = None
    code: int = 1


@dataclass
class FakeGraphApi:
    messages: list[dict[str, Any]] = field(default_factory=list)
    failures: list[GraphFailure] = field(default_factory=list)
    passes_before_failure: int = 0
    rejected: int = 0
    outage: bool = False
    url: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    def fail(self, status: int, retry_after: int | None = None, code: int = 1, times: int = 1, after: int = 0) -> None:
        """Answer the next ``times`` requests with ``status``, once ``after`` more have gone through."""
        self.failures.extend(GraphFailure(status, retry_after, code) for _ in range(times))
        self.passes_before_failure = after

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        await wait_until(
            self._changed,
            lambda: len(self.messages) >= count,
            timeout,
            lambda: f"expected {count} messages, got {len(self.messages)}: {self.messages}",
        )
        return self.messages

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{version}/{phone}/messages", self._handle)
        self._runner, self.url = await serve_on_loopback(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return _error(401, 190, "Invalid OAuth access token")
        if request.match_info["version"] != API_VERSION or request.match_info["phone"] != PHONE_NUMBER_ID:
            return _error(400, 100, "Unsupported post request")
        body = await request.json()
        if self.failures and self.passes_before_failure:
            self.passes_before_failure -= 1
        elif self.failures:
            failure = self.failures.pop(0)
            self.rejected += 1
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else None
            return _error(failure.status, failure.code, "scripted failure", headers)
        if self.outage:
            self.rejected += 1
            return _error(500, 2, "Service temporarily unavailable")
        wamid = f"wamid.OUT{next(self._ids):06d}"
        self.messages.append({**body, "_wamid": wamid})
        self._changed.set()
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": wamid}],
            }
        )


def _error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Atest"}}
    return web.json_response(body, status=status, headers=headers)


# --- webhook notifications, shaped like Meta's documentation -------------------------------


def _notification(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": BUSINESS_NUMBER, "phone_number_id": PHONE_NUMBER_ID},
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def _inbound(user: str, wamid: str, message: dict[str, Any]) -> dict[str, Any]:
    return _notification(
        {
            "contacts": [{"profile": {"name": "Test User"}, "wa_id": user}],
            "messages": [{"from": user, "id": wamid, "timestamp": str(int(time.time())), **message}],
        }
    )


def text_webhook(user: str, wamid: str, text: str) -> dict[str, Any]:
    return _inbound(user, wamid, {"type": "text", "text": {"body": text}})


def button_reply_webhook(user: str, wamid: str, payload: str, title: str) -> dict[str, Any]:
    return _inbound(
        user, wamid, {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": payload, "title": title}}}
    )


def list_reply_webhook(user: str, wamid: str, payload: str, title: str) -> dict[str, Any]:
    return _inbound(
        user,
        wamid,
        {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {"id": payload, "title": title, "description": ""}}},
    )


def image_webhook(user: str, wamid: str) -> dict[str, Any]:
    return _inbound(user, wamid, {"type": "image", "image": {"mime_type": "image/jpeg", "sha256": "abc", "id": "1479"}})


def contacts_webhook(user: str, wamid: str, name: str, phone: str) -> dict[str, Any]:
    return _inbound(
        user, wamid, {"type": "contacts", "contacts": [{"name": {"formatted_name": name, "first_name": name}, "phones": [{"phone": phone, "type": "CELL"}]}]}
    )


def status_webhook(wamid: str, status: str, user: str, error_code: int | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(int(time.time())), "recipient_id": user}
    if error_code is not None:
        report["errors"] = [{"code": error_code, "title": "Re-engagement message", "message": "Re-engagement message"}]
    return _notification({"statuses": [report]})


def signed(data: Any, secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers of a webhook POST of ``data`` as JSON, signed like Meta signs it."""
    return signed_body(json.dumps(data).encode(), secret)


def signed_body(body: bytes, secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    """``body`` as it is and the headers of a webhook POST signed like Meta signs it."""
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
