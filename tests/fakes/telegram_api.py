"""A fake Telegram Bot API server (aiohttp on loopback) that real python-telegram-bot talks to.

It records every call (``calls``), answers the methods the channel uses the way the Bot API
documents them, and can be scripted to fail: ``fail(method, status, retry_after=..., after=n)``
queues one failure (after ``n`` more calls of the method went through), ``outage = True``
answers every send with HTTP 500 until it is reset.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import serve_on_loopback, wait_until

TOKEN = "123456:TEST-token"

SEND_METHODS = frozenset({"sendMessage", "editMessageReplyMarkup", "answerCallbackQuery"})


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class Failure:
    status: int
    retry_after: int | None = None
    description: str = "scripted failure"


@dataclass
class FakeTelegramApi:
    """State of the fake server; start it with :meth:`start`."""

    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    passes_before_failure: dict[str, int] = field(default_factory=dict)
    outage: bool = False
    updates: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))  # type: ignore[type-arg]
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """What goes into ``telegram.base_url`` (python-telegram-bot appends the token)."""
        return f"{self.url}/bot"

    def fail(self, method: str, status: int, retry_after: int | None = None, times: int = 1, after: int = 0) -> None:
        self.failures.setdefault(method, []).extend(Failure(status, retry_after) for _ in range(times))
        self.passes_before_failure[method] = after

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """Parameters of the successful calls of ``method``, in order."""
        return [call.params for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until ``method`` succeeded ``count`` times; return those calls."""
        await wait_until(
            self._changed,
            lambda: len(self.sent(method)) >= count,
            timeout,
            lambda: f"expected {count} {method} calls, got {len(self.sent(method))}: {self.sent(method)}",
        )
        return self.sent(method)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner, self.url = await serve_on_loopback(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        queued = self.failures.get(method)
        if queued and self.passes_before_failure.get(method):
            self.passes_before_failure[method] -= 1
        elif queued:
            failure = queued.pop(0)
            return _error(failure.status, failure.description, failure.retry_after)
        if self.outage and method in SEND_METHODS:
            return _error(500, "Internal Server Error")
        self.calls.append(Call(method, params))
        self._changed.set()
        return web.json_response({"ok": True, "result": await self._result(method, params)})

    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": 123456, "is_bot": True, "first_name": "MigAssist", "username": "migassist_test_bot"}
        if method in ("sendMessage", "editMessageReplyMarkup"):
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id") or next(self._ids)),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            return message
        if method == "getUpdates":
            updates, self.updates = self.updates, []
            if not updates:
                await asyncio.sleep(0.05)  # a short long-poll
            return updates
        return True  # answerCallbackQuery, setMyCommands, setWebhook, deleteWebhook


async def _params(request: web.Request) -> dict[str, Any]:
    """python-telegram-bot posts JSON or form fields; the Bot API also reads the query string
    (our polling loop uses it); nested values arrive JSON-encoded."""
    raw: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        raw.update(await request.json())
    else:
        raw.update(await request.post())
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, str) and value[:1] in "[{":
            value = json.loads(value)
        params[name] = value
    return params


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


# --- updates, shaped like the Bot API documentation -----------------------------------------

USER_ID = 5512345678


def _user(user_id: int, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Aysel"}
    if language_code is not None:
        user["language_code"] = language_code
    return user


def message_update(update_id: int, fields: dict[str, Any], user_id: int = USER_ID, language_code: str | None = "en") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id + 10,
            "from": _user(user_id, language_code),
            "chat": {"id": user_id, "first_name": "Aysel", "type": "private"},
            "date": int(time.time()),
            **fields,
        },
    }


def text_update(update_id: int, text: str, user_id: int = USER_ID, language_code: str | None = "en") -> dict[str, Any]:
    fields: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        fields["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return message_update(update_id, fields, user_id, language_code)


def callback_update(
    update_id: int, data: str, shown: dict[str, Any], user_id: int = USER_ID, language_code: str | None = "en"
) -> dict[str, Any]:
    """A tap on an inline button of ``shown`` (the sendMessage parameters the bot used)."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cbq-{update_id}",
            "from": _user(user_id, language_code),
            "chat_instance": "-7390384732",
            "data": data,
            "message": {
                "message_id": 999,
                "from": {"id": 123456, "is_bot": True, "first_name": "MigAssist"},
                "chat": {"id": user_id, "first_name": "Aysel", "type": "private"},
                "date": int(time.time()),
                "text": shown.get("text", ""),
                "reply_markup": shown.get("reply_markup") or {"inline_keyboard": []},
            },
        },
    }


def callback_data(shown: dict[str, Any]) -> list[str]:
    """Every ``callback_data`` of a sent inline keyboard, row by row."""
    rows = (shown.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]
