"""``migassist users``: staff accounts for the consoles (add, change password, disable).

Passwords are read from the terminal without echo, or from stdin with ``--password-stdin``
(for scripts); never from the command line, where they would end up in shell history.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable

from bot.accounts.passwords import WeakPassword
from bot.accounts.store import ROLES, AccountError, AccountStore
from bot.config import load_config
from bot.storage.database import create_engine, create_sessionmaker, is_sqlite
from bot.storage.migrate import ensure_schema


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("users", help="manage operator/editor/admin accounts", description=__doc__)
    sub = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="operator")
    add.add_argument("--languages", default="", help="languages an operator answers in, e.g. az,ru")
    add.add_argument("--name", help="display name shown to colleagues (default: the username)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(handler=_add)
    passwd = sub.add_parser("passwd", help="set a new password (signs the account out everywhere)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    passwd.set_defaults(handler=_passwd)
    disable = sub.add_parser("disable", help="block sign-in and end the account's sessions")
    disable.add_argument("username")
    disable.set_defaults(handler=_disable)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise AccountError("the passwords do not match")
    return first


def _run(args: argparse.Namespace, action: Callable[[AccountStore], Awaitable[str]]) -> int:
    url = load_config(args.config).settings.database_url

    async def main() -> str:
        await ensure_schema(url, upgrade=is_sqlite(url))
        engine = create_engine(url)
        try:
            return await action(AccountStore(create_sessionmaker(engine)))
        finally:
            await engine.dispose()

    try:
        print(asyncio.run(main()))
    except (AccountError, WeakPassword) as exc:
        print(f"migassist users: {exc}", file=sys.stderr)
        return 1
    return 0


def _add(args: argparse.Namespace) -> int:
    password = _read_password(args)

    async def action(store: AccountStore) -> str:
        account = await store.add(
            args.username, password, args.role, languages=args.languages, display_name=args.name
        )
        return f"created {account.role} {account.username}"

    return _run(args, action)


def _passwd(args: argparse.Namespace) -> int:
    password = _read_password(args)

    async def action(store: AccountStore) -> str:
        await store.set_password(args.username, password)
        return f"password changed for {args.username}"

    return _run(args, action)


def _disable(args: argparse.Namespace) -> int:
    async def action(store: AccountStore) -> str:
        await store.disable(args.username)
        return f"disabled {args.username}"

    return _run(args, action)
