"""Helpers for tests of the desk and the console: accounts, signed-in HTTP clients, REST users."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.accounts.store import AccountStore
from bot.app import SESSIONS
from bot.config import Config
from bot.console.routes import SERVICES
from bot.storage.accounts import Account

PASSWORD = "correct horse battery"


async def add_account(app: web.Application, username: str, role: str = "operator", languages: str = "en") -> Account:
    return await AccountStore(app[SESSIONS]).add(username, PASSWORD, role, languages=languages)


async def go_online(app: web.Application, account: Account, status: str = "online") -> None:
    await app[SERVICES].presence.set(account.id, status, account.language_list)


class StaffClient:
    """A signed-in browser-like HTTP client (cookie jar, CSRF token) for one server."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        # unsafe=True: accept cookies from an IP-address host (the test server is 127.0.0.1).
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def login(self, username: str, password: str = PASSWORD) -> int:
        async with self.http.get(f"{self.base_url}/login") as response:
            form_token = re.search(r'name="csrf" value="([^"]+)"', await response.text())
        assert form_token is not None
        data = {"csrf": form_token.group(1), "username": username, "password": password, "next": "/console/"}
        async with self.http.post(f"{self.base_url}/login", data=data, allow_redirects=False) as response:
            status = response.status
        if status == 303:
            async with self.http.get(f"{self.base_url}/console/api/me") as response:
                if response.status == 200:  # editors have no console, hence no token from it
                    self.csrf = (await response.json())["csrf"]
        return status

    async def get(self, path: str) -> Any:
        async with self.http.get(f"{self.base_url}{path}") as response:
            assert response.status == 200, (path, response.status)
            return await response.json()

    async def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        headers = {"X-CSRF-Token": self.csrf}
        async with self.http.post(f"{self.base_url}{path}", json=body or {}, headers=headers) as response:
            return response.status, await response.json()

    async def close(self) -> None:
        await self.http.close()


async def rest_say(base_url: str, sender: str, message: str) -> list[dict[str, Any]]:
    """Send a message as a REST-channel user; return the replies to it."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}) as response,
    ):
        assert response.status == 200, await response.text()
        return list(await response.json())


@pytest.fixture
def handoff_config(make_config: Callable[..., Config], tmp_path: Path) -> Callable[..., Config]:
    """``make_config`` on a database of this test's own. (An explicit URL: ``MIGASSIST_DATA_DIR``
    has no ``__`` and is not read from the environment by ``bot.config``, so the shared factory
    would otherwise put every test's data in the project's ``data/migassist.db``.)"""

    def factory(**env: str) -> Config:
        return make_config(MIGASSIST_DATABASE_URL=f"sqlite:///{tmp_path / 'handoff.db'}", **env)

    return factory
