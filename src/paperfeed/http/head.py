"""``HEAD`` for every ``GET`` route, and 405 for a ``GET`` or ``HEAD`` of what only other methods route.

FastAPI routes answer the methods they declare, so a ``HEAD`` got 405 everywhere. ``HeadAsGet`` runs a
``HEAD`` request as the ``GET`` it stands for and sends the answer's status and headers (its length,
type, ``ETag``...) without the body.

A page route that takes a path (``/papers/{id:path}``) or a name (``/collections/{id}``) also matches
``/papers/X/vote`` or ``/collections/add``, so a ``GET`` of a form's target got that page's 404 where an
``OPTIONS`` got 405. ``NotAllowed`` asks the router again for a ``GET`` answered 404: where routes of other
methods hold the path and none of ``GET``, the answer is their 405 with ``Allow``, as any other method
gets; a path no route holds stays 404.
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

        as_get = {**scope, "method": "GET"}
        try:
            await self.app(as_get, receive, send_head)
        finally:  # the route the GET matched, for the access log and the metrics (http.observe)
            if "route" in as_get:
                scope["route"] = as_get["route"]


class NotAllowed:
    """Pure ASGI, the innermost (the router's second answer passes no session, rate limit or cache): a ``GET``
    answered 404 on a path that only other methods route gets the router's 405 for them (asked as
    ``OPTIONS``, which no route declares), with its ``Allow``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        probe = {**scope, "method": "OPTIONS"}  # before routing writes its match into the scope
        missing: list[dict] = []  # a 404's messages, held until the router is asked again

        async def hold_404(message) -> None:
            if missing or (message["type"] == "http.response.start" and message["status"] == 404):
                missing.append(message)
            else:
                await send(message)

        await self.app(scope, receive, hold_404)
        if not missing:
            return
        answer: list[dict] = []

        async def no_body() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def keep(message) -> None:
            answer.append(message)

        await self.app(probe, no_body, keep)
        for message in answer if _allows_other_methods_only(answer) else missing:
            await send(message)


def _allows_other_methods_only(answer: list[dict]) -> bool:
    start = next((m for m in answer if m["type"] == "http.response.start"), {})
    if start.get("status") != 405:
        return False
    allow = b",".join(v for k, v in start.get("headers", []) if k.lower() == b"allow").decode("latin-1")
    methods = {m.strip().upper() for m in allow.split(",") if m.strip()}
    return bool(methods) and "GET" not in methods
