"""An error in the form its client reads: JSON ``{"error": ...}`` to the API and to clients that accept
JSON, one line of plain text to feed readers (``/feeds/...``: an HTML page there reads as "not a feed"),
and, for everything else, the HTML error page that the composition root (app.py) renders; nothing here
renders a page.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from .auth import wants_json

FEEDS = "/feeds/"


def is_feed(path: str) -> bool:
    return path.startswith(FEEDS)


def plain_error(status: int, detail: object, headers: dict | None = None) -> Response:
    """The error as one line of text: what a feed reader shows its user."""
    return PlainTextResponse(f"{' '.join(str(detail).split())}\n", status_code=status, headers=headers)


def error_answer(
    request: Request, status: int, detail: object, *, headers: dict | None = None, extra: dict | None = None
) -> Response | None:
    """The error as text under /feeds/, as JSON (with ``extra`` fields) to JSON clients; None where the
    client gets the HTML error page."""
    if is_feed(request.url.path):
        return plain_error(status, detail, headers)
    if wants_json(request):
        return JSONResponse({"error": detail, **(extra or {})}, status_code=status, headers=headers)
    return None
