"""Signed, stateless session cookies: ``base64(json claims).base64(HMAC-SHA256)``.

The claims carry the account id, its ``session_version`` (bumped on password change or
disabling, which revokes every cookie issued before), the issue time and a random CSRF token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

SESSION_LIFETIME_SECONDS = 12 * 3600


@dataclass(frozen=True, slots=True)
class SessionClaims:
    account_id: int
    version: int
    issued_at: int
    csrf: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    """Issues and verifies session cookies with one secret key."""

    def __init__(self, secret: bytes, lifetime_seconds: int = SESSION_LIFETIME_SECONDS) -> None:
        self._secret = secret
        self._lifetime = lifetime_seconds

    def issue(self, account_id: int, version: int) -> tuple[str, SessionClaims]:
        claims = SessionClaims(account_id, version, int(time.time()), secrets.token_urlsafe(24))
        body = _b64(json.dumps([claims.account_id, claims.version, claims.issued_at, claims.csrf]).encode())
        return f"{body}.{self._sign(body)}", claims

    def read(self, cookie: str | None) -> SessionClaims | None:
        """The claims of a genuine, unexpired cookie, else ``None``."""
        if not cookie or "." not in cookie:
            return None
        body, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            account_id, version, issued_at, csrf = json.loads(_unb64(body))
        except (ValueError, TypeError):
            return None
        if time.time() - issued_at > self._lifetime:
            return None
        return SessionClaims(int(account_id), int(version), int(issued_at), str(csrf))

    def token(self, purpose: str, nonce: str) -> str:
        """A keyed token for ``nonce`` (the login form's CSRF token is bound to its cookie this way)."""
        return self._sign(f"{purpose}:{nonce}")

    def _sign(self, text: str) -> str:
        return _b64(hmac.new(self._secret, text.encode(), hashlib.sha256).digest())
