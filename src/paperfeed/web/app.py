"""The app factory: ``create_app(settings)`` builds one FastAPI app over one store.

Pages (``web.pages``, ``web.accounts``, ``web.community``), the JSON API (``api``) and feeds (``feeds``)
are routers over the same store; surfaces read and write through the store, never around it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from .. import __version__
from ..errors import PaperfeedError
from ..settings import Settings, load_settings
from ..store import Store
from .auth import LoginRequired, local_path, wants_json
from .cache import CachedPagesMiddleware, PageCache
from .render import render, templates

HERE = Path(__file__).parent


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    app = FastAPI(
        title=settings.site_name,
        version=__version__,
        description="paperfeed's JSON API: Hugging Face-compatible paper endpoints plus votes, comments, "
        "collections and submissions. Authenticate API clients with `Authorization: Bearer <token>` "
        "(create tokens on your profile page).",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store or Store.open(settings.db_url)
    app.state.templates = templates
    app.state.page_cache = PageCache(ttl=settings.page_cache_seconds)
    app.add_middleware(CachedPagesMiddleware)  # added first: runs inside SessionMiddleware, which it needs
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.signing_key(),
        session_cookie="paperfeed_session",
        max_age=30 * 24 * 3600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from . import accounts, community, foryou, pages

    app.include_router(accounts.router)
    app.include_router(community.router)
    app.include_router(foryou.router)
    _include_optional(app, "paperfeed.api.routes")
    _include_optional(app, "paperfeed.feeds.routes")
    _include_optional(app, "paperfeed.email.web")
    _include_optional(app, "paperfeed.web.topics")  # keyword pages and the topic map
    _include_optional(app, "paperfeed.web.library")
    app.include_router(pages.router)  # last: its /papers/{id} catches what the others leave

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        host = request.headers.get("host")
        if wants_json(request) or request.method != "GET":
            if not wants_json(request) and request.method == "POST":
                back = request.headers.get("referer", "/")
                return RedirectResponse(f"/login?next={quote(local_path(back, host=host))}", status_code=303)
            return JSONResponse({"error": "login required"}, status_code=401)
        return RedirectResponse(f"/login?next={quote(local_path(str(request.url), host=host))}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_json(request):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render(request, "error.html", status=exc.status_code, detail=exc.detail, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        detail = f"bad {where}: {first.get('msg', 'invalid value')}"
        if wants_json(request):
            return JSONResponse({"error": detail, "detail": jsonable_encoder(exc.errors())}, status_code=422)
        return render(request, "error.html", status=422, detail=detail, status_code=422)

    @app.exception_handler(PaperfeedError)
    async def _user_error(request: Request, exc: PaperfeedError) -> Response:
        if wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=400)
        return render(request, "error.html", status=400, detail=str(exc), status_code=400)

    return app


def _include_optional(app: FastAPI, module: str) -> None:
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module and not module.startswith(str(exc.name)):
            raise
        return
    app.include_router(mod.router)


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` with several workers: settings from the environment."""
    return create_app(load_settings())
