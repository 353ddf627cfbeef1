"""A small page cache for anonymous visitors: list pages are read far more often than written.

A rendered page is reused for ``ttl`` seconds for visitors who are not signed in, keyed by the full URL;
any write through this process (a vote, a comment, a submission) clears it. Signed-in users always get a
fresh page (their own votes are marked on it). Other workers see a write within ``ttl`` seconds.
"""

from __future__ import annotations

import functools
import threading
import time

from fastapi import Request
from fastapi.responses import HTMLResponse, Response


class PageCache:
    def __init__(self, ttl: float = 10.0, max_entries: int = 2_000):
        self.ttl, self.max_entries = ttl, max_entries
        self._lock = threading.Lock()
        self._pages: dict[str, tuple[float, bytes]] = {}

    def get(self, key: str) -> bytes | None:
        hit = self._pages.get(key)
        return hit[1] if hit and hit[0] > time.monotonic() else None

    def put(self, key: str, body: bytes) -> None:
        with self._lock:
            if len(self._pages) >= self.max_entries:
                self._pages.clear()
            self._pages[key] = (time.monotonic() + self.ttl, body)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def clear(request: Request) -> None:
    """Forget cached pages after a write."""
    request.app.state.page_cache.clear()


def cached_page(view):
    """Serve anonymous GETs of ``view`` from the app's page cache."""

    @functools.wraps(view)
    def wrapper(request: Request, *args, **kwargs) -> Response:
        cache: PageCache = request.app.state.page_cache
        anonymous = "uid" not in request.session and "authorization" not in request.headers
        key = str(request.url)
        if anonymous and (body := cache.get(key)) is not None:
            return HTMLResponse(body, headers={"X-Cache": "hit"})
        response = view(request, *args, **kwargs)
        if anonymous and response.status_code == 200 and cache.ttl > 0:
            cache.put(key, response.body)
        return response

    return wrapper
