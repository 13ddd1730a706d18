"""``migassist telegram``: register the webhook and the command menu, or poll for local development.

- ``migassist telegram set-webhook`` points Telegram at ``<server.public_url>/webhooks/telegram/…``
  with our secret token, and registers ``/start /menu /language /operator /help`` in each language.
- ``migassist telegram --polling`` runs the assistant without a public URL: it removes the
  webhook and long-polls ``getUpdates``, feeding each update through the same code as the webhook.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from aiohttp import web
from telegram import Bot, BotCommand

from bot.channels.telegram import ALLOWED_UPDATES, TELEGRAM, open_bot, webhook_url
from bot.config import Config, ConfigError, load_config
from flows.i18n import DEFAULT_LANGUAGE, N_, Catalogs, load_catalogs
from flows.messages import LANGUAGES

#: The bot's commands, in menu order, with their descriptions (translated per language).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start the conversation")),
    ("menu", N_("Main menu")),
    ("language", N_("Change the language")),
    ("operator", N_("Talk to a person")),
    ("help", N_("What I can do")),
)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "telegram",
        help="Telegram: register the webhook, or poll for updates during development",
        description="Run Telegram in polling mode (--polling, no public URL needed) or register the webhook "
        "and the bot's command menu (set-webhook). Needs telegram.enabled and MIGASSIST_TELEGRAM_TOKEN.",
    )
    parser.add_argument("--polling", action="store_true", help="long-poll getUpdates instead of using the webhook")
    actions = parser.add_subparsers(dest="telegram_action", metavar="ACTION")
    set_webhook = actions.add_parser(
        "set-webhook",
        help="register <server.public_url>/webhooks/telegram/… and the command menu with Telegram",
    )
    set_webhook.add_argument("--drop-pending", action="store_true", help="discard updates Telegram has queued")
    parser.set_defaults(handler=telegram, parser=parser)


def telegram(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if not config.settings.telegram.enabled:
        raise ConfigError("Telegram is disabled: set telegram.enabled (or MIGASSIST_TELEGRAM__ENABLED=true)")
    if args.telegram_action == "set-webhook":
        return asyncio.run(set_webhook(config, drop_pending=args.drop_pending))
    if args.polling:
        return asyncio.run(poll(config))
    args.parser.print_help(sys.stderr)
    return 2


async def set_webhook(config: Config, drop_pending: bool = False) -> int:
    """Register the webhook URL and secret, and the command menu in every language."""
    public_url = config.settings.server.public_url
    if not public_url:
        raise ConfigError("server.public_url must be set (the https address Telegram should call)")
    secret = config.secrets.require("TELEGRAM_WEBHOOK_SECRET")
    bot = await open_bot(config)
    try:
        await bot.set_webhook(
            webhook_url(public_url, secret),
            secret_token=secret,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=drop_pending,
        )
        await set_commands(bot, load_catalogs())
    finally:
        await bot.shutdown()
    print(f"Telegram webhook registered at {public_url.rstrip('/')}/webhooks/telegram/…")
    return 0


async def set_commands(bot: Bot, catalogs: Catalogs) -> None:
    """``setMyCommands`` per language, plus the default list (for users of other languages)."""
    for language in (*LANGUAGES, None):
        t = catalogs.translator(language or DEFAULT_LANGUAGE)
        await bot.set_my_commands(
            [BotCommand(name, t.gettext(description)) for name, description in COMMANDS], language_code=language
        )


async def poll(config: Config) -> int:
    """Run the whole assistant (outbox, web chat, …) and take Telegram updates by long polling."""
    from bot.app import create_app

    runner = web.AppRunner(create_app(config))
    await runner.setup()  # starts every service; the HTTP port is not needed for polling
    print("MigAssist is polling Telegram for updates (Ctrl-C to stop)", flush=True)
    try:
        await runner.app[TELEGRAM].poll()
    finally:
        await runner.cleanup()
    return 0
