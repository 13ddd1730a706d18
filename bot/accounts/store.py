"""Creating, changing and checking staff accounts."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.accounts.passwords import hash_password, needs_rehash, verify_password
from bot.storage.accounts import Account
from flows.messages import LANGUAGES

ROLES: tuple[str, ...] = ("operator", "editor", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class AccountError(ValueError):
    """An account operation was refused (unknown user, duplicate name, invalid role…)."""


def parse_languages(raw: str) -> str:
    """Normalise ``"az, ru"`` to ``"az,ru"``; raises :class:`AccountError` for unknown codes."""
    codes = [code.strip().lower() for code in raw.split(",") if code.strip()]
    unknown = [code for code in codes if code not in LANGUAGES]
    if unknown:
        raise AccountError(f"unknown language(s): {', '.join(unknown)} (expected az, ru, en)")
    return ",".join(dict.fromkeys(codes))


class AccountStore:
    """Accounts in the database. Passwords are only ever stored as Argon2id hashes."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(
        self, username: str, password: str, role: str, *, languages: str = "", display_name: str | None = None
    ) -> Account:
        if not USERNAME.match(username):
            raise AccountError("a username is 2-64 lower-case letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        account = Account(
            username=username,
            display_name=display_name or username,
            password_hash=hash_password(password),
            role=role,
            languages=parse_languages(languages),
        )
        async with self._sessions.begin() as session:
            if await session.scalar(select(Account.id).where(Account.username == username)) is not None:
                raise AccountError(f"an account named {username!r} already exists")
            session.add(account)
        return account

    async def set_password(self, username: str, password: str) -> None:
        """Change the password and sign the account out everywhere."""
        new_hash = hash_password(password)
        async with self._sessions.begin() as session:
            account = await self._named(session, username)
            account.password_hash = new_hash
            account.session_version += 1

    async def disable(self, username: str) -> None:
        """Block sign-in and end the account's sessions."""
        async with self._sessions.begin() as session:
            account = await self._named(session, username)
            account.disabled = True
            account.session_version += 1

    async def authenticate(self, username: str, password: str) -> Account | None:
        """The enabled account with these credentials, or ``None``."""
        async with self._sessions.begin() as session:
            account = await session.scalar(select(Account).where(Account.username == username))
            if not verify_password(account.password_hash if account else None, password):
                return None
            assert account is not None
            if account.disabled:
                return None
            if needs_rehash(account.password_hash):
                account.password_hash = hash_password(password)
            return account

    async def get(self, account_id: int) -> Account | None:
        async with self._sessions() as session:
            return await session.get(Account, account_id)

    @staticmethod
    async def _named(session: AsyncSession, username: str) -> Account:
        account = await session.scalar(select(Account).where(Account.username == username))
        if account is None:
            raise AccountError(f"no account named {username!r}")
        return account
