"""Rate limits per user and per client IP, answered politely rather than dropped.

* **Per user** (every channel): :class:`RateLimiter` is consulted by the core
  (:meth:`bot.core.assistant.Assistant.receive`) for each new message. A user over the limit is
  not run through the dialogue; the message is still stored, and the first refusal in a burst is
  answered with :func:`slow_down_reply` in the user's language through the normal outbox (later
  refusals in the same burst are stored silently so a flood does not trigger a reply flood).
* **Per IP** (HTTP endpoints that clients call directly: REST, the web chat socket and pages):
  :func:`ip_limit_middleware` answers HTTP 429 with ``Retry-After`` and a short trilingual
  explanation. Messaging-platform webhooks are exempt: every Telegram/WhatsApp user arrives from
  the platform's few addresses, so only the per-user limit applies to them.

Buckets live in process memory: with ``N`` worker processes a client can reach ``N`` times the
limit in the worst case (documented in docs/deployment.md).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiohttp import web

from bot.config import RateLimitSettings
from flows.i18n import N_, Catalogs
from flows.messages import LANGUAGES, ConversationKey, Reply

#: Paths never limited per IP: probes, metrics, static files and platform webhooks.
IP_EXEMPT_PREFIXES = ("/healthz", "/readyz", "/metrics", "/static/", "/webhooks/telegram", "/webhooks/whatsapp")

SLOW_DOWN = N_("You are sending messages very quickly. Please wait a minute, then write again — I will answer.")


@dataclass(frozen=True, slots=True)
class Decision:
    """``allowed`` or not; ``retry_after`` seconds until one more is allowed; ``first_refusal`` is
    true for the first refusal since the key was last allowed (answer that one only)."""

    allowed: bool
    retry_after: float = 0.0
    first_refusal: bool = False


@dataclass
class _Bucket:
    tokens: float
    updated: float
    refused: bool = False


class TokenBuckets:
    """Token buckets keyed by string: ``capacity`` events at once, refilled at
    ``capacity / period`` per second. Holds at most ``max_keys`` keys (least recently used go
    first — a forgotten key starts with a full bucket, which errs on the side of the user)."""

    def __init__(
        self, capacity: int, period_seconds: float, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._capacity = float(capacity)
        self._rate = capacity / period_seconds
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> Decision:
        """Spend one token for ``key`` if there is one."""
        now = self._clock()
        bucket = self._buckets.pop(key, None) or _Bucket(self._capacity, now)
        bucket.tokens = min(self._capacity, bucket.tokens + (now - bucket.updated) * self._rate)
        bucket.updated = now
        self._buckets[key] = bucket
        if len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.refused = False
            return Decision(True)
        first = not bucket.refused
        bucket.refused = True
        return Decision(False, retry_after=(1.0 - bucket.tokens) / self._rate, first_refusal=first)

    def __len__(self) -> int:
        return len(self._buckets)


class RateLimiter:
    """The configured per-user and per-IP limits of one process."""

    def __init__(self, settings: RateLimitSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._users = TokenBuckets(settings.user_messages, settings.user_period_seconds, clock=clock)
        self._ips = TokenBuckets(settings.ip_requests, settings.ip_period_seconds, clock=clock)
        self._trusted = tuple(ipaddress.ip_network(net) for net in settings.trusted_proxies)

    def check_user(self, key: ConversationKey) -> Decision:
        if not self.settings.enabled:
            return Decision(True)
        return self._users.take(f"{key.channel}\x00{key.user_id}")

    def check_ip(self, address: str) -> Decision:
        if not self.settings.enabled:
            return Decision(True)
        return self._ips.take(address)

    def client_address(self, peer: str | None, forwarded_for: str | None) -> str:
        """The client's IP: the peer, or — when the peer is a trusted reverse proxy — the last
        address in ``X-Forwarded-For`` that is not itself a trusted proxy."""
        address = peer or "unknown"
        if not forwarded_for or not self._is_trusted(address):
            return address
        for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
            if not self._is_trusted(hop):
                return hop
        return address

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)


def slow_down_reply(catalogs: Catalogs, language: str | None) -> Reply:
    """The polite "please slow down" reply in the user's language (default: the catalogs')."""
    return Reply(catalogs.translator(language).gettext(SLOW_DOWN))


class UserThrottle:
    """What the core asks before a new message goes to the dialogue (see ``Assistant.receive``)."""

    def __init__(self, limiter: RateLimiter, catalogs: Catalogs, on_refusal: Callable[[], None]) -> None:
        self._limiter = limiter
        self._catalogs = catalogs
        self._on_refusal = on_refusal

    def check(self, key: ConversationKey) -> Decision:
        decision = self._limiter.check_user(key)
        if not decision.allowed:
            self._on_refusal()
        return decision

    def reply(self, language: str | None) -> Reply:
        return slow_down_reply(self._catalogs, language)


def slow_down_text_all_languages(catalogs: Catalogs) -> str:
    """The same request in every language, for HTTP answers where the language is unknown."""
    return " / ".join(catalogs.translator(language).gettext(SLOW_DOWN) for language in LANGUAGES)


def _exempt(path: str, prefixes: Iterable[str] = IP_EXEMPT_PREFIXES) -> bool:
    return any(path == p or path.startswith(p) for p in prefixes)


def ip_limit_middleware(
    limiter: RateLimiter, explanation: Callable[[], str], on_refusal: Callable[[], None]
) -> Callable[..., Awaitable[web.StreamResponse]]:
    """aiohttp middleware enforcing the per-IP limit with a polite HTTP 429 whose text is
    ``explanation()`` (read lazily: the catalogs are loaded at start-up)."""

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if _exempt(request.path):
            return await handler(request)
        address = limiter.client_address(request.remote, request.headers.get("X-Forwarded-For"))
        decision = limiter.check_ip(address)
        if decision.allowed:
            return await handler(request)
        on_refusal()
        headers = {"Retry-After": str(max(1, math.ceil(decision.retry_after)))}
        if request.path == "/webhooks/rest/webhook":
            # The REST channel's own format, so Rasa-style clients show the explanation.
            body = [{"recipient_id": None, "text": explanation()}]
            return web.json_response(body, status=429, headers=headers)
        return web.Response(text=explanation(), status=429, headers=headers)

    return middleware


RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)


def setup_rate_limits(app: web.Application, settings: RateLimitSettings) -> None:
    """Create the process's limiter and enforce the per-IP limit on direct HTTP endpoints."""
    limiter = RateLimiter(settings)
    app[RATE_LIMITER] = limiter
    app.middlewares.append(ip_limit_middleware(limiter, lambda: _explanation(app), lambda: _count(app, "ip")))


def user_throttle(app: web.Application) -> UserThrottle:
    """The per-user check handed to the core's ``Assistant`` (after the catalogs are loaded)."""
    from bot.app import CATALOGS

    return UserThrottle(app[RATE_LIMITER], app[CATALOGS], lambda: _count(app, "user"))


def _explanation(app: web.Application) -> str:
    from bot.app import CATALOGS

    return slow_down_text_all_languages(app[CATALOGS])


def _count(app: web.Application, scope: str) -> None:
    from bot.observability import METRICS

    if METRICS in app:
        app[METRICS].rate_limited.labels(scope).inc()
