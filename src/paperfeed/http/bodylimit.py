"""A cap on request bodies: a client cannot make a worker read (and hold) hundreds of megabytes.

Every route reads its body before it checks who is asking, so without a cap anyone could send a 200 MB
"comment" and keep a worker busy reading and parsing it. ``BodyLimit`` answers 413 at once when the
declared ``Content-Length`` is over the cap (none of the body is read), and stops a body sent without one
(chunked) as soon as it passes the cap: the route reading it gets the 413 as an error of its own, in its
own form (JSON, an error page), and the connection closes rather than take the rest. A few paths (library
imports, whose files ``library_max_bytes`` caps) have a larger cap of their own.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..errors import size_text
from .errors import error_answer, plain_error

CLOSE = {"Connection": "close"}  # the rest of the body is not read: the connection cannot carry another request


def limit(n: int, setting: str) -> str:
    """A limit as the 413 names it: ``'the limit of 1.0 MB (setting request_max_bytes)'``."""
    return f"the limit of {size_text(n)} (setting {setting})"


class BodyTooLarge(HTTPException):
    """A request body over the cap (an ``HTTPException``: the routes' error handling answers it)."""

    def __init__(self, over: str, declared: int | None = None):
        said = f"the request body ({size_text(declared)})" if declared else "the request body"
        super().__init__(413, f"{said} is over {over}", headers=CLOSE)


class BodyLimit:
    """Pure ASGI: request bodies of at most ``max_bytes`` bytes; ``larger`` maps a path to its own cap and
    the limit a 413 there names (``limit``)."""

    def __init__(self, app, *, max_bytes: int, larger: dict[str, tuple[int, str]] | None = None):
        self.app, self.larger = app, larger or {}
        self.default = (max_bytes, limit(max_bytes, "request_max_bytes"))

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap, over = self.larger.get(scope["path"], self.default)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > cap:  # refused before any of it is read
            await self._refuse(scope, receive, send, BodyTooLarge(over, int(declared)))
            return
        seen, started = 0, False

        async def capped():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise BodyTooLarge(over)
            return message

        async def watched(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped, watched)
        except BodyTooLarge as exc:  # read where no route's error handling was around (a middleware)
            if started:
                raise
            await self._refuse(scope, receive, send, exc)

    async def _refuse(self, scope, receive, send, exc: BodyTooLarge) -> None:
        request = Request(scope)
        answer = error_answer(request, 413, exc.detail, headers=CLOSE) or plain_error(413, exc.detail, CLOSE)
        await answer(scope, receive, send)
