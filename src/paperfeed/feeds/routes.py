"""Atom and RSS 2.0 feeds of the lists the pages show; each page advertises its feed in its ``<head>``.

    /feeds/daily.atom|.rss                   the latest day's papers, as on /
    /feeds/trending.atom|.rss?category=      the trending list, as on /trending
    /feeds/category/{category}.atom|.rss     the newest papers in an arXiv category
    /feeds/author/{name}.atom|.rss           an author's papers, newest first
    /feeds/search.atom|.rss?q=               the newest papers matching a search (a saved search)
    /feeds/keyword/{keyword}.atom|.rss       the newest papers with a keyword, as on /keywords/{keyword}
    /feeds/collection/{id}.atom|.rss         a public collection, the papers added last first

A collection's entries are dated by when they were added (a reader sees an addition as new), and a private
collection's feed is a 404 to everyone, the owner too (feed readers send no cookie); it is not kept in the
page cache, like the page, so an edit or a switch to private shows at once, and shared caches may keep it
as long as the page (``public_cache_seconds``), with an ``ETag`` (a 304 while it is unchanged).

Feeds read through the store and the rankers like the pages; an empty list is a valid empty feed. They are
the same for every reader, signed in or not, and come from the page cache, with ``ETag``/``Last-Modified``
(a feed reader polling an unchanged feed gets a 304); shared caches and feed readers may keep them
``feed_cache_seconds`` (``Cache-Control: public``): they change when papers arrive. Errors (an unknown or
private collection, a bad format, no ``q``, the rate limit's 429) are one line of plain text, not an HTML
page (``http.errors``), and nobody keeps them (``http.headers``).
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query, Request, Response

from ..actions import collections as collection_actions
from ..http.cache import cached_response, tagged_afresh
from ..http.openapi import NOT_MODIFIED, content, feed
from ..http.params import DbId
from ..rank import trending as rank_trending
from ..store import collections as store_collections
from ..store import days as store_days
from ..store import keywords as store_keywords
from ..store import papers as store_papers
from .build import MEDIA_TYPES, FeedInfo, render_feed

router = APIRouter(prefix="/feeds", tags=["feeds"])
Format = Literal["atom", "rss"]
FEED = {**content("application/atom+xml", "application/rss+xml"), **feed(422), **NOT_MODIFIED}  # 304: unchanged
LIMIT = 50


def _feed(request: Request, fmt: str, title: str, description: str, page: str, papers, dated=None) -> Response:
    s = request.app.state.settings
    base = s.base_url.rstrip("/")
    query = f"?{request.url.query}" if request.url.query else ""
    info = FeedInfo(
        title=f"{s.site_name}: {title}",
        description=description,
        page_url=base + page,
        self_url=base + quote(request.url.path) + query,
    )
    body = render_feed(fmt, info, papers, base_url=s.base_url, site_name=s.site_name, dated=dated)
    return Response(body, media_type=MEDIA_TYPES[fmt])


@router.get("/daily.{fmt}", response_class=Response, responses=FEED, summary="Feed: the latest day's papers")
@cached_response
def daily(request: Request, fmt: Format) -> Response:
    with request.app.state.store.read() as conn:
        day = store_days.latest_featured_day(conn)
        papers = []
        if day is not None:
            papers, _ = store_papers.featured_between(conn, day, day, limit=LIMIT)
            announced, _ = store_papers.announced_on(conn, day, limit=LIMIT)
            seen = {p.id for p in papers}
            papers += [p for p in announced if p.id not in seen]
    label = f" on {day:%d %b %Y}" if day else ""
    return _feed(request, fmt, "Daily papers", f"The papers featured{label}, most upvoted first.", "/", papers,
                 dated={p.id: day for p in papers})  # fmt: skip


@router.get("/trending.{fmt}", response_class=Response, responses=FEED, summary="Feed: trending papers")
@cached_response
def trending(request: Request, fmt: Format, category: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    s = request.app.state.settings
    with request.app.state.store.read() as conn:
        ranked = rank_trending.trending(
            conn, gravity=s.trending_gravity, window_days=s.trending_window_days, category=category or None
        )
        papers = store_papers.get_papers(conn, [t.paper_id for t in ranked[:LIMIT]])
    where = f" in {category}" if category else ""
    page = "/trending" + (f"?{urlencode({'category': category})}" if category else "")
    return _feed(request, fmt, f"Trending{where}", f"Papers trending{where}, by time-decayed upvotes.", page, papers)


@router.get(
    "/category/{category}.{fmt}",
    response_class=Response,
    responses=FEED,
    summary="Feed: newest papers in an arXiv category",
)
@cached_response
def category(request: Request, category: str, fmt: Format) -> Response:
    category = category[:40]
    with request.app.state.store.read() as conn:
        papers = store_papers.recent(conn, category=category, limit=LIMIT)
    page = f"/trending?{urlencode({'category': category})}"
    return _feed(request, fmt, category, f"The newest papers in {category}.", page, papers)


@router.get("/author/{name:path}.{fmt}", response_class=Response, responses=FEED, summary="Feed: an author's papers")
@cached_response
def author(request: Request, name: str, fmt: Format) -> Response:
    name = name[:300]
    with request.app.state.store.read() as conn:
        papers, _ = store_papers.by_author(conn, name, limit=LIMIT)
    return _feed(request, fmt, name, f"Papers by {name}, newest first.", f"/authors/{quote(name)}", papers)


@router.get(
    "/search.{fmt}",
    response_class=Response,
    responses={**FEED, **feed(400, 429)},
    summary="Feed: newest papers matching a search",
)
@cached_response
def search(request: Request, fmt: Format, q: Annotated[str, Query(min_length=1, max_length=1000)]) -> Response:
    if not q.strip():
        raise HTTPException(400, "q is empty")
    from ..rank.search import search as run_search

    store, s = request.app.state.store, request.app.state.settings
    result = run_search(store, s, q, sort="newest", limit=LIMIT, offset=0)
    with store.read() as conn:
        papers = [p for p in store_papers.get_papers(conn, [h.paper_id for h in result.hits]) if not p.hidden]
    page = f"/search?{urlencode({'q': q})}"
    return _feed(request, fmt, f"search {q!r}", f"The newest papers matching {q!r}.", page, papers)


@router.get(
    "/keyword/{keyword:path}.{fmt}",
    response_class=Response,
    responses=FEED,
    summary="Feed: newest papers with a keyword",
)
@cached_response
def keyword(request: Request, keyword: str, fmt: Format) -> Response:
    keyword = keyword[: store_keywords.MAX_KEYWORD_CHARS]
    with request.app.state.store.read() as conn:
        ids, _ = store_keywords.papers_with(conn, keyword, order="published", limit=LIMIT)
        papers = store_papers.get_papers(conn, ids)
    # the keyword as the papers write it ("kv cache" -> "KV cache"), as the page does
    keyword = store_keywords.as_written(keyword, papers)
    page = f"/keywords/{quote(keyword)}"
    return _feed(request, fmt, f"keyword {keyword}", f"The newest papers with the keyword {keyword!r}.", page, papers)


@router.get(
    "/collection/{collection_id}.{fmt}",
    response_class=Response,
    responses={**FEED, **feed(404)},
    summary="Feed: a public collection, latest additions first",
)
def collection(request: Request, collection_id: DbId, fmt: Format) -> Response:
    store = request.app.state.store
    coll, papers = collection_actions.collection_papers(store, collection_id, None)  # a feed reader: nobody signed in
    with store.read() as conn:
        added = store_collections.added_at(conn, coll.id)
    about = coll.description.strip() or f"Papers {coll.owner} collected, latest additions first."
    name = f"{coll.name} ({coll.owner}'s collection)"
    answer = _feed(request, fmt, name, about, f"/collections/{coll.id}", papers, dated=added)
    return tagged_afresh(request, answer, request.app.state.settings.public_cache_seconds)
