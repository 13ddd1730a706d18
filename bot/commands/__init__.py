"""Sub-commands of ``migassist``; each module exposes ``register(subparsers)``.

A command's handler receives the parsed ``argparse.Namespace`` and returns an exit code.
"""

from __future__ import annotations

from types import ModuleType

from bot.commands import chat, db, kb, nlu, purge, serve, telegram, user_data, users

COMMAND_MODULES: tuple[ModuleType, ...] = (serve, chat, db, nlu, users, kb, telegram, purge, user_data)
