"""The app factory: ``create_app(settings)`` builds one FastAPI app over one store."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..settings import Settings, load_settings
from ..store import Store

HERE = Path(__file__).parent


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    app = FastAPI(title="paperfeed", version=__version__, docs_url="/docs", redoc_url=None)
    app.state.settings = settings
    app.state.store = store or Store.open(settings.db_url)
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from . import pages

    app.include_router(pages.router)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        return app.state.templates.TemplateResponse(
            request, "error.html", {"status": exc.status_code, "detail": exc.detail}, status_code=exc.status_code
        )

    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` with several workers: settings from the environment."""
    return create_app(load_settings())
