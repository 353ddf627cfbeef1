"""The composition root: ``create_app(settings)`` builds one FastAPI app over one store.

It is the one place that knows every HTTP surface: the pages (``web``), the JSON API (``api``), the
feeds (``feeds``) and the MCP server at ``/mcp`` (``mcp``; ``run_mcp_stdio`` serves it over stdio for
``paperfeed mcp``) are routes over the same store, behind the shared plumbing of ``http`` (sessions,
the anonymous page cache, security headers). The surfaces never import each other; this module imports
them all (docs/architecture.md).
"""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from . import __version__, logs
from .actions.community import ArxivUnavailable, NotFound, NotYours, SlowDown
from .api import routes as api_routes
from .errors import PaperfeedError
from .feeds import routes as feed_routes
from .http.auth import SESSION_COOKIE, LoginRequired, local_path, wants_json
from .http.bodylimit import BodyLimit
from .http.cache import CachedPagesMiddleware, PageCache, TaggedAnswers
from .http.csrf import CsrfCookie
from .http.errors import error_answer
from .http.head import HeadAsGet, NotAllowed
from .http.headers import PublicReadCORS, SecurityHeadersMiddleware
from .http.observe import ObserveMiddleware
from .http.openapi import declare_api
from .http.params import no_nul
from .http.ratelimit import RateLimitMiddleware
from .http.slashes import SlashRedirect
from .http.static import StaticAssets
from .http.uploads import upload_cap
from .mcp import transport as mcp_transport
from .ops import routes as ops_routes
from .settings import Settings, load_settings
from .store import Store
from .store.events import Listener
from .web import (
    account_email,
    accounts,
    community,
    crawlers,
    foryou,
    library,
    moderation,
    pages,
    password_reset,
    subscriptions,
    topics,
)
from .web.render import render, templates

STATIC = Path(pages.__file__).parent / "static"
# in this order: pages' /papers/{id} comes last and catches what the others leave; the API's own routes
# come before its /papers/{id} (api.routes does that inside)
ROUTERS = [
    ops_routes.router, accounts.router, password_reset.router, community.router, moderation.router, foryou.router,
    api_routes.router, feed_routes.router, subscriptions.router, account_email.router, topics.router, library.router,
    crawlers.router, pages.router,
]  # fmt: skip


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """While serving: hear the other processes' writes (PostgreSQL) and expire this one's page cache; run
    handlers on ``serve_threads`` threads; keep the collector off what start-up built."""
    store: Store = app.state.store
    listener = Listener(store, app.state.page_cache.clear).start() if store.dialect == "postgresql" else None
    app.state.listener = listener
    # Starlette runs each sync handler on anyio's default thread pool (40 threads). With many at once they
    # take turns on the GIL in no order and the slowest answers of a crawl wait 2-3x the average; with few,
    # the requests wait in line in order (docs/benchmarks.md, crawl run 6).
    anyio.to_thread.current_default_thread_limiter().total_tokens = app.state.settings.serve_threads
    # The ~180,000 objects of the imported modules and the app would otherwise be traversed by every full
    # collection (65 ms, during which no request moves); frozen, they are left out until the app stops.
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if listener is not None:
            listener.stop()


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    app = FastAPIOffline(  # a FastAPI app whose /docs loads Swagger UI from /static-offline-docs, not a CDN
        title=settings.site_name,
        version=__version__,
        description="paperfeed's JSON API: Hugging Face-compatible paper endpoints plus votes, comments, "
        "collections and submissions. Authenticate API clients with `Authorization: Bearer <token>` "
        "(create tokens on your profile page).",
        docs_url="/docs",
        redoc_url=None,
        lifespan=_lifespan,
        dependencies=[Depends(no_nul)],  # a NUL in a path, query or form value: 422, not a database error
    )
    app.state.settings = settings
    app.router.redirect_slashes = False  # SlashRedirect: one rule, a 301 to the path without it
    # a database connection kept for each handler thread (SQLAlchemy's default, 5 kept and 10 more when
    # busy, would make a larger serve_threads wait for one)
    app.state.store = store or Store.open(settings.db_url, pool_size=max(5, settings.serve_threads))
    app.state.templates = templates
    app.state.page_cache = PageCache(ttl=settings.page_cache_seconds)
    app.add_middleware(NotAllowed)  # innermost: GET of a form's target (/papers/X/vote) is 405, not a 404
    app.add_middleware(TaggedAnswers)  # ETags on the API's answers the cache did not tag (inside the session)
    app.add_middleware(RateLimitMiddleware)  # inside the session (it spares signed-in visitors)
    app.add_middleware(CachedPagesMiddleware)  # runs inside SessionMiddleware, which it needs
    app.add_middleware(CsrfCookie)  # a signed-out visitor's CSRF cookie (http/csrf.py), just inside the session
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.signing_key(),
        session_cookie=SESSION_COOKIE,
        max_age=30 * 24 * 3600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(SlashRedirect)  # /trending/ -> 301 /trending (http/slashes.py)
    app.add_middleware(SecurityHeadersMiddleware)  # outside the cache (hits get them) and the session (cookies)
    app.add_middleware(PublicReadCORS)  # other sites may read the API and feeds (docs/routes.md)
    app.add_middleware(HeadAsGet)  # HEAD of any GET route: headers only
    uploads = {path: upload_cap(settings.library_max_bytes) for path in ("/library/import", "/api/library/import")}
    app.add_middleware(BodyLimit, max_bytes=settings.request_max_bytes, larger=uploads)  # 413 for a large body
    app.add_middleware(ObserveMiddleware)  # added last: outermost, it times and logs every answer
    app.mount("/static", StaticAssets(directory=STATIC), name="static")  # with Cache-Control (http/static.py)
    # the MCP server for AI assistants (streamable HTTP); a write through it expires the page cache too
    app.router.routes.append(mcp_transport.route(settings, app.state.store, on_write=app.state.page_cache.clear))
    for router in ROUTERS:
        app.include_router(router)
    declare_api(app)  # the API token as /openapi.json's security scheme; each GET's 304

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        host = request.headers.get("host")
        if wants_json(request) or request.method != "GET":
            if not wants_json(request) and request.method == "POST":
                back = request.headers.get("referer", "/")
                return RedirectResponse(f"/login?next={quote(local_path(back, host=host))}", status_code=303)
            return JSONResponse(
                {"error": "login required: sign in, or send an API token (Authorization: Bearer <token>)"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return RedirectResponse(f"/login?next={quote(local_path(str(request.url), host=host))}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, exc.detail, exc.headers)  # e.g. Retry-After of a 429

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        detail = f"bad {where}: {first.get('msg', 'invalid value')}"
        return _error(request, 422, detail, extra={"detail": jsonable_encoder(exc.errors())})

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(NotYours)
    async def _not_yours(request: Request, exc: NotYours) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(SlowDown)
    async def _slow_down(request: Request, exc: SlowDown) -> Response:
        return _error(request, 429, str(exc), {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(ArxivUnavailable)
    async def _upstream_down(request: Request, exc: ArxivUnavailable) -> Response:
        return _error(request, 503, str(exc), {"Retry-After": "120"})

    @app.exception_handler(PaperfeedError)
    async def _user_error(request: Request, exc: PaperfeedError) -> Response:
        return _error(request, 400, str(exc))

    return app


def _error(
    request: Request, status: int, detail, headers: dict | None = None, *, extra: dict | None = None
) -> Response:
    """The error as its client reads it (``http.errors``: JSON, or plain text for feeds), else the HTML page."""
    answer = error_answer(request, status, detail, headers=headers, extra=extra)
    if answer is None:
        answer = render(request, "error.html", status=status, detail=detail, status_code=status)
        answer.headers.update(headers or {})
    return answer


def run_mcp_stdio(settings: Settings, *, token: str | None = None) -> None:
    """``paperfeed mcp``: the MCP server (``mcp``) over stdin/stdout, acting for ``token``'s user if given.
    The command line reaches the ``mcp`` surface through this root, as ``serve`` reaches the app."""
    mcp_transport.run_stdio(settings, token=token)


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` with several workers: settings from the environment."""
    settings = load_settings()
    logs.configure(settings.log_level, settings.log_format)
    return create_app(settings)
