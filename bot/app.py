"""Application composition: one :func:`create_app` per process; aiohttp owns every resource's
lifecycle (``cleanup_ctx`` in dependency order); nothing is created at import time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import nlu
from bot.channels.base import ChannelSender
from bot.channels.rest import RestChannel
from bot.channels.telegram import setup_telegram
from bot.channels.webchat import STATIC_DIR, WebChatChannel
from bot.channels.whatsapp import setup_whatsapp
from bot.config import Config
from bot.console.routes import setup_console
from bot.core.assistant import Assistant
from bot.core.events import EventHub
from bot.core.inbox import Inbox
from bot.core.live import LiveContent
from bot.core.outbox import OutboxDispatcher, RetryPolicy
from bot.core.processor import HandoffDesk, MessageProcessor
from bot.core.tasks import TaskTracker
from bot.editor.routes import setup_editor
from bot.handoff.desk import CallCentreDesk
from bot.observability import setup_observability
from bot.observability.setup import observed_dialogue
from bot.ratelimit import setup_rate_limits, user_throttle
from bot.storage import wal
from bot.storage.content import published_knowledge_base
from bot.storage.database import create_engine, create_sessionmaker, is_sqlite, sqlite_file
from bot.storage.migrate import ensure_schema
from bot.web.security import setup_security_headers
from bot.web.strings import webchat_strings
from flows.dialogue import Dialogue
from flows.engine import DialogueEngine, EngineSettings
from flows.i18n import Catalogs, load_catalogs

log = logging.getLogger(__name__)

CONFIG = web.AppKey("config", Config)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
HUB = web.AppKey("hub", EventHub)
LIVE = web.AppKey("live", LiveContent)
CATALOGS = web.AppKey("catalogs", Catalogs)
DIALOGUE = web.AppKey("dialogue", Dialogue)
DESK = web.AppKey("desk", HandoffDesk)
TASKS = web.AppKey("tasks", TaskTracker)
SENDERS = web.AppKey("senders", dict[str, ChannelSender])
ASSISTANT = web.AppKey("assistant", Assistant)
REST = web.AppKey("rest_channel", RestChannel)
WEBCHAT = web.AppKey("webchat_channel", WebChatChannel)
DISPATCHER = web.AppKey("dispatcher", OutboxDispatcher)

SWEEP_INTERVAL_SECONDS = 5.0
MAX_BODY_BYTES = 256 * 1024


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[CONFIG].settings
    url = settings.database_url
    await ensure_schema(url, upgrade=is_sqlite(url))
    database_file = sqlite_file(url)
    engine = create_engine(url, echo=settings.database.echo, checkpoint_in_background=database_file is not None)
    app[ENGINE] = engine
    app[SESSIONS] = create_sessionmaker(engine)
    checkpoints = None
    if database_file is not None:
        checkpoints = asyncio.create_task(wal.checkpoint_forever(database_file), name="wal-checkpoints")
    yield
    if checkpoints is not None:
        checkpoints.cancel()
        await asyncio.gather(checkpoints, return_exceptions=True)
    await engine.dispose()


async def _understanding(app: web.Application) -> AsyncIterator[None]:
    settings = app[CONFIG].settings
    model = await asyncio.to_thread(nlu.load_or_train, settings.nlu_model_path, settings.nlu.data_dir)
    # Published revisions from the database (seeded from the YAML files on first start).
    knowledge = await published_knowledge_base(app[SESSIONS], settings.knowledge_base.content_dir)
    app[CATALOGS] = load_catalogs()
    if DIALOGUE not in app:
        app[DIALOGUE] = DialogueEngine(
            model,
            knowledge,
            EngineSettings(
                confident_threshold=settings.nlu.confident_threshold,
                clarify_threshold=settings.nlu.clarify_threshold,
                timezone=settings.flows.timezone,
                conversation_timeout=timedelta(minutes=settings.flows.conversation_timeout_minutes),
            ),
            catalogs=app[CATALOGS],
        )
    app[LIVE] = LiveContent(knowledge, model, app[DIALOGUE], app[HUB])
    yield


async def _core(app: web.Application) -> AsyncIterator[None]:
    settings = app[CONFIG].settings
    sessions = app[SESSIONS]
    senders = app[SENDERS]
    tasks = TaskTracker()
    app[TASKS] = tasks
    dispatcher = OutboxDispatcher(
        sessions,
        senders,
        RetryPolicy(settings.outbox.max_attempts, settings.outbox.base_delay_seconds, settings.outbox.max_delay_seconds),
        tasks,
    )
    app[DISPATCHER] = dispatcher
    app[DESK] = CallCentreDesk(sessions, app[HUB], app[CATALOGS])
    processor = MessageProcessor(sessions, observed_dialogue(app), app[DESK], dispatcher)
    assistant = Assistant(sessions, Inbox(sessions), processor, tasks, throttle=user_throttle(app))
    app[ASSISTANT] = assistant
    app[REST] = RestChannel(assistant, settings.server.max_message_chars, MAX_BODY_BYTES)
    app[WEBCHAT] = WebChatChannel(assistant, sessions, app[HUB], settings.server.max_message_chars)
    app[SENDERS].update(rest=app[REST], web=app[WEBCHAT])
    tasks.spawn(dispatcher.run(settings.outbox.poll_interval_seconds), name="outbox-dispatcher")
    tasks.spawn(assistant.sweep(SWEEP_INTERVAL_SECONDS), name="orphan-sweeper")
    content_dir = settings.knowledge_base.content_dir
    tasks.spawn(app[LIVE].follow(lambda: published_knowledge_base(sessions, content_dir)), name="live-content-follow")
    await assistant.recover()
    yield
    await tasks.close()


async def _stop_background_tasks(app: web.Application) -> None:
    """Stop processing and delivery at shutdown, before the channels' HTTP clients close (cleanup
    contexts end after shutdown, in reverse order); unfinished work stays in the database for the
    next start (recovery, outbox)."""
    if TASKS in app:
        await app[TASKS].close()


async def healthz(request: web.Request) -> web.Response:
    app = request.app
    database = "ok"
    try:
        async with app[ENGINE].connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # report, do not crash the probe
        database = f"error: {type(exc).__name__}"
    model = app[LIVE].model
    body = {
        "status": "ok" if database == "ok" else "degraded",
        "database": database,
        "nlu": {"status": "ok", "data_hash": model.data_hash[:12], "intents": len(model.intents)},
        "knowledge_base": {"articles": len(app[LIVE].knowledge.articles)},
    }
    return web.json_response(body, status=200 if database == "ok" else 503)


def create_app(config: Config, *, dialogue: Dialogue | None = None) -> web.Application:
    """Build the web application. ``dialogue`` replaces the flow engine (tests of the core)."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[CONFIG] = config
    setup_observability(app)  # first: its middleware also times and counts refused requests
    setup_rate_limits(app, config.settings.rate_limits)
    setup_security_headers(app)
    app[HUB] = EventHub()
    if dialogue is not None:
        app[DIALOGUE] = dialogue
    app[SENDERS] = {}  # channel name -> sender; filled at start-up, read by the outbox
    app.cleanup_ctx.extend([_database, _understanding, _core])
    app.on_shutdown.append(_stop_background_tasks)
    setup_telegram(app)  # if telegram.enabled
    setup_whatsapp(app)  # if whatsapp.enabled
    app.router.add_get("/", _chat_page)
    app.router.add_get("/ws/chat", _chat_socket)
    app.router.add_get("/webchat/strings.json", _chat_strings)
    app.router.add_post("/webhooks/rest/webhook", _rest_webhook)
    app.router.add_get("/healthz", healthz)
    app.router.add_static("/static", STATIC_DIR)
    setup_console(app)  # operator console, staff sign-in, call-centre desk services
    setup_editor(app)  # content editors' workspace (after the console: it uses the staff sign-in)
    return app


async def _chat_page(request: web.Request) -> web.StreamResponse:
    return await request.app[WEBCHAT].page(request)


async def _chat_socket(request: web.Request) -> web.StreamResponse:
    return await request.app[WEBCHAT].socket(request)


async def _chat_strings(request: web.Request) -> web.Response:
    return web.json_response(webchat_strings(request.app[CATALOGS]))


async def _rest_webhook(request: web.Request) -> web.Response:
    return await request.app[REST].handle(request)
