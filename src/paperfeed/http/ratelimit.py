"""A per-client rate limit for anonymous traffic that costs work: the JSON API, the MCP server, search pages
and search feeds, topic maps of a query. Over the limit: 429 with ``Retry-After`` (as JSON ``{"error": ...}``,
as one line of text to feed readers).

A token bucket per client address: ``rate_limit_per_minute`` requests a minute on average, bursts up to
``rate_limit_burst``. Signed-in users (a session) and API clients whose bearer token authenticates (a
read of the token table) are not limited here; any other ``Authorization`` header (a bad token,
``Basic``, junk) is served anonymously, and limited so. The buckets live in
each process: with several workers or machines a client gets the limit from each (docs/operations.md).
Answers from the page cache (anonymous pages and API lists) come before this check: they cost nothing.
"""

from __future__ import annotations

import json
import math
import threading
import time
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.requests import Request

from ..store import users as store_users
from .auth import _bearer, client_addr
from .errors import is_feed, plain_error

LIMITED_PREFIXES = ("/api/", "/mcp", "/search", "/feeds/search", "/map")


class TokenBuckets:
    """``rate`` tokens a second, at most ``burst`` saved, per key; at most ``max_keys`` keys kept."""

    def __init__(self, rate: float, burst: float, max_keys: int = 100_000):
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 if ``key`` may go now (a token is spent), else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1:
                if len(self._buckets) >= self.max_keys and key not in self._buckets:
                    self._buckets.clear()  # a flood of addresses: start over rather than grow
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


def limited(path: str, query: str) -> bool:
    if path == "/map":  # a period's map is precomputed; a query's map is laid out on demand
        return any(name == "q" for name, _ in parse_qsl(query, keep_blank_values=True))  # as the route reads it
    return path.startswith(LIMITED_PREFIXES)


async def _token_authenticates(request: Request) -> bool:
    """Whether the request's bearer token is a valid API token of an account in good standing."""
    token = _bearer(request)
    if not token:
        return False
    store = request.app.state.store

    def check() -> bool:
        with store.read() as conn:
            return store_users.token_is_valid(conn, token)

    return await anyio.to_thread.run_sync(check)


class RateLimitMiddleware:
    """Pure ASGI, inside the session middleware (it reads whether the visitor is signed in)."""

    def __init__(self, app):
        self.app = app
        self.buckets: TokenBuckets | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not limited(scope["path"], scope.get("query_string", b"").decode("latin-1")):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        settings = scope["app"].state.settings
        if settings.rate_limit_per_minute == 0 or "uid" in request.session or await _token_authenticates(request):
            await self.app(scope, receive, send)
            return
        if self.buckets is None:
            per_second = settings.rate_limit_per_minute / 60
            self.buckets = TokenBuckets(per_second, max(1.0, settings.rate_limit_burst))
        wait = self.buckets.take(client_addr(request))
        if wait == 0:
            await self.app(scope, receive, send)
            return
        retry = str(max(1, math.ceil(wait)))
        why = f"too many requests: retry in {retry} s"
        if is_feed(scope["path"]):  # a feed reader shows the text (``http.errors``)
            await plain_error(429, why, {"Retry-After": retry})(scope, receive, send)
            return
        if scope["path"].startswith("/mcp"):  # what an MCP client shows is a JSON-RPC error's message
            why += ", or give the client an API token (Authorization: Bearer pf_...), which is not limited"
            answer = {"jsonrpc": "2.0", "id": None, "error": {"code": -32000, "message": why}}
        else:
            answer = {"error": why}
        body = json.dumps(answer).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/json"), (b"retry-after", retry.encode()),
            (b"content-length", str(len(body)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})
