"""Security headers on every HTTP response: pages, APIs, static files and error pages alike.

The pages load only their own scripts, styles and WebSockets, so the policy allows nothing from
elsewhere and no inline code; no page may be framed (clickjacking of the consoles). Session
cookie flags are set where cookies are issued (``bot/accounts``). HSTS belongs to the TLS
terminator (the reverse proxy, see docs/deployment.md), which knows the connection is https.
"""

from __future__ import annotations

from typing import Mapping

from aiohttp import web

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
CACHEABLE_PREFIXES = ("/static/", "/console/static/")


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` hook: add the headers unless a handler chose its own."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith(CACHEABLE_PREFIXES):
        response.headers.setdefault("Cache-Control", "no-store")


def setup_security_headers(app: web.Application) -> None:
    app.on_response_prepare.append(add_security_headers)
