"""What crawlers read first: ``/robots.txt``, ``/favicon.ico`` and the sitemaps (``/sitemap.xml``, an index of
``/sitemaps/papers-N.xml`` pages of ``SITEMAP_SIZE`` paper pages each, and ``/sitemaps/days.xml``, the
daily lists). They reach every visible paper; search, topic maps of queries, accounts and the API stay
out of robots' way (they are rate-limited for anonymous clients anyway: docs/operations.md).

Every URL and every sitemap in the index has a ``lastmod``, so a crawler re-reads only what changed: a
paper's is its last change; a day's the newest of its papers' (being put on the list changes a paper);
a sitemap's the newest of its URLs'.

All are the same for every client: shared caches may keep the sitemaps ``feed_cache_seconds`` (they change
when papers arrive; from the page cache, with ``ETag``/``Last-Modified``) and ``robots.txt`` a day (it
changes with a release or ``base_url``; crawlers keep it about as long).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response

from ..http import openapi
from ..http.cache import cached_body
from ..http.headers import shared_page_headers
from ..store import days as store_days
from ..store import papers as store_papers

router = APIRouter(tags=["crawlers"])
STATIC = Path(__file__).parent / "static"
SITEMAP_SIZE = 10_000  # URLs per sitemap page (the protocol allows 50,000)
ROBOTS_SECONDS = 86_400  # how long caches may keep robots.txt
XML = "application/xml"
DISALLOW = ["/search", "/map", "/api/", "/feeds/search", "/login", "/signup", "/account/", "/submit",
            "/subscribe", "/subscription/", "/unsubscribe/", "/for-you", "/library/", "/users/"]  # fmt: skip


def _base(request: Request) -> str:
    return request.app.state.settings.base_url.rstrip("/")


@router.get("/robots.txt", response_class=PlainTextResponse, summary="Rules for crawlers, and where the sitemap is")
def robots(request: Request) -> Response:
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in DISALLOW), "", f"Sitemap: {_base(request)}/sitemap.xml"]
    return PlainTextResponse("\n".join(lines) + "\n", headers=shared_page_headers(ROBOTS_SECONDS))


@router.get("/favicon.ico", include_in_schema=False, summary="The site's icon")
def favicon() -> Response:
    """The site's icon where browsers and feed readers look for it without reading a page's ``<link>``."""
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


def _lastmod(when) -> str:
    return f"<lastmod>{when.isoformat(timespec='seconds')}</lastmod>" if when else ""


def _urlset(entries) -> bytes:
    urls = "".join(f"<url><loc>{escape(loc)}</loc>{_lastmod(when)}</url>\n" for loc, when in entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    ).encode()


@router.get(
    "/sitemap.xml",
    response_class=Response,
    responses=openapi.content(XML),
    summary="The sitemap index: every page of paper pages, and the daily lists",
)
@cached_body(XML)
def sitemap_index(request: Request) -> bytes:
    with request.app.state.store.read() as conn:
        days = store_days.featured_days_modified(conn)
        pages = store_papers.visible_pages_modified(conn, SITEMAP_SIZE)
    base = _base(request)
    maps = [(f"{base}/sitemaps/days.xml", max((m for _, m in days), default=None))]
    maps += [(f"{base}/sitemaps/papers-{n}.xml", when) for n, when in enumerate(pages, start=1)]
    items = "".join(f"<sitemap><loc>{escape(m)}</loc>{_lastmod(when)}</sitemap>\n" for m, when in maps)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{items}</sitemapindex>\n'
    ).encode()


@router.get(
    "/sitemaps/days.xml", response_class=Response, responses=openapi.content(XML), summary="Sitemap of the daily lists"
)
@cached_body(XML)
def sitemap_days(request: Request) -> bytes:
    with request.app.state.store.read() as conn:
        days = store_days.featured_days_modified(conn)
    base = _base(request)
    return _urlset((f"{base}/papers/date/{d.isoformat()}", when) for d, when in days)


@router.get(
    "/sitemaps/papers-{page}.xml",
    response_class=Response,
    responses={**openapi.content(XML), **openapi.page(404, 422)},
    summary="One page of the paper sitemap",
)
@cached_body(XML)
def sitemap_papers(request: Request, page: int) -> bytes:
    if not 1 <= page <= 1_000_000:
        raise HTTPException(404, "no such sitemap page")
    with request.app.state.store.read() as conn:
        rows = store_papers.visible_page(conn, offset=(page - 1) * SITEMAP_SIZE, limit=SITEMAP_SIZE)
    if not rows:
        raise HTTPException(404, "no such sitemap page")
    base = _base(request)
    return _urlset((f"{base}/papers/{quote(pid, safe='/.')}", when) for pid, when in rows)
