"""``migassist serve``: run the web server (web chat, REST and messaging webhooks, consoles)."""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import secrets
import signal
import socket

from aiohttp import web

from bot.config import ENV_PREFIX, ConfigError, load_config
from bot.observability.logs import configure_logging
from bot.storage.database import is_sqlite, sqlite_file

log = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help="run the assistant's web server",
        description="Run the web server: web chat at /, REST channel, webhooks, operator and editor consoles. "
        "With SQLite the schema is upgraded automatically; with PostgreSQL run 'migassist db upgrade' first.",
    )
    parser.add_argument("--host", help="interface to listen on (default: server.host in config)")
    parser.add_argument("--port", type=int, help="port to listen on (default: server.port in config)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes sharing the port (default 1)")
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    settings = config.settings
    host = args.host or settings.server.host
    port = args.port or settings.server.port
    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    if args.workers > 1 and is_sqlite(settings.database_url) and sqlite_file(settings.database_url) is None:
        raise ConfigError("--workers > 1 needs a database the workers share: an in-memory SQLite database is per process")
    print(f"MigAssist is starting on http://{host}:{port}/  (web chat at /, health at /healthz)", flush=True)
    if args.workers == 1:
        _run(args.config, host, port, False, args.log_level)
        return 0
    if not config.secrets.get("SESSION_SECRET"):
        # One key for all workers, so a staff login works whichever worker a request reaches.
        os.environ[f"{ENV_PREFIX}SESSION_SECRET"] = secrets.token_urlsafe(32)
        log.warning("MIGASSIST_SESSION_SECRET is not set: the workers share a random key; staff sessions end on restart")
    # Each worker binds the same port with SO_REUSEPORT; the kernel spreads connections.
    workers = [
        multiprocessing.get_context("spawn").Process(
            target=_run, args=(args.config, host, port, True, args.log_level), name=f"migassist-worker-{n}"
        )
        for n in range(args.workers)
    ]
    for worker in workers:
        worker.start()

    def stop_workers(signum: int, _frame: object) -> None:
        # Pass SIGTERM/SIGINT on: each worker shuts down gracefully (aiohttp handles SIGTERM).
        for worker in workers:
            if worker.is_alive():
                worker.terminate()

    signal.signal(signal.SIGTERM, stop_workers)
    signal.signal(signal.SIGINT, stop_workers)
    for worker in workers:
        worker.join()
    return max((w.exitcode or 0) for w in workers)


def _run(config_path: object, host: str, port: int, reuse_port: bool, log_level: str) -> None:
    from bot.app import create_app

    config = load_config(config_path)  # type: ignore[arg-type]
    # Also in spawned workers, which do not inherit the parent's logging set-up.
    configure_logging(log_level, config.settings.observability.log_format)
    sock = None
    if reuse_port:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    web.run_app(
        create_app(config),
        host=None if sock else host,
        port=None if sock else port,
        sock=sock,
        print=None,
        access_log=None,
        handle_signals=True,
    )
