"""Shutting down: background work stops before the channels' HTTP clients are closed."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from bot.app import TASKS, create_app
from tests.conftest import ConfigFactory
from tests.support import EchoDialogue


@pytest.mark.asyncio
async def test_processing_and_delivery_stop_at_shutdown_before_cleanup(make_config: ConfigFactory) -> None:
    runner = web.AppRunner(create_app(make_config(), dialogue=EchoDialogue()))
    await runner.setup()
    tasks = runner.app[TASKS]
    try:
        await runner.shutdown()  # the shutdown signal only: cleanup contexts (HTTP clients) still open
        late = asyncio.sleep(1)
        assert tasks.spawn(late, name="late") is None  # refused: the tracker has stopped
    finally:
        await runner.cleanup()
