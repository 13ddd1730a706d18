"""HTTP endpoints of the content editors' workspace (``/editor/``), roles editor and admin.

Same conventions as the operator console: the page redirects to ``/login`` when signed out, the
JSON API answers 401/403; every POST carries the session's CSRF token in ``X-CSRF-Token``; the page
builds its DOM with ``textContent`` only and is served under a strict Content-Security-Policy.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.accounts.web import AUTH, Staff
from bot.core.live import LiveContent
from bot.editor.articles import ArticleEdit, ArticleEditError
from bot.editor.audit import AuditLog
from bot.editor.inbox import InboxError, UnansweredInbox
from bot.editor.preview import article_reply, preview
from bot.editor.strings import editor_strings
from bot.editor.training import TrainingDesk, TrainingError
from bot.editor.workflow import Editor, EditorialWorkflow, WorkflowError
from bot.editor.yaml_io import YamlExchange
from bot.storage.content import ContentRejected
from flows.messages import LANGUAGES
from knowledge_base import ContentError

STATIC_DIR = Path(__file__).resolve().parent / "static"
EDITOR_ROLES = ("editor",)  # admins pass every role check
MAX_BODY_CHARS = 200_000


@dataclass(frozen=True)
class EditorServices:
    """What the workspace's handlers use, created once the core is up."""

    live: LiveContent
    workflow: EditorialWorkflow
    inbox: UnansweredInbox
    training: TrainingDesk
    exchange: YamlExchange


SERVICES = web.AppKey("editor_services", EditorServices)
Handler = Callable[[web.Request, Staff], Awaitable[Any]]


def setup_editor(app: web.Application) -> None:
    """Mount the editors' workspace (one call in ``create_app``, after the console's sign-in)."""
    app.cleanup_ctx.append(_editor_services)
    app.router.add_get("/editor", _to_editor)
    app.router.add_get("/editor/", editor_page)
    app.router.add_static("/editor/static", STATIC_DIR)
    app.router.add_get("/editor/strings.json", editor_strings_json)
    get, post = app.router.add_get, app.router.add_post
    get("/editor/api/me", _api(me))
    get("/editor/api/articles", _api(lambda r, s: _workflow(r).articles()))
    post("/editor/api/articles", _api(create_article, posting=True))
    get("/editor/api/articles/{article_id}", _api(article))
    post("/editor/api/articles/{article_id}", _api(save_article, posting=True))
    get("/editor/api/articles/{article_id}/preview", _api(article_preview))
    get("/editor/api/tables", _api(lambda r, s: _workflow(r).tables()))
    get("/editor/api/table", _api(lambda r, s: _workflow(r).table(r.query.get("path", ""))))
    post("/editor/api/table", _api(save_table, posting=True))
    get("/editor/api/history", _api(lambda r, s: _workflow(r).history(r.query.get("path", ""))))
    get("/editor/api/revisions/{revision_id:\\d+}/diff", _api(lambda r, s: _workflow(r).diff(_id(r))))
    post("/editor/api/revisions/{revision_id:\\d+}/{action:submit|publish|rollback|comment}", _api(revision_action, posting=True))
    get("/editor/api/audit", _api(audit))
    get("/editor/api/inbox", _api(lambda r, s: _services(r).inbox.groups()))
    post("/editor/api/inbox/{message_id:\\d+}/{action:train|link|dismiss}", _api(inbox_action, posting=True))
    get("/editor/api/training", _api(training_examples))
    post("/editor/api/training", _api(save_training, posting=True))
    get("/editor/api/models", _api(lambda r, s: _services(r).training.models()))
    post("/editor/api/models/retrain", _api(retrain, posting=True))
    post("/editor/api/models/{model_id:\\d+}/activate", _api(activate, posting=True))
    post("/editor/api/export", _api(export_yaml, posting=True))
    post("/editor/api/import", _api(import_yaml, posting=True))


async def _editor_services(app: web.Application) -> AsyncIterator[None]:
    # Imported here: bot.app imports this module, so its keys exist only once it has loaded.
    from bot.app import CONFIG, LIVE, SESSIONS, TASKS

    settings = app[CONFIG].settings
    live = app[LIVE]
    sessions = app[SESSIONS]
    content_dir = settings.knowledge_base.content_dir
    inbox = UnansweredInbox(sessions, settings.nlu.confident_threshold)
    training = TrainingDesk(sessions, settings, live, app[TASKS], inbox)
    app[SERVICES] = EditorServices(
        live=live,
        workflow=EditorialWorkflow(sessions, settings.editor, content_dir, live.use_knowledge_base),
        inbox=inbox,
        training=training,
        exchange=YamlExchange(sessions, settings, training, live.use_knowledge_base),
    )
    await training.recover()
    yield


def _services(request: web.Request) -> EditorServices:
    return request.app[SERVICES]


def _workflow(request: web.Request) -> EditorialWorkflow:
    return request.app[SERVICES].workflow


def _id(request: web.Request, name: str = "revision_id") -> int:
    return int(request.match_info[name])


_STATUS = {"not_found": 404, "invalid": 422}  # other refusals conflict with the content's state: 409


def _api(handler: Handler, *, posting: bool = False) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Sign-in, role and CSRF checks, then JSON out; domain refusals become 4xx JSON."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        staff = await request.app[AUTH].require(request, EDITOR_ROLES)
        if posting:
            request.app[AUTH].check_csrf(request, staff)
        try:
            result = await handler(request, staff)
        except WorkflowError as exc:
            return web.json_response({"error": exc.code, "message": str(exc)}, status=_STATUS.get(exc.code, 409))
        except ContentRejected as exc:
            return web.json_response({"error": "invalid", "problems": [str(p) for p in exc.problems]}, status=422)
        except (ArticleEditError, ContentError, InboxError, TrainingError) as exc:
            return web.json_response({"error": "invalid", "message": str(exc)}, status=422)
        if isinstance(result, web.StreamResponse):
            return result
        return web.json_response(result, dumps=lambda value: json.dumps(value, ensure_ascii=False))

    return wrapped


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text='{"error": "malformed JSON"}', content_type="application/json") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": "expected a JSON object"}', content_type="application/json")
    return body


def _editor(staff: Staff) -> Editor:
    return Editor(staff.username)


async def _to_editor(request: web.Request) -> web.Response:
    raise web.HTTPFound("/editor/")


async def editor_page(request: web.Request) -> web.StreamResponse:
    await request.app[AUTH].require(request, EDITOR_ROLES, page=True)
    # Security headers (strict CSP, no-store) are added app-wide by bot.web.security.
    return web.FileResponse(STATIC_DIR / "editor.html")


async def editor_strings_json(request: web.Request) -> web.Response:
    """The page's UI strings in az, ru and en (public: they are the same for everyone)."""
    from bot.app import CATALOGS

    return web.json_response(editor_strings(request.app[CATALOGS]), dumps=lambda value: json.dumps(value, ensure_ascii=False))


async def me(request: web.Request, staff: Staff) -> dict[str, Any]:
    from bot.app import CONFIG

    settings = request.app[CONFIG].settings.editor
    return {
        "username": staff.username,
        "name": staff.display_name,
        "role": staff.role,
        "csrf": staff.csrf,
        "four_eyes": settings.four_eyes,
        "block_stale_translations": settings.block_stale_translations,
    }


async def article(request: web.Request, staff: Staff) -> dict[str, Any]:
    revision = request.query.get("revision")
    return await _workflow(request).article(request.match_info["article_id"], int(revision) if revision and revision.isdigit() else None)


def _article_edit(body: dict[str, Any]) -> ArticleEdit:
    """The edit in a request body; a body of the wrong shape is refused, not a server error."""
    try:
        texts = {str(lang): {str(k): str(v) for k, v in dict(fields).items()} for lang, fields in dict(body.get("texts") or {}).items()}
        legal_basis = body.get("legal_basis")
        if legal_basis is not None:
            legal_basis = [{str(k): str(v) for k, v in dict(item).items()} for item in legal_basis]
        return ArticleEdit(
            texts=texts,
            legal_basis=legal_basis,
            lists={str(name): [str(v) for v in values] for name, values in dict(body.get("lists") or {}).items()},
            dates={str(k): (str(v) if v else None) for k, v in dict(body.get("dates") or {}).items()},
            confidence=str(body["confidence"]) if body.get("confidence") else None,
            confirm=tuple(str(lang) for lang in body.get("confirm") or ()),
        )
    except (TypeError, ValueError, AttributeError):
        raise ArticleEditError("malformed edit: expected the shapes the editor page sends") from None


async def save_article(request: web.Request, staff: Staff) -> dict[str, Any]:
    body = await _json(request)
    edit = _article_edit(body)
    return await _workflow(request).save_article(_editor(staff), request.match_info["article_id"], edit, str(body.get("comment") or ""))


async def create_article(request: web.Request, staff: Staff) -> dict[str, Any]:
    """A new article as a draft; with ``message_id``, the unanswered question it answers leaves the inbox."""
    body = await _json(request)
    article_id = str(body.get("id") or "")
    revision = await _workflow(request).create_article(
        _editor(staff), str(body.get("path") or ""), article_id, str(body.get("source_language") or ""),
        _article_edit(body), str(body.get("comment") or ""),
    )
    message_id = body.get("message_id")
    if isinstance(message_id, int):
        await _services(request).inbox.link(staff.username, message_id, article_id, None)
    return revision


async def article_preview(request: web.Request, staff: Staff) -> dict[str, Any]:
    from bot.app import CATALOGS

    language = request.query.get("language", "az")
    if language not in LANGUAGES:
        raise web.HTTPBadRequest(text='{"error": "unknown language"}', content_type="application/json")
    revision = request.query.get("revision")
    kb = await _workflow(request).knowledge_base(int(revision) if revision and revision.isdigit() else None)
    if not kb.has_article(request.match_info["article_id"]):
        raise WorkflowError("not_found", "no such article")
    catalogs = request.app[CATALOGS]
    reply = article_reply(kb.article(request.match_info["article_id"]), language, kb, catalogs, date.today())
    return preview(reply, catalogs, language)


async def save_table(request: web.Request, staff: Staff) -> dict[str, Any]:
    body = await _json(request)
    text = str(body.get("body") or "")
    if len(text) > MAX_BODY_CHARS:
        raise web.HTTPRequestEntityTooLarge(MAX_BODY_CHARS, len(text))
    return await _workflow(request).save_table(_editor(staff), str(body.get("path") or ""), text, str(body.get("comment") or ""))


async def revision_action(request: web.Request, staff: Staff) -> Any:
    workflow, editor, revision_id = _workflow(request), _editor(staff), _id(request)
    action = request.match_info["action"]
    if action == "submit":
        return await workflow.submit(editor, revision_id)
    if action == "publish":
        return await workflow.publish(editor, revision_id)
    if action == "rollback":
        return await workflow.rollback(editor, revision_id)
    await workflow.comment(editor, revision_id, str((await _json(request)).get("body") or ""))
    return {"ok": True}


async def audit(request: web.Request, staff: Staff) -> list[dict[str, Any]]:
    from bot.app import SESSIONS

    async with request.app[SESSIONS]() as session:
        return await AuditLog(session).recent(target=request.query.get("target") or None)


async def inbox_action(request: web.Request, staff: Staff) -> dict[str, Any]:
    body = await _json(request) if request.can_read_body else {}
    services, message_id, action = _services(request), _id(request, "message_id"), request.match_info["action"]
    if action == "train":
        return await services.training.add_from_inbox(staff.username, message_id, str(body.get("intent") or ""), str(body.get("text") or ""))
    if action == "link":
        return await services.inbox.link(staff.username, message_id, str(body.get("article_id") or ""), services.live.knowledge)
    return await services.inbox.dismiss(staff.username, message_id)


async def training_examples(request: web.Request, staff: Staff) -> dict[str, Any]:
    return await _services(request).training.examples(request.query.get("language", "az"), request.query.get("intent") or None)


async def save_training(request: web.Request, staff: Staff) -> dict[str, Any]:
    body = await _json(request)
    examples = body.get("examples")
    if not isinstance(examples, list):
        raise TrainingError("examples must be a list of strings")
    return await _services(request).training.set_examples(
        staff.username, str(body.get("language") or ""), str(body.get("intent") or ""), [str(e) for e in examples]
    )


async def retrain(request: web.Request, staff: Staff) -> dict[str, Any]:
    return await _services(request).training.retrain(staff.username)


async def activate(request: web.Request, staff: Staff) -> dict[str, Any]:
    body = await _json(request) if request.can_read_body else {}
    reason = str(body.get("reason") or "").strip() or None
    return await _services(request).training.activate(staff.username, _id(request, "model_id"), reason)


async def export_yaml(request: web.Request, staff: Staff) -> dict[str, Any]:
    return await _services(request).exchange.export(staff.username)


async def import_yaml(request: web.Request, staff: Staff) -> dict[str, Any]:
    if staff.role != "admin":  # publishes without review
        raise web.HTTPForbidden(text='{"error": "only admins import"}', content_type="application/json")
    return await _services(request).exchange.import_(staff.username)
