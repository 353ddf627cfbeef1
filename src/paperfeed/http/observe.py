"""Every HTTP request gets an id, a log line and its place in the metrics (outermost middleware).

- The id is the client's ``X-Request-ID`` when it is a sane token (a proxy's), else a new one; it is
  answered in ``X-Request-ID`` and carried by every log line of the request (``logs.request_id``).
- One access line per request on the ``paperfeed.access`` logger: method, path, status, milliseconds.
  The path is written as it can be read back: control characters percent-encoded (a ``%0d%0a`` in a URL
  cannot start a forged line), and the token of a signed link (``/unsubscribe/{token}``...: a key to a
  subscription or an account's address) replaced by ``[token]``, so that logs hand out no keys.
- ``metrics.REQUESTS`` / ``REQUEST_SECONDS`` by route template (``/papers/{paper_id:path}``, never the
  raw path, so a crawler cannot blow up the number of series); page-cache hits, answered before
  routing, count as "(page cache)".
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from .. import metrics
from ..logs import request_id

log = logging.getLogger("paperfeed.access")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# the routes whose path carries a signed link's token (docs/routes.md)
_TOKEN_IN_PATH = re.compile(r"^(/(?:subscribe/confirm|subscription|unsubscribe|account/email/confirm)/)[^/]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def loggable_path(path: str) -> str:
    """``path`` as the access log writes it: signed links' tokens redacted, control characters escaped."""
    path = _TOKEN_IN_PATH.sub(r"\1[token]", path)
    return _CONTROL.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), path)


def _route(scope, cache_hit: bool) -> str:
    if cache_hit:
        return "(page cache)"
    route = scope.get("route")
    if route is not None and getattr(route, "path", None):
        return route.path
    if scope.get("path", "").startswith("/static/"):
        return "/static"
    return "(unmatched)"


class ObserveMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = sent if _SANE_ID.match(sent) else uuid.uuid4().hex
        token = request_id.set(rid)
        start = time.perf_counter()
        status, cache_hit = 500, False

        async def send_with_id(message) -> None:
            nonlocal status, cache_hit
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                cache_hit = (b"x-cache", b"hit") in headers
                message = {**message, "headers": [*headers, (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - start
            route, method = _route(scope, cache_hit), scope["method"]
            metrics.REQUESTS.labels(method, route, str(status)).inc()
            metrics.REQUEST_SECONDS.labels(method, route).observe(seconds)
            path = loggable_path(scope.get("path", ""))
            log.info(
                "%s %s %s %.1f ms", method, path, status, seconds * 1000,
                extra={"method": method, "path": path, "status": status, "route": route,
                       "ms": round(seconds * 1000, 1)},
            )  # fmt: skip
            request_id.reset(token)
