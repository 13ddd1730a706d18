"""Staff sign-in: passwords, session cookies, CSRF, roles, disabled accounts, redirects, origins."""

from __future__ import annotations

import aiohttp
import pytest

from bot.accounts.cookies import SessionSigner
from bot.accounts.passwords import WeakPassword, hash_password, verify_password
from bot.accounts.store import AccountError, AccountStore
from bot.app import SESSIONS
from tests.handoff.staff import PASSWORD, StaffClient, add_account
from tests.support import EchoDialogue


def test_passwords_are_argon2id_hashes_and_short_ones_are_refused() -> None:
    hashed = hash_password("a long enough secret")
    assert hashed.startswith("$argon2id$") and "a long enough secret" not in hashed
    assert verify_password(hashed, "a long enough secret")
    assert not verify_password(hashed, "a long enough secreT")
    assert not verify_password(None, "a long enough secret")
    with pytest.raises(WeakPassword):
        hash_password("short")


def test_session_cookies_are_signed_and_expire() -> None:
    signer = SessionSigner(b"k" * 32)
    cookie, claims = signer.issue(7, 3)
    assert signer.read(cookie) == claims
    body, signature = cookie.rsplit(".", 1)
    assert signer.read(f"{body}x.{signature}") is None
    assert SessionSigner(b"other key" * 4).read(cookie) is None
    assert SessionSigner(b"k" * 32, lifetime_seconds=-1).read(cookie) is None


@pytest.mark.asyncio
async def test_login_roles_csrf_and_revocation(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(MIGASSIST_SESSION_SECRET="s" * 40), dialogue=EchoDialogue())
    await add_account(server.app, "olga")
    await add_account(server.app, "eddie", role="editor")
    with pytest.raises(AccountError):
        await add_account(server.app, "olga")
    anonymous = StaffClient(server.url)
    operator = StaffClient(server.url)
    editor = StaffClient(server.url)
    try:
        async with anonymous.http.get(f"{server.url}/console/", allow_redirects=False) as response:
            assert response.status == 302 and response.headers["Location"].startswith("/login?next=")
        async with anonymous.http.get(f"{server.url}/console/api/board") as response:
            assert response.status == 401
        # A login form post without the form's token (cross-site login) is refused.
        async with anonymous.http.post(
            f"{server.url}/login", data={"username": "olga", "password": PASSWORD}, allow_redirects=False
        ) as response:
            assert response.status == 403
        assert await anonymous.login("olga", "wrong password!") == 401

        assert await operator.login("olga") == 303
        assert (await operator.get("/console/api/me"))["role"] == "operator"
        # State changes need the CSRF token of the session.
        async with operator.http.post(f"{server.url}/console/api/presence", json={"status": "away"}) as response:
            assert response.status == 403
        assert await operator.post("/console/api/presence", {"status": "away"}) == (200, {"presence": "away"})

        assert await editor.login("eddie") == 303
        async with editor.http.get(f"{server.url}/console/api/board") as response:
            assert response.status == 403

        # Disabling (or a password change) ends the sessions already issued.
        await AccountStore(server.app[SESSIONS]).disable("olga")
        async with operator.http.get(f"{server.url}/console/api/board") as response:
            assert response.status == 401
        assert await anonymous.login("olga") == 401
    finally:
        for client in (anonymous, operator, editor):
            await client.close()


@pytest.mark.asyncio
async def test_no_open_redirect_and_no_cross_site_websocket(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(), dialogue=EchoDialogue())
    await add_account(server.app, "olga")
    client = StaffClient(server.url)
    try:
        async with client.http.get(f"{server.url}/login?next=//evil.example/x") as response:
            assert 'name="next" value="/console/"' in await response.text()
        assert await client.login("olga") == 303
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.http.ws_connect(f"{server.url}/console/ws", headers={"Origin": "https://evil.example"})
        assert refused.value.status == 403
        ws = await client.http.ws_connect(f"{server.url}/console/ws", headers={"Origin": server.url})
        await ws.send_str("ping")
        assert (await ws.receive_str(timeout=5)) == "pong"
        await ws.close()
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_login_page_speaks_the_staff_language(handoff_config, live_server) -> None:  # type: ignore[no-untyped-def]
    server = await live_server(handoff_config(), dialogue=EchoDialogue())
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/login?lang=ru") as response:
            assert "Войти" in await response.text()
        async with http.get(f"{server.url}/login", headers={"Accept-Language": "fr, az;q=0.8"}) as response:
            page = await response.text()
        assert "Daxil ol" in page and '<html lang="az">' in page
        # Values are escaped in the server-rendered page.
        async with http.get(f"{server.url}/login?next=/console/%22%3E%3Cscript%3E") as response:
            page = await response.text()
        assert "<script>" not in page and 'value="/console/&quot;&gt;&lt;script&gt;"' in page
