"""``migassist chat``: a terminal conversation through the same pipeline as every channel."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid

from aiohttp import web

from bot.channels.base import Delivery
from bot.config import load_config
from bot.storage.base import utcnow
from flows.messages import ConversationKey, IncomingMessage

CHANNEL = "cli"


class TerminalSender:
    """Replies are printed by the chat loop itself; delivery only records them as sent."""

    async def send(self, delivery: Delivery) -> str | None:
        return None


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "chat",
        help="talk to the assistant in the terminal",
        description="Talk to the assistant in the terminal. Type a message, or a button's title (or the "
        "number shown in it) to choose it. Ctrl-D to quit.",
    )
    parser.add_argument("--user", default=None, help="conversation id to continue (default: a new one)")
    parser.set_defaults(handler=chat)


def chat(args: argparse.Namespace) -> int:
    return asyncio.run(_chat(args))


async def _chat(args: argparse.Namespace) -> int:
    from bot.app import ASSISTANT, SENDERS, create_app

    app = create_app(load_config(args.config))
    app[SENDERS][CHANNEL] = TerminalSender()
    runner = web.AppRunner(app)
    await runner.setup()  # runs the start-up contexts without listening on a port
    key = ConversationKey(CHANNEL, args.user or uuid.uuid4().hex)
    buttons: dict[str, str] = {}  # lower-cased title -> payload of the buttons last shown
    print(f"conversation {key.user_id} — type your question (Ctrl-D to quit)")
    try:
        while True:
            line = await asyncio.to_thread(_read, "> ")
            if line is None:
                break
            line = line.strip()
            if not line:
                continue
            # A typed title is a tap; anything else (including "1") goes to the flows, which
            # understand the numbers written in their own button labels.
            payload = buttons.get(line.lower())
            incoming = IncomingMessage(key, uuid.uuid4().hex, line, utcnow(), payload=payload)
            _, replies = await app[ASSISTANT].receive_and_wait(incoming)
            buttons = {}
            for reply in replies:
                print(reply.text)
                for button in reply.buttons:
                    buttons[button.title.lower()] = button.payload
                    print(f"  [{button.title}]")
    finally:
        await runner.cleanup()
    return 0


def _read(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        print(file=sys.stderr)
        return None
