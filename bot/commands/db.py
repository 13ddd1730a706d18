"""``migassist db``: database schema management with Alembic."""

from __future__ import annotations

import argparse

from bot.config import load_config
from bot.storage.migrate import upgrade


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("db", help="manage the database schema", description="Database schema (Alembic).")
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = sub.add_parser("upgrade", help="upgrade the schema to the latest revision (safe to repeat)")
    up.add_argument("--revision", default="head", help="target revision (default: head)")
    up.set_defaults(handler=_upgrade)


def _upgrade(args: argparse.Namespace) -> int:
    settings = load_config(args.config).settings
    upgrade(settings.database_url, args.revision)
    print(f"database schema upgraded to {args.revision}")
    return 0
