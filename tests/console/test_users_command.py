"""``migassist users add|passwd|disable`` against a real (SQLite) database."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from bot.accounts.store import AccountStore
from bot.cli import main
from bot.storage.database import create_engine, create_sessionmaker


def _run(monkeypatch: pytest.MonkeyPatch, url: str, *argv: str, stdin: str = "") -> int:
    monkeypatch.setenv("MIGASSIST_DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", *argv])


async def _login(url: str, username: str, password: str) -> str | None:
    engine = create_engine(url)
    try:
        account = await AccountStore(create_sessionmaker(engine)).authenticate(username, password)
        return account.role if account else None
    finally:
        await engine.dispose()


def test_add_passwd_disable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    assert _run(monkeypatch, url, "add", "olga", "--languages", "az, ru", "--password-stdin", stdin="first password\n") == 0
    assert "created operator olga" in capsys.readouterr().out
    assert asyncio.run(_login(url, "olga", "first password")) == "operator"

    assert _run(monkeypatch, url, "add", "olga", "--password-stdin", stdin="another password\n") == 1
    assert "already exists" in capsys.readouterr().err
    assert _run(monkeypatch, url, "add", "bob", "--languages", "de", "--password-stdin", stdin="bob password!\n") == 1
    assert "unknown language" in capsys.readouterr().err
    assert _run(monkeypatch, url, "passwd", "olga", "--password-stdin", stdin="short\n") == 1

    assert _run(monkeypatch, url, "passwd", "olga", "--password-stdin", stdin="second password\n") == 0
    assert asyncio.run(_login(url, "olga", "first password")) is None
    assert asyncio.run(_login(url, "olga", "second password")) == "operator"

    assert _run(monkeypatch, url, "disable", "olga") == 0
    assert asyncio.run(_login(url, "olga", "second password")) is None
    assert _run(monkeypatch, url, "disable", "nobody") == 1
