"""Operator side: time from a user's message to its line in the operator console's live feed.

``python -m benchmarks.console_latency [--messages 200] [--db sqlite|postgres]``

Runs a real server in this process (the measurement subscribes to the very event the console's
WebSocket forwards, ``bot.handoff.live.TOPIC``), hands a REST user over to people, then sends
that user's messages one at a time over HTTP and times each until its ``message`` event arrives.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import aiohttp
from aiohttp import web

from benchmarks.postgres import ThrowawayPostgres
from benchmarks.server import CACHE, free_port
from bot.app import HUB, create_app
from bot.config import load_config
from bot.handoff.live import TOPIC
from bot.storage.migrate import upgrade_async

WEBHOOK = "/webhooks/rest/webhook"
HANDOFF_TEXT = "I want to talk to an operator"


async def measure(url: str, app: web.Application, messages: int) -> list[float]:
    latencies: list[float] = []
    async with aiohttp.ClientSession(url) as http:
        async with http.post(WEBHOOK, json={"sender": "console-bench", "message": HANDOFF_TEXT}) as response:
            response.raise_for_status()
        with app[HUB].subscribe(TOPIC) as feed:
            for n in range(messages):
                text = f"message {n} while waiting"
                started = time.perf_counter()
                async with http.post(WEBHOOK, json={"sender": "console-bench", "message": text}) as response:
                    response.raise_for_status()
                while True:
                    event = await asyncio.wait_for(feed.get(), timeout=10)
                    if event.get("type") == "message" and event["message"]["text"] == text:
                        latencies.append(time.perf_counter() - started)
                        break
    return latencies


async def run(args: argparse.Namespace) -> None:
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="migassist-console-bench-") as tmp:
        environ = {
            **os.environ,
            "MIGASSIST_DATA_DIR": str(Path(tmp) / "data"),
            "MIGASSIST_NLU__MODEL_PATH": str(CACHE / "nlu-model.pkl"),
            "MIGASSIST_RATE_LIMITS__USER_MESSAGES": "1000000000",
        }
        if args.db == "postgres":
            pg = stack.enter_context(ThrowawayPostgres())
            environ["MIGASSIST_DATABASE_URL"] = pg.create_database("console")
            await upgrade_async(environ["MIGASSIST_DATABASE_URL"])
        app = create_app(load_config(environ=environ))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            latencies = sorted(await measure(f"http://127.0.0.1:{port}", app, args.messages))
        finally:
            await runner.cleanup()
    def ms(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(
        f"console live feed ({args.db}): n={len(latencies)}  p50 {ms(0.5):.1f} ms  p99 {ms(0.99):.1f} ms  "
        f"max {latencies[-1] * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Latency from a user's message to the operator console feed.")
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
