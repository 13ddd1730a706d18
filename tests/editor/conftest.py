"""Fixtures of the editors' workspace tests: a server on copies of the content and NLU data
(activation and export write into them), signed-in editor clients and accounts."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import nlu
from bot.accounts.store import AccountStore
from bot.app import SESSIONS
from bot.config import Config
from knowledge_base import DEFAULT_CONTENT_DIR
from nlu.paths import TRAINING_DATA_DIR

PASSWORD = "correct horse battery"


@pytest.fixture
def editor_config(make_config: Callable[..., Config], tmp_path: Path, nlu_model_path: Path) -> Callable[..., Config]:
    """``editor_config(**env)``: its own database, content directory, training data and model file."""
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    data = tmp_path / "nlu-data"
    shutil.copytree(TRAINING_DATA_DIR, data)
    model = tmp_path / "nlu-model.pkl"
    nlu.load_or_train(nlu_model_path, TRAINING_DATA_DIR)  # the session's shared model, current
    shutil.copyfile(nlu_model_path, model)

    def factory(**env: str) -> Config:
        settings = {
            "MIGASSIST_DATABASE_URL": f"sqlite:///{tmp_path / 'editor.db'}",
            "MIGASSIST_KNOWLEDGE_BASE__CONTENT_DIR": str(content),
            "MIGASSIST_NLU__DATA_DIR": str(data),
            "MIGASSIST_NLU__MODEL_PATH": str(model),
        }
        settings.update(env)
        return make_config(**settings)

    return factory


async def add_staff(app: web.Application, username: str, role: str = "editor") -> None:
    await AccountStore(app[SESSIONS]).add(username, PASSWORD, role, languages="az,ru,en")


class EditorClient:
    """A signed-in HTTP client of the workspace API (cookie jar and CSRF token)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        # unsafe=True: accept cookies from an IP-address host (the test server is 127.0.0.1).
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def login(self, username: str) -> None:
        async with self.http.get(f"{self.base_url}/login") as response:
            token = re.search(r'name="csrf" value="([^"]+)"', await response.text())
        assert token is not None
        data = {"csrf": token.group(1), "username": username, "password": PASSWORD, "next": "/editor/"}
        async with self.http.post(f"{self.base_url}/login", data=data, allow_redirects=False) as response:
            assert response.status == 303
        async with self.http.get(f"{self.base_url}/editor/api/me") as response:
            if response.status == 200:
                self.csrf = (await response.json())["csrf"]

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.http.get(f"{self.base_url}{path}") as response:
            return response.status, await response.json()

    async def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        async with self.http.post(f"{self.base_url}{path}", json=body or {}, headers={"X-CSRF-Token": self.csrf}) as response:
            return response.status, await response.json()

    async def close(self) -> None:
        await self.http.close()


async def rest_say(base_url: str, sender: str, message: str) -> str:
    """Send a message as a REST-channel user; return the replies' texts joined."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}) as response,
    ):
        assert response.status == 200, await response.text()
        return "\n".join(str(reply.get("text", "")) for reply in await response.json())
