"""How assistants reach the MCP server: stdin/stdout (``paperfeed mcp``) and streamable HTTP at ``/mcp``.

- ``run_stdio(settings, token=...)``: one session over stdin/stdout for the assistant that started the
  process, acting for the user of ``token`` if given. Log lines go to stderr; the SDK keeps anything else
  written to stdout off the wire.
- ``route(settings, store, on_write=...)``: the ``/mcp`` route ``app.create_app`` adds. It answers
  stateless streamable HTTP in JSON (no server-sent events; a GET gets 405): every POST is one JSON-RPC
  exchange, served by an SDK session manager that lives for that request only. So it needs nothing from
  the app's lifespan (uvicorn with or without one, Starlette's TestClient with or without ``with``), and
  any worker of ``paperfeed serve --workers N`` answers any request: no session state lives between
  requests. Each request's own ``Authorization: Bearer`` header says who calls. The SDK is imported, and
  the server built, on the first request, so that apps that are never asked (tests, workers) do not pay.

The SDK's DNS-rebinding protection (an allow-list of Host headers) is off: the endpoint reads no cookie,
only the bearer token a client sends itself, so a page that rebinds a name to this server gets what any
anonymous client gets, the public papers, while the allow-list would refuse every deployment's own
host name.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from starlette.routing import Route

from ..settings import Settings
from ..store import Store

PATH = "/mcp"
# the SDK logs the start and end of every request's session manager at INFO: noise, one request each
QUIET_LOGGERS = ("mcp.server.streamable_http_manager", "mcp.server.streamable_http")


def run_stdio(settings: Settings, *, token: str | None = None) -> None:
    """Serve one assistant over stdin/stdout until it closes the pipe."""
    from .. import logs
    from ..store import users as store_users
    from .server import build

    logs.configure(settings.log_level, settings.log_format)  # to stderr: stdout carries the protocol
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    store = Store.open(settings.db_url)
    try:
        if token:
            with store.transaction() as conn:  # user_for_token notes the token's use
                if store_users.user_for_token(conn, token) is None:
                    logging.getLogger(__name__).warning("the API token given is not valid: every tool will say so")
        build(settings, store, token=token).run("stdio")
    finally:
        store.close()


class HttpEndpoint:
    """The ASGI app behind ``/mcp``: a stateless, JSON-answering streamable HTTP exchange per request."""

    def __init__(self, settings: Settings, store: Store, on_write: Callable[[], None] | None = None):
        self.settings, self.store, self.on_write = settings, store, on_write
        self._server = None
        self._lock = threading.Lock()

    def server(self):
        with self._lock:
            if self._server is None:
                from .server import build

                for name in QUIET_LOGGERS:
                    logging.getLogger(name).setLevel(logging.WARNING)
                self._server = build(self.settings, self.store, on_write=self.on_write)
            return self._server

    async def __call__(self, scope, receive, send) -> None:
        from mcp.server.transport_security import TransportSecuritySettings

        app = self.server().streamable_http_app(
            streamable_http_path=PATH,
            stateless_http=True,
            json_response=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        async with app.router.lifespan_context(app):  # the session manager of this one request
            await app(dict(scope), receive, send)  # a copy: Starlette writes its own "app" into the scope


class McpRoute(Route):
    """``/mcp`` with the summary and description the routes of the API carry (``/docs``, docs/routes.md)."""

    summary = "MCP server (streamable HTTP) for AI assistants"
    description = (
        "Model Context Protocol over streamable HTTP (stateless, JSON answers): tools to search papers, read "
        "them, list a day's, week's or month's papers, trending and, with `Authorization: Bearer <token>`, "
        "for you, upvote and collections. See the README's 'MCP server'."
    )


def route(settings: Settings, store: Store, *, on_write: Callable[[], None] | None = None) -> Route:
    """The ``/mcp`` route over ``store`` (``on_write``: called after each write, e.g. to expire page caches)."""
    # POST only: a stateless server offers no event stream to GET (the spec's answer to it is 405) and no
    # session to DELETE
    return McpRoute(PATH, endpoint=HttpEndpoint(settings, store, on_write), methods=["POST"], name="mcp",
                    include_in_schema=False)  # fmt: skip
