"""Wiring observability into the application: middleware, ``/metrics``, ``/readyz``."""

from __future__ import annotations

import asyncio
import ipaddress
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.observability.instruments import (
    InstrumentedDialogue,
    http_metrics_middleware,
    instrument_senders,
)
from bot.observability.metrics import ServiceMetrics
from bot.observability.state import refresh_state_gauges
from flows.dialogue import Dialogue

log = logging.getLogger(__name__)

METRICS = web.AppKey("metrics", ServiceMetrics)
READY = web.AppKey("ready", asyncio.Event)
READINESS_DB_TIMEOUT_SECONDS = 2.0


def setup_observability(app: web.Application) -> None:
    """Add metrics middleware and the ``/metrics`` and ``/readyz`` routes."""
    app[METRICS] = ServiceMetrics()
    app[READY] = asyncio.Event()
    app.middlewares.append(http_metrics_middleware(app[METRICS]))
    app.router.add_get("/metrics", metrics_endpoint)
    app.router.add_get("/readyz", readyz)
    # on_startup runs after every cleanup context, so all channels' senders exist by then.
    app.on_startup.append(_started)
    app.on_shutdown.append(_draining)


def observed_dialogue(app: web.Application) -> Dialogue:
    """The application's dialogue, counting intents, fallbacks and handoffs into its metrics."""
    from bot.app import (  # the composition root imports us; import back lazily
        CONFIG,
        DIALOGUE,
    )

    nlu = app[CONFIG].settings.nlu
    return InstrumentedDialogue(app[DIALOGUE], app[METRICS], nlu.confident_threshold, nlu.clarify_threshold)


async def _started(app: web.Application) -> None:
    from bot.app import SENDERS

    instrument_senders(app[SENDERS], app[METRICS])
    app[READY].set()


async def _draining(app: web.Application) -> None:
    # Fail readiness first so a load balancer stops sending new work while we finish.
    app[READY].clear()


async def readyz(request: web.Request) -> web.Response:
    """200 when this process has started, is not shutting down and reaches its database."""
    from bot.app import ENGINE

    app = request.app
    if not app[READY].is_set():
        return web.json_response({"status": "not ready", "reason": "starting or stopping"}, status=503)
    try:
        async with asyncio.timeout(READINESS_DB_TIMEOUT_SECONDS):
            async with app[ENGINE].connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "do not route traffic here", not a crash
        return web.json_response({"status": "not ready", "reason": f"database: {type(exc).__name__}"}, status=503)
    return web.json_response({"status": "ready"})


async def metrics_endpoint(request: web.Request) -> web.Response:
    """Prometheus text format; only for clients in ``observability.metrics_allowed_networks``."""
    from bot.app import CONFIG, SESSIONS

    app = request.app
    settings = app[CONFIG].settings.observability
    if not settings.metrics_enabled:
        raise web.HTTPNotFound()
    if not _allowed(request.remote, settings.metrics_allowed_networks):
        raise web.HTTPForbidden(text="metrics are not available from this address")
    try:
        await refresh_state_gauges(app[SESSIONS], app[METRICS])
    except Exception:  # still export the process's counters when the database is down
        log.warning("metrics: could not read queue and outbox state from the database", exc_info=True)
    return web.Response(body=generate_latest(app[METRICS].registry), headers={"Content-Type": CONTENT_TYPE_LATEST})


def _allowed(remote: str | None, networks: tuple[str, ...]) -> bool:
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network) for network in networks)
