"""Sign-in for the staff consoles: login/logout pages, the session cookie, CSRF checks and roles.

Consoles call :meth:`StaffAuth.require` in every handler (and :meth:`StaffAuth.check_csrf`
for every state-changing request): pages redirect to ``/login``, APIs answer 401/403 JSON.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from html import escape
from pathlib import Path
from string import Template
from urllib.parse import quote

from aiohttp import web

from bot.accounts.cookies import SessionSigner
from bot.accounts.store import AccountStore
from bot.config import Config
from flows.i18n import DEFAULT_LANGUAGE, Catalogs
from flows.messages import LANGUAGES

log = logging.getLogger(__name__)

SESSION_COOKIE = "migassist_session"
LOGIN_COOKIE = "migassist_login"
CSRF_HEADER = "X-CSRF-Token"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"  # scripts shared by the staff pages


@dataclass(frozen=True, slots=True)
class Staff:
    """The signed-in person for one request."""

    account_id: int
    username: str
    display_name: str
    role: str
    languages: tuple[str, ...]
    csrf: str


def render(template: str, **values: str) -> str:
    """Fill ``templates/<template>`` with HTML-escaped values (``$name`` placeholders)."""
    text = (TEMPLATES_DIR / template).read_text(encoding="utf-8")
    return Template(text).substitute({name: escape(value, quote=True) for name, value in values.items()})


def _local_path(target: str | None, default: str) -> str:
    # Only same-site paths: "//evil.example" or "https://…" would make the login an open redirect.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def _page_language(request: web.Request) -> str:
    """``?lang=``, else the first of az/ru/en the browser accepts, else Azerbaijani."""
    asked = request.query.get("lang")
    if asked in LANGUAGES:
        return asked
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def session_secret(config: Config) -> bytes:
    """``MIGASSIST_SESSION_SECRET``, or a random per-process key (development only: sessions
    do not survive a restart and are not shared between worker processes)."""
    configured = config.secrets.get("SESSION_SECRET")
    if configured:
        return configured.encode()
    log.warning(
        "MIGASSIST_SESSION_SECRET is not set: using a random key for this process only; "
        "set it in production (sessions break on restart and across workers)"
    )
    return secrets.token_bytes(32)


class StaffAuth:
    """Authenticates staff requests from the signed session cookie."""

    def __init__(self, store: AccountStore, signer: SessionSigner, catalogs: Catalogs) -> None:
        self.store = store
        self._signer = signer
        self._catalogs = catalogs

    async def current(self, request: web.Request) -> Staff | None:
        claims = self._signer.read(request.cookies.get(SESSION_COOKIE))
        if claims is None:
            return None
        account = await self.store.get(claims.account_id)
        if account is None or account.disabled or account.session_version != claims.version:
            return None
        return Staff(
            account.id, account.username, account.display_name, account.role, account.language_list, claims.csrf
        )

    async def require(self, request: web.Request, roles: tuple[str, ...], *, page: bool = False) -> Staff:
        """The signed-in staff member holding one of ``roles`` (admins hold every role).

        Not signed in: a page redirects to the login, an API gets 401. Wrong role: 403.
        """
        staff = await self.current(request)
        if staff is None:
            if page:
                raise web.HTTPFound(f"/login?next={quote(request.path_qs, safe='')}")
            raise web.HTTPUnauthorized(text='{"error": "not signed in"}', content_type="application/json")
        if staff.role not in roles and staff.role != "admin":
            raise web.HTTPForbidden(text='{"error": "not allowed for your role"}', content_type="application/json")
        return staff

    @staticmethod
    def check_csrf(request: web.Request, staff: Staff, submitted: str | None = None) -> None:
        """Reject a state-changing request whose CSRF token (header or form field) is not the session's."""
        token = submitted if submitted is not None else request.headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(token, staff.csrf):
            raise web.HTTPForbidden(text='{"error": "invalid CSRF token"}', content_type="application/json")

    @staticmethod
    def check_origin(request: web.Request) -> None:
        """WebSockets carry no CSRF header: refuse cross-site ones by their Origin."""
        origin = request.headers.get("Origin")
        expected = f"{request.scheme}://{request.host}"
        if origin is not None and origin != expected:
            raise web.HTTPForbidden(text="cross-site WebSocket refused")

    # --- pages ---

    async def login_page(self, request: web.Request, *, failed: bool = False) -> web.Response:
        nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
        t = self._catalogs.translator(_page_language(request))
        body = render(
            "login.html",
            lang=t.language,
            title=t.gettext("Staff sign-in"),
            username=t.gettext("Username"),
            password=t.gettext("Password"),
            submit=t.gettext("Sign in"),
            csrf=self._signer.token("login", nonce),
            next=_local_path(request.query.get("next"), "/console/"),
            error=t.gettext("Wrong username or password, or the account is disabled.") if failed else "",
        )
        response = web.Response(text=body, content_type="text/html")
        response.set_cookie(
            LOGIN_COOKIE, nonce, httponly=True, samesite="Strict", secure=request.secure, path="/login"
        )
        return response

    async def login(self, request: web.Request) -> web.Response:
        form = await request.post()
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        submitted = str(form.get("csrf", ""))
        if not nonce or not secrets.compare_digest(submitted, self._signer.token("login", nonce)):
            raise web.HTTPForbidden(text="invalid or expired login form; reload the page")
        account = await self.store.authenticate(str(form.get("username", "")).strip(), str(form.get("password", "")))
        if account is None:
            log.info("failed staff login")
            response = await self.login_page(request, failed=True)
            response.set_status(401)
            return response
        cookie, _claims = self._signer.issue(account.id, account.session_version)
        log.info("staff account %s signed in", account.id)
        response = web.HTTPSeeOther(_local_path(str(form.get("next", "")), "/console/"))
        response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="Strict", secure=request.secure, path="/")
        response.del_cookie(LOGIN_COOKIE, path="/login")
        raise response

    async def logout(self, request: web.Request) -> web.Response:
        staff = await self.current(request)
        if staff is not None:
            form = await request.post()
            self.check_csrf(request, staff, str(form.get("csrf", "")))
        response = web.HTTPSeeOther("/login")
        response.del_cookie(SESSION_COOKIE, path="/")
        raise response


AUTH = web.AppKey("staff_auth", StaffAuth)


def setup_accounts(app: web.Application) -> None:
    """Mount ``/login`` and ``/logout`` and create :data:`AUTH` once the database is up."""

    async def _accounts(app: web.Application) -> AsyncIterator[None]:
        # Imported here: bot.app imports the consoles, so its keys exist only once it has loaded.
        from bot.app import CATALOGS, CONFIG, SESSIONS

        app[AUTH] = StaffAuth(
            AccountStore(app[SESSIONS]), SessionSigner(session_secret(app[CONFIG])), app[CATALOGS]
        )
        yield

    async def login_page(request: web.Request) -> web.Response:
        return await request.app[AUTH].login_page(request)

    async def login(request: web.Request) -> web.Response:
        return await request.app[AUTH].login(request)

    async def logout(request: web.Request) -> web.Response:
        return await request.app[AUTH].logout(request)

    app.cleanup_ctx.append(_accounts)
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_static("/staff/static", STATIC_DIR)
