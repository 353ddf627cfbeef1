"""``HEAD`` for every ``GET`` route: link checkers, feed readers and monitors ask with ``HEAD`` first.

FastAPI routes answer the methods they declare, so a ``HEAD`` got 405 everywhere. ``HeadAsGet`` runs a
``HEAD`` request as the ``GET`` it stands for and sends the answer's status and headers (its length,
type, ``ETag``...) without the body.
"""

from __future__ import annotations


class HeadAsGet:
    """Pure ASGI: a ``HEAD`` request is served as ``GET``; the response body is dropped."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_head(message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the rest of a streamed body: nothing of it goes out
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_head)
