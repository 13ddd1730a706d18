"""The ``migassist`` command line: one sub-command module per concern in ``bot/commands``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.commands import COMMAND_MODULES
from bot.config import ConfigError
from bot.observability.logs import configure_logging


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migassist",
        description="MigAssist: trilingual migration-service assistant and call-centre desk.",
    )
    parser.add_argument(
        "--config", type=Path, default=None, help="path to config.yml (default: ./config.yml of the project)"
    )
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        print(f"migassist: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
