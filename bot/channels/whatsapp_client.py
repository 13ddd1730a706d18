"""A small typed client for sending WhatsApp Cloud API messages over aiohttp.

Why not pywa: pywa brings its own update-dispatch model (handlers registered on the client,
webhook routes for Flask/FastAPI) and its own HTTP stack (httpx); we need four message shapes,
our own webhook on the aiohttp app, and an exact mapping of Graph API failures onto the
outbox's retry rules — a few dozen lines here (see docs/channels.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp

from bot.channels.base import PermanentDeliveryError, TransientDeliveryError

#: Graph API error codes that mean "too many requests", even when the HTTP status is 400:
#: 4 (application), 80007 (account), 130429 (throughput), 131048 (spam rate), 131056 (pair rate).
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131048, 131056})


class GraphApiClient:
    """Sends messages from one business phone number: ``POST {base}/{version}/{phone id}/messages``."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        base_url: str,
        api_version: str,
        phone_number_id: str,
        token: str,
        timeout_seconds: float,
    ) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/{api_version}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def send(self, to: str, message: Mapping[str, Any]) -> str:
        """Send one message (``{"type": "text", "text": {...}}`` etc.); return its ``wamid``.

        Raises :class:`TransientDeliveryError` (429, 5xx, rate-limit codes, network errors,
        an expired token) or :class:`PermanentDeliveryError` (any other rejection).
        """
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        try:
            async with self._http.post(self._url, json=body, headers=self._headers, timeout=self._timeout) as response:
                data = await _json(response)
                if response.status == 200:
                    return str(data["messages"][0]["id"])
                raise _failure(response.status, response.headers.get("Retry-After"), data)
        except (TimeoutError, aiohttp.ClientError) as error:
            raise TransientDeliveryError(f"whatsapp: network error: {type(error).__name__}") from error
        except (KeyError, IndexError, TypeError) as error:
            raise TransientDeliveryError("whatsapp: malformed response from the Graph API") from error


async def _json(response: aiohttp.ClientResponse) -> Any:
    try:
        return await response.json(content_type=None)
    except ValueError:
        return {}


def _failure(status: int, retry_after: str | None, data: Any) -> Exception:
    error = data.get("error", {}) if isinstance(data, dict) else {}
    code = error.get("code")
    reason = f"whatsapp: HTTP {status}, error {code}: {error.get('message', 'no details')}"
    if status == 429 or status >= 500 or code in RATE_LIMIT_CODES:
        return TransientDeliveryError(reason, retry_after=_seconds(retry_after))
    if status == 401:
        # An expired or revoked access token is our configuration: keep the reply for a retry.
        return TransientDeliveryError(reason)
    return PermanentDeliveryError(reason)


def _seconds(header: str | None) -> float | None:
    try:
        return float(header) if header is not None else None
    except ValueError:
        return None
