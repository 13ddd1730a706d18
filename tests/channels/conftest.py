"""Fixtures for channel tests: the fake platform servers and an app wired to them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest_asyncio

from flows.dialogue import Dialogue
from tests.conftest import ConfigFactory, LiveServer, LiveServerFactory
from tests.fakes import graph_api, telegram_api
from tests.fakes.graph_api import FakeGraphApi
from tests.fakes.telegram_api import FakeTelegramApi

TELEGRAM_WEBHOOK_SECRET = "telegram-webhook-secret-for-tests"

ChannelServerFactory = Callable[..., Awaitable[LiveServer]]


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegramApi]:
    api = FakeTelegramApi()
    await api.start()
    yield api
    await api.stop()


@pytest_asyncio.fixture
async def fake_graph() -> AsyncIterator[FakeGraphApi]:
    api = FakeGraphApi()
    await api.start()
    yield api
    await api.stop()


@pytest_asyncio.fixture
async def channel_server(
    tmp_path: Path,
    make_config: ConfigFactory,
    live_server: LiveServerFactory,
    fake_telegram: FakeTelegramApi,
    fake_graph: FakeGraphApi,
) -> ChannelServerFactory:
    """``await channel_server(dialogue=None, **env)``: our app with both channels enabled,
    talking to the fake Bot API and Graph API servers."""

    async def start(dialogue: Dialogue | None = None, **env: str) -> LiveServer:
        config = make_config(
            # make_config's MIGASSIST_DATA_DIR is not read by load_config (no "__"), so without
            # this every test would share the project's data/migassist.db.
            MIGASSIST_DATABASE_URL=f"sqlite:///{tmp_path / 'channels.db'}",
            MIGASSIST_TELEGRAM__ENABLED="true",
            MIGASSIST_TELEGRAM__BASE_URL=fake_telegram.base_url,
            MIGASSIST_TELEGRAM_TOKEN=telegram_api.TOKEN,
            MIGASSIST_TELEGRAM_WEBHOOK_SECRET=TELEGRAM_WEBHOOK_SECRET,
            MIGASSIST_WHATSAPP__ENABLED="true",
            MIGASSIST_WHATSAPP__BASE_URL=fake_graph.url,
            MIGASSIST_WHATSAPP__API_VERSION=graph_api.API_VERSION,
            MIGASSIST_WHATSAPP__PHONE_NUMBER_ID=graph_api.PHONE_NUMBER_ID,
            MIGASSIST_WHATSAPP_TOKEN=graph_api.TOKEN,
            MIGASSIST_WHATSAPP_APP_SECRET=graph_api.APP_SECRET,
            MIGASSIST_WHATSAPP_VERIFY_TOKEN=graph_api.VERIFY_TOKEN,
            **env,
        )
        return await live_server(config, dialogue=dialogue)

    return start

