"""Closed-loop load generator, run as its own process: ``python -m benchmarks.loadgen``.

Each of ``--concurrency`` simulated clients sends a message (from a new visitor each time), waits
for the answer, and sends the next, for ``--duration`` seconds after a ``--warmup`` that is not measured. Latency is from
sending to having the answer: the HTTP response for a REST server (MigAssist or Rasa); for the
WhatsApp webhook, the moment the server delivers its reply to the fake Graph API that this
process runs (so persistence, the outbox and delivery are all inside the figure). With
``--statuses`` that fake also reports each message it accepted back to the webhook as ``sent``
and then ``delivered``, as the Graph API does: the server's load per message as in production.

Prints one JSON object: messages, errors, messages per second, p50/p90/p99/max latency in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from benchmarks.messages import message_for

REST_PATH = "/webhooks/rest/webhook"
WHATSAPP_PATH = "/webhooks/whatsapp"


@dataclass
class Tally:
    """Latencies (seconds) of answered messages inside the measured window, and failures."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    empty: int = 0

    def summary(self, seconds: float) -> dict[str, Any]:
        ordered = sorted(self.latencies)

        def percentile(p: float) -> float:
            if not ordered:
                return float("nan")
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

        return {
            "messages": len(ordered),
            "errors": self.errors,
            "empty_answers": self.empty,
            "seconds": round(seconds, 2),
            "msg_per_s": round(len(ordered) / seconds, 1) if seconds else 0.0,
            "p50_ms": percentile(0.50),
            "p90_ms": percentile(0.90),
            "p99_ms": percentile(0.99),
            "max_ms": percentile(1.0),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else float("nan"),
        }


Exchange = Callable[[aiohttp.ClientSession, str, str], Awaitable[bool]]


def rest_exchange(url: str) -> Exchange:
    """POST a Rasa-style REST message; the answer is the response body (a list of replies)."""

    async def exchange(http: aiohttp.ClientSession, sender: str, text: str) -> bool:
        async with http.post(url + REST_PATH, json={"sender": sender, "message": text}) as response:
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
            return bool(await response.json())

    return exchange


def _notification(value: dict[str, Any]) -> dict[str, Any]:
    """A WhatsApp Cloud API webhook notification with one change's ``value``."""
    metadata = {"display_phone_number": "994120000000", "phone_number_id": "bench-phone"}
    change = {"field": "messages", "value": {"messaging_product": "whatsapp", "metadata": metadata, **value}}
    return {"object": "whatsapp_business_account", "entry": [{"id": "bench-waba", "changes": [change]}]}


def whatsapp_payload(phone: str, message_id: str, text: str) -> dict[str, Any]:
    """A notification carrying one text message."""
    message = {"from": phone, "id": message_id, "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}
    return _notification({"contacts": [{"profile": {"name": "Bench"}, "wa_id": phone}], "messages": [message]})


def whatsapp_status_payload(phone: str, wamid: str, status: str) -> dict[str, Any]:
    """A notification reporting one status of a message the business sent."""
    return _notification({"statuses": [{"id": wamid, "status": status, "timestamp": str(int(time.time())), "recipient_id": phone}]})


def signed_headers(body: bytes, app_secret: str) -> dict[str, str]:
    """Headers of a webhook POST signed as Meta signs it (``X-Hub-Signature-256``)."""
    signature = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": signature}


class StatusReports:
    """Reports each accepted message back to the webhook as ``sent``, then ``delivered``, one
    notification each, from tasks of their own (the Graph API does not wait for the business)."""

    STATUSES = ("sent", "delivered")

    def __init__(self, url: str, app_secret: str) -> None:
        self._url = url + WHATSAPP_PATH
        self._app_secret = app_secret
        self._tasks: set[asyncio.Task[None]] = set()
        self.http: aiohttp.ClientSession | None = None
        self.posted = 0
        self.errors = 0

    def report(self, phone: str, wamid: str) -> None:
        task = asyncio.get_running_loop().create_task(self._post(phone, wamid))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, phone: str, wamid: str) -> None:
        assert self.http is not None
        for status in self.STATUSES:
            body = json.dumps(whatsapp_status_payload(phone, wamid, status)).encode()
            try:
                async with self.http.post(self._url, data=body, headers=signed_headers(body, self._app_secret)) as response:
                    self.posted += 1
                    self.errors += response.status != 200
            except (TimeoutError, aiohttp.ClientError):
                self.errors += 1

    async def finish(self) -> None:
        """Wait for the reports still on their way, also those of replies delivered meanwhile
        (before the HTTP session they use is closed)."""
        while self._tasks:
            await asyncio.gather(*self._tasks)


class FakeGraphApi:
    """Answers every send with 200 and a message id, wakes the user waiting for it and, with
    ``statuses``, has the message's statuses reported."""

    def __init__(self, statuses: StatusReports | None = None) -> None:
        self.waiting: dict[str, asyncio.Future[None]] = {}
        self.sent = 0
        self._statuses = statuses

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.sent += 1
        phone, wamid = str(body.get("to", "")), f"wamid.{uuid.uuid4().hex}"
        future = self.waiting.pop(phone, None)
        if future is not None and not future.done():
            future.set_result(None)
        if self._statuses is not None:
            self._statuses.report(phone, wamid)
        return web.json_response({"messaging_product": "whatsapp", "messages": [{"id": wamid}]})

    async def start(self, port: int) -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner


def whatsapp_exchange(url: str, app_secret: str, graph: FakeGraphApi) -> Exchange:
    """POST a signed webhook notification and wait for the first reply delivered to that user.

    Each reply to a message is a separate send; the user waits for the first, then settles for
    a moment so the rest of the answer does not count as the answer to the next message."""

    async def exchange(http: aiohttp.ClientSession, sender: str, text: str) -> bool:
        body = json.dumps(whatsapp_payload(sender, f"wamid.{uuid.uuid4().hex}", text)).encode()
        delivered = asyncio.get_running_loop().create_future()
        graph.waiting[sender] = delivered
        async with http.post(url + WHATSAPP_PATH, data=body, headers=signed_headers(body, app_secret)) as response:
            if response.status != 200:
                graph.waiting.pop(sender, None)
                raise RuntimeError(f"HTTP {response.status}")
        await asyncio.wait_for(delivered, timeout=30)
        return True

    return exchange


async def user(
    number: int, exchange: Exchange, http: aiohttp.ClientSession, tally: Tally, window: tuple[float, float], run_id: str
) -> None:
    start, end = window
    turn = 0
    while (now := time.perf_counter()) < end:
        turn += 1
        # Every message comes from a new visitor: one question each, so every message takes the
        # full path (NLU, flows, knowledge base) instead of, after a few confusing turns inside
        # a wizard, a handoff after which the bot stays silent and the figure flatters us.
        sender = f"99450{run_id}{number:03d}{turn:05d}" if run_id.isdigit() else f"bench-{run_id}-{number}-{turn}"
        try:
            answered = await exchange(http, sender, message_for(number, turn))
        except (TimeoutError, aiohttp.ClientError, RuntimeError):
            if now >= start:
                tally.errors += 1
            await asyncio.sleep(0.05)
            continue
        done = time.perf_counter()
        if now >= start and done <= end:
            tally.latencies.append(done - now)
            tally.empty += not answered


async def run(args: argparse.Namespace) -> dict[str, Any]:
    graph_runner = None
    statuses = StatusReports(args.url, args.app_secret) if args.statuses else None
    if args.kind == "whatsapp":
        graph = FakeGraphApi(statuses)
        graph_runner = await graph.start(args.graph_port)
        exchange = whatsapp_exchange(args.url, args.app_secret, graph)
        run_id = str(int(time.time()) % 100000).zfill(5)  # phone-number-like senders
    else:
        exchange = rest_exchange(args.url)
        run_id = uuid.uuid4().hex[:8]
    tally = Tally()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            if statuses is not None:
                statuses.http = http
            begin = time.perf_counter()
            window = (begin + args.warmup, begin + args.warmup + args.duration)
            await asyncio.gather(
                *(user(n, exchange, http, tally, window, run_id) for n in range(args.concurrency))
            )
            if statuses is not None:
                await statuses.finish()
    finally:
        if graph_runner is not None:
            await graph_runner.cleanup()
    figures = {"kind": args.kind, "concurrency": args.concurrency, **tally.summary(args.duration)}
    if statuses is not None:
        figures.update(statuses_posted=statuses.posted, status_errors=statuses.errors)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="server base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--kind", choices=("rest", "whatsapp"), default="rest")
    parser.add_argument("--concurrency", type=int, default=8, help="simulated users (default 8)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first (default 2)")
    parser.add_argument("--graph-port", type=int, default=0, help="port of the fake Graph API (whatsapp)")
    parser.add_argument("--app-secret", default="bench-app-secret", help="WhatsApp app secret for signatures")
    parser.add_argument("--statuses", action="store_true", help="report sent/delivered statuses of every reply (whatsapp)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))), flush=True)


if __name__ == "__main__":
    main()
