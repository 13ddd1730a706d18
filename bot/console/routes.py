"""HTTP and WebSocket endpoints of the operator console (``/console/``).

Pages redirect to ``/login`` when signed out; the JSON API answers 401/403. Every POST needs the
session's CSRF token in ``X-CSRF-Token``; the WebSocket checks the Origin instead. The console
page builds its DOM with ``textContent`` only and, like every page, is served with the strict
Content-Security-Policy of ``bot.web.security``, so nothing a user writes can run as code in an
operator's browser.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from bot.accounts.web import AUTH, Staff, setup_accounts
from bot.console.reads import ConsoleReader
from bot.console.strings import console_strings
from bot.core.events import EventHub, event_bridge
from bot.handoff.assignments import Assignments
from bot.handoff.desk import CallCentreDesk
from bot.handoff.errors import ClaimLost, NotYourChat, UnknownTarget
from bot.handoff.live import TOPIC
from bot.handoff.presence import PRESENCE_STATES, PresenceBoard
from bot.handoff.sweeper import QueueSweeper
from flows.messages import LANGUAGES

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
CONSOLE_ROLES = ("operator",)  # admins pass every role check
WRAP_UPS = ("answered", "referred", "callback_arranged", "no_reply", "other")
MAX_NOTE_CHARS = 4000


@dataclass(frozen=True)
class ConsoleServices:
    """What the console's handlers use, created once the core is up."""

    assignments: Assignments
    presence: PresenceBoard
    reader: ConsoleReader
    hub: EventHub
    max_reply_chars: int
    heartbeat_seconds: float


SERVICES = web.AppKey("console_services", ConsoleServices)
SOCKETS: web.AppKey[weakref.WeakSet[web.WebSocketResponse]] = web.AppKey("console_sockets")


def setup_console(app: web.Application) -> None:
    """Wire the call-centre desk and mount the console (one call in ``create_app``)."""
    setup_accounts(app)
    app.cleanup_ctx.append(_handoff_services)
    app[SOCKETS] = weakref.WeakSet()
    app.on_shutdown.append(_close_sockets)
    app.router.add_get("/console", _to_console)
    app.router.add_get("/console/", console_page)
    app.router.add_static("/console/static", STATIC_DIR)
    app.router.add_get("/console/ws", console_socket)
    app.router.add_get("/console/strings.json", strings)
    app.router.add_get("/console/api/me", me)
    app.router.add_get("/console/api/board", board)
    app.router.add_get("/console/api/operators", operators)
    app.router.add_get("/console/api/canned", canned)
    app.router.add_post("/console/api/presence", presence)
    app.router.add_get("/console/api/chats/{entry_id:\\d+}", chat)
    app.router.add_post("/console/api/chats/{entry_id:\\d+}/{action:[a-z_]+}", chat_action)


async def _handoff_services(app: web.Application) -> AsyncIterator[None]:
    # Imported here: bot.app imports this module, so its keys exist only once it has loaded.
    from bot.app import CONFIG, DESK, DISPATCHER, HUB, SESSIONS, TASKS

    settings = app[CONFIG].settings
    desk = app[DESK]
    if not isinstance(desk, CallCentreDesk):
        raise TypeError("the operator console needs bot.handoff.desk.CallCentreDesk as the desk")
    desk.configure(settings.handoff, settings.flows.timezone)
    sessions, kick = app[SESSIONS], app[DISPATCHER].kick
    app[SERVICES] = ConsoleServices(
        assignments=Assignments(sessions, desk.queue, kick),
        presence=PresenceBoard(sessions, desk.queue, kick),
        reader=ConsoleReader(sessions, settings.handoff),
        hub=app[HUB],
        max_reply_chars=settings.server.max_message_chars,
        heartbeat_seconds=settings.handoff.presence_timeout_seconds / 3,
    )
    bridge = event_bridge(app[HUB], settings.database_url)
    if bridge is not None:
        await bridge.start()
    sweeper = QueueSweeper(sessions, desk.queue, kick)
    app[TASKS].spawn(sweeper.run(settings.handoff.sweep_interval_seconds), name="handoff-sweeper")
    yield
    if bridge is not None:
        await bridge.close()


async def _close_sockets(app: web.Application) -> None:
    sockets = app[SOCKETS]
    for ws in list(sockets):
        await ws.close(code=1001, message=b"server shutting down")


async def _staff(request: web.Request, *, page: bool = False) -> Staff:
    return await request.app[AUTH].require(request, CONSOLE_ROLES, page=page)


async def _staff_posting(request: web.Request) -> Staff:
    staff = await _staff(request)
    request.app[AUTH].check_csrf(request, staff)
    return staff


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "malformed JSON"}', content_type="application/json") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": "expected a JSON object"}', content_type="application/json")
    return body


def _error(status: int, code: str) -> web.Response:
    return web.json_response({"error": code}, status=status)


async def _to_console(request: web.Request) -> web.Response:
    raise web.HTTPFound("/console/")


async def console_page(request: web.Request) -> web.StreamResponse:
    await _staff(request, page=True)
    return web.FileResponse(STATIC_DIR / "console.html")


async def strings(request: web.Request) -> web.Response:
    from bot.app import CATALOGS

    return web.json_response(console_strings(request.app[CATALOGS]))


async def me(request: web.Request) -> web.Response:
    staff = await _staff(request)
    return web.json_response(
        {
            "id": staff.account_id,
            "name": staff.display_name,
            "role": staff.role,
            "languages": list(staff.languages),
            "csrf": staff.csrf,
            "presence": await request.app[SERVICES].presence.status(staff.account_id),
            "wrap_ups": list(WRAP_UPS),
        }
    )


async def board(request: web.Request) -> web.Response:
    staff = await _staff(request)
    return web.json_response(await request.app[SERVICES].reader.board(staff))


async def operators(request: web.Request) -> web.Response:
    await _staff(request)
    return web.json_response(await request.app[SERVICES].reader.operators())


async def canned(request: web.Request) -> web.Response:
    """Knowledge-base answers for a query in any language, written in the user's language."""
    from bot.app import LIVE

    await _staff(request)
    query = request.query.get("q", "")[:200]
    language = request.query.get("language", "az")
    if language not in LANGUAGES:
        return _error(400, "unknown language")
    hits = request.app[LIVE].knowledge.search(query, language, limit=8) if query.strip() else []
    return web.json_response(
        [{"id": hit.article.id, "title": hit.article.title(language), "text": hit.article.text(language)} for hit in hits]
    )


async def presence(request: web.Request) -> web.Response:
    staff = await _staff_posting(request)
    status = (await _json_body(request)).get("status")
    if status not in PRESENCE_STATES:
        return _error(400, "unknown presence")
    await request.app[SERVICES].presence.set(staff.account_id, str(status), staff.languages)
    return web.json_response({"presence": status})


async def chat(request: web.Request) -> web.Response:
    staff = await _staff(request)
    found = await request.app[SERVICES].reader.chat(int(request.match_info["entry_id"]))
    if found is None or not _may_view(staff, found):
        return _error(404, "no such chat")
    return web.json_response(found)


def _may_view(staff: Staff, entry: dict[str, Any]) -> bool:
    if staff.role == "admin" or entry["operator_id"] == staff.account_id:
        return True
    return entry["status"] == "queued" and entry["language"] in staff.languages


async def chat_action(request: web.Request) -> web.Response:
    staff = await _staff_posting(request)
    entry_id = int(request.match_info["entry_id"])
    action = request.match_info["action"]
    services = request.app[SERVICES]
    assignments = services.assignments
    body = await _json_body(request) if request.can_read_body else {}
    max_chars = services.max_reply_chars
    try:
        if action == "claim":
            found = await services.reader.entry(entry_id)
            if found is None:
                return _error(404, "no such chat")
            # Chats are offered to operators who speak the language (admins may take any).
            if staff.role != "admin" and found["language"] not in staff.languages:
                return _error(403, "not_your_language")
            await assignments.claim(entry_id, staff.account_id)
        elif action == "reply":
            text = str(body.get("text") or "").strip()
            if not text or len(text) > max_chars:
                return _error(400, f"reply must be 1-{max_chars} characters")
            await assignments.reply(entry_id, staff.account_id, text)
        elif action == "notes":
            text = str(body.get("text") or "").strip()
            if not text or len(text) > MAX_NOTE_CHARS:
                return _error(400, f"note must be 1-{MAX_NOTE_CHARS} characters")
            found = await services.reader.entry(entry_id)
            if found is None or not _may_view(staff, found):
                return _error(404, "no such chat")
            await assignments.note(found["conversation_id"], staff.account_id, text)
        elif action == "transfer":
            if "operator_id" in body:
                await assignments.transfer_to_operator(entry_id, staff.account_id, int(body["operator_id"]))
            else:
                await assignments.transfer_to_language(entry_id, staff.account_id, str(body.get("language")))
        elif action == "return":
            await assignments.return_to_bot(entry_id, staff.account_id)
        elif action == "close":
            wrap_up = body.get("wrap_up")
            if wrap_up not in WRAP_UPS:
                return _error(400, "unknown wrap-up reason")
            await assignments.close(entry_id, staff.account_id, str(wrap_up))
        else:
            return _error(404, "unknown action")
    except ClaimLost:
        return _error(409, "claimed_by_other")
    except NotYourChat:
        return _error(409, "not_your_chat")
    except (UnknownTarget, ValueError, TypeError):
        return _error(400, "unknown transfer target")
    return web.json_response({"ok": True})


async def console_socket(request: web.Request) -> web.WebSocketResponse:
    """Live events for one console; also keeps the operator's presence fresh while open.

    Closing the console does not requeue chats at once (a reload must not lose them): an
    operator whose consoles stay closed for ``presence_timeout_seconds`` becomes offline.
    """
    staff = await _staff(request)
    request.app[AUTH].check_origin(request)
    services = request.app[SERVICES]
    ws = web.WebSocketResponse(heartbeat=30, max_msg_size=4096)
    await ws.prepare(request)
    request.app[SOCKETS].add(ws)
    if await services.presence.status(staff.account_id) == "offline":
        await services.presence.set(staff.account_id, "online", staff.languages)
    else:
        await services.presence.heartbeat(staff.account_id)
    with services.hub.subscribe(TOPIC) as queue:
        pump = asyncio.create_task(_pump(queue, ws), name=f"console-pump:{staff.account_id}")
        beat = asyncio.create_task(
            _heartbeat(services.presence, staff.account_id, services.heartbeat_seconds), name="console-presence"
        )
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT and frame.data == "ping":
                    await ws.send_str("pong")
        finally:
            pump.cancel()
            beat.cancel()
    return ws


async def _pump(queue: asyncio.Queue[dict[str, Any]], ws: web.WebSocketResponse) -> None:
    while True:
        event = await queue.get()
        if ws.closed:
            return
        await ws.send_json(event)


async def _heartbeat(board_presence: PresenceBoard, account_id: int, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        await board_presence.heartbeat(account_id)
