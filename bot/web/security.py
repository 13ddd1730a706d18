"""Security headers on every HTTP response: pages, APIs, static files and error pages alike;
and the request's scheme as the TLS-terminating reverse proxy saw it.

The pages load only their own scripts, styles and WebSockets, so the policy allows nothing from
elsewhere and no inline code; no page may be framed (clickjacking of the consoles). Session
cookie flags are set where cookies are issued (``bot/accounts``, ``Secure`` when
``request.secure``); behind a proxy the application itself speaks plain http, so a trusted proxy's
``X-Forwarded-Proto: https`` makes ``request.secure`` true. HSTS belongs to the proxy too
(docs/deployment.md), which knows the connection is https.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Iterable, Mapping

from aiohttp import web
from aiohttp.typedefs import Middleware

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

#: Only static assets may be cached; everything else may carry personal data.
CACHEABLE_PREFIXES = ("/static/", "/console/static/", "/editor/static/", "/staff/static/")


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` hook: add the headers unless a handler chose its own."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith(CACHEABLE_PREFIXES):
        response.headers.setdefault("Cache-Control", "no-store")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def forwarded_https_middleware(trusted_proxies: Iterable[str]) -> Middleware:
    """Treat a request as https when a trusted proxy says so in ``X-Forwarded-Proto``."""
    networks = tuple(ipaddress.ip_network(network) for network in trusted_proxies)

    def trusted(peer: str | None) -> bool:
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return False
        return any(address in network for network in networks)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        if forwarded == "https" and not request.secure and trusted(request.remote):
            request = request.clone(scheme="https")
        return await handler(request)

    return middleware


def setup_security_headers(app: web.Application) -> None:
    """Headers on every response, and https as seen by the proxies trusted in ``rate_limits``."""
    from bot.app import CONFIG  # called from create_app, when bot.app is fully imported

    app.on_response_prepare.append(add_security_headers)
    app.middlewares.append(forwarded_https_middleware(app[CONFIG].settings.rate_limits.trusted_proxies))
