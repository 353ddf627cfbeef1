"""A polite HTTP client for the network sources.

arXiv asks for 3 seconds between calls; every source goes through ``PoliteClient`` so the delay, retries
with exponential backoff (5xx, 429, timeouts, dropped connections, honouring Retry-After) and the error
message on giving up are the same everywhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from .. import __version__
from ..errors import SourceError

if TYPE_CHECKING:
    from ..settings import Settings

USER_AGENT = f"paperfeed/{__version__} (+self-hosted research-paper front page)"
RETRY_STATUS = {429, 500, 502, 503, 504}


class PoliteClient:
    def __init__(
        self,
        source: str,
        *,
        delay: float = 3.0,
        retries: int = 4,
        backoff: float = 2.0,
        timeout: float = 30.0,
        max_bytes: int = 200 * 1024 * 1024,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.source = source
        self.delay, self.retries, self.backoff, self.max_bytes = delay, retries, backoff, max_bytes
        self._sleep = sleep
        self._last = 0.0
        self._http = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=True)

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _wait_turn(self) -> None:
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            self._sleep(wait)
        self._last = time.monotonic()

    def get(self, url: str, params: dict | None = None, *, ok: frozenset[int] = frozenset({200})) -> httpx.Response:
        """GET with the polite delay; retry transient failures, then raise ``SourceError``.

        ``ok`` lists statuses the caller handles itself (e.g. arXiv's 400 error feed).
        """
        location = str(httpx.URL(url, params=params)) if params else url
        problem = ""
        retry_after: float | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(max(self.backoff * 2 ** (attempt - 1), retry_after or 0.0))
            self._wait_turn()
            try:
                resp = self._http.get(url, params=params)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                retry_after = None
                continue
            if resp.status_code in ok:
                if len(resp.content) > self.max_bytes:
                    raise SourceError(self.source, location, f"response larger than {self.max_bytes:,} bytes")
                return resp
            problem = f"HTTP {resp.status_code}"
            if resp.status_code not in RETRY_STATUS:
                raise SourceError(self.source, location, problem)
            retry_after = _retry_after(resp)
        raise SourceError(self.source, location, f"{problem} after {self.retries + 1} attempts")


def client_for(settings: Settings, source: str, **overrides) -> PoliteClient:
    """The client of ``source`` with the delay, retries, backoff and timeout of ``settings`` (``overrides``
    replace any of them)."""
    options = {
        "delay": settings.http_delay,
        "retries": settings.http_retries,
        "backoff": settings.http_backoff,
        "timeout": settings.http_timeout,
    }
    return PoliteClient(source, **(options | overrides))


def _retry_after(resp: httpx.Response) -> float | None:
    value = resp.headers.get("Retry-After", "")
    try:
        return min(float(value), 300.0)
    except ValueError:
        return None
