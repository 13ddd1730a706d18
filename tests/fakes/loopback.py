"""What the fake platform servers share: serving on a free loopback port, and waiting for calls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiohttp import web


async def serve_on_loopback(app: web.Application) -> tuple[web.AppRunner, str]:
    """Start ``app`` on 127.0.0.1 with a free port; return its runner and base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def wait_until(changed: asyncio.Event, done: Callable[[], bool], timeout: float, failure: Callable[[], str]) -> None:
    """Wait until ``done()`` holds, re-checking whenever ``changed`` is set; fail with ``failure()``."""
    deadline = time.monotonic() + timeout
    while not done():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(failure())
        changed.clear()
        try:
            await asyncio.wait_for(changed.wait(), remaining)
        except TimeoutError:
            pass
