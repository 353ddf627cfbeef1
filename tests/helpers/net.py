"""Shared helpers for the network-source tests: recorded bodies and a fast, polite-but-quick client.

Imported as ``tests.helpers.net`` (pytest puts the repository root on ``sys.path``: pyproject's ``pythonpath``).
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from werkzeug import Request, Response

from paperfeed.sources.http import PoliteClient

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "fixtures"
ATOM = "application/atom+xml; charset=utf-8"
XML = "text/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def client(source: str = "arxiv-api", **overrides) -> PoliteClient:
    options = {"delay": 0, "backoff": 0.01, "retries": 2, "timeout": 5.0} | overrides
    return PoliteClient(source, **options)


def query_args(httpserver) -> list[dict[str, str]]:
    """The query parameters of every request the server saw, in order."""
    return [dict(request.args) for request, _ in httpserver.log]


class Sequence:
    """A handler answering each request with the next response of a list (the last one repeats)."""

    def __init__(self, *responses: tuple[int, bytes] | float):
        self.responses = list(responses)
        self.calls = 0

    def __call__(self, request: Request) -> Response:
        spec = self.responses[min(self.calls, len(self.responses) - 1)]
        self.calls += 1
        if isinstance(spec, float):  # a pause longer than the client's timeout
            time.sleep(spec)
            return Response(b"too late", status=200)
        status, body = spec
        return Response(body, status=status, content_type=XML)


def drain(httpserver) -> None:
    """Wait until the (single-threaded) server has finished every request a timed-out client left it.

    Without this a slow handler still running would log its request into the next test.
    """
    httpserver.expect_request("/__drain__").respond_with_data(b"")
    httpx.get(httpserver.url_for("/__drain__"), timeout=10)
