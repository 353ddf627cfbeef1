"""Keyword pages (``/keywords/{keyword}``) and the topic map (``/map?month=|week=|date=|q=``).

The map is server-rendered SVG: every point is a link to its paper named by its title and topic, so it works
without JavaScript and with a screen reader; ``static/map.js`` adds a hover tooltip and cluster highlighting
(on hover and on keyboard focus).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from ..errors import PaperfeedError
from ..http.auth import CurrentUser, client_addr
from ..http.cache import cached_page
from ..http.openapi import page
from ..rank import sorts, topics
from ..rank.topics import PALETTE
from ..store import cards as store_cards
from ..store import community
from ..store import keywords as store_keywords
from ..store import lists as store_lists
from .pages import page_exists
from .render import feed_links, render

router = APIRouter()
Page = Annotated[int, Query(ge=1, le=10_000, description="Page number")]
WIDTH, HEIGHT = 1000, 680
LABEL_PX, LABEL_CHAR_PX = 15, 8.6  # the labels' font size (style.css: .clabel) and a bold letter's mean width


@router.get(
    "/keywords/{keyword:path}", response_class=HTMLResponse, responses=page(404, 422), summary="Papers with a keyword"
)
@cached_page
def keyword_page(
    request: Request,
    user: CurrentUser,
    keyword: str,
    p: Page = 1,
    sort: Annotated[str, Query(pattern=sorts.pattern(sorts.ORDERS))] = "newest",
) -> HTMLResponse:
    sort = sorts.store_order(sort)  # published (newest first) or upvotes
    keyword = keyword[: store_keywords.MAX_KEYWORD_CHARS]
    per_page = request.app.state.settings.page_items
    with request.app.state.store.read() as conn:
        ids, total = store_keywords.papers_with(conn, keyword, order=sort, limit=per_page, offset=(p - 1) * per_page)
        if total == 0:
            raise HTTPException(404, f"No papers with the keyword {keyword[:80]!r} here")
        page_exists(p, max(-(-total // per_page), 1))
        papers = store_cards.cards(conn, ids)
        votes = community.user_votes(conn, user.id, ids) if user and ids else {}
        # the keyword as the papers' chips write it ("/keywords/kv cache" shows "KV cache")
        keyword = store_lists.keyword_as_written(conn, keyword, ids)
    return render(
        request,
        "keyword.html",
        keyword=keyword,
        papers=papers,
        total=total,
        sort=sort,
        page=p,
        pages=max(-(-total // per_page), 1),
        votes=votes,
        feeds=feed_links(f"/feeds/keyword/{quote(keyword)}", f"Keyword: {keyword}"),
        canonical_path=f"/keywords/{keyword}",  # one page whatever the case of the link
    )


@router.get(
    "/map",
    response_class=HTMLResponse,
    responses=page(400, 404, 422, 429),
    summary="Topic map of a period or a search",
)
@cached_page
def map_page(
    request: Request,
    user: CurrentUser,
    month: Annotated[str | None, Query(max_length=7, description="YYYY-MM")] = None,
    week: Annotated[str | None, Query(max_length=8, description="YYYY-Www")] = None,
    day: Annotated[str | None, Query(alias="date", max_length=10, description="YYYY-MM-DD")] = None,
    q: Annotated[str | None, Query(max_length=1000, description="search words")] = None,
) -> HTMLResponse:
    store, settings = request.app.state.store, request.app.state.settings
    try:
        title, ids, query = topics.map_subject(store, settings, month=month, week=week, day=day, q=q)
        client = f"user:{user.id}" if user else client_addr(request)  # one layout in flight each
        tmap = topics.topic_map(
            store, settings, ids, highlight_user=user.id if user else None, wait=False, client=client
        )
    except topics.LayoutBusy as exc:
        raise HTTPException(429, str(exc), headers={"Retry-After": "10"}) from None
    except ValueError as exc:
        raise HTTPException(404, f"No map: {exc}") from None
    except PaperfeedError as exc:
        raise HTTPException(400, str(exc)) from None
    return render(
        request,
        "map.html",
        title=title,
        tmap=tmap,
        points=_by_topic(tmap),
        topics={c.id: c.label for c in tmap.clusters},
        labels=_labels(tmap),
        total=len(ids),
        query=query,
        q=q or "",
        width=WIDTH,
        height=HEIGHT,
        palette=PALETTE,
    )


def _by_topic(tmap: topics.TopicMap) -> list[topics.Point]:
    """The points in the order of the topic list (id order within a topic): Tab walks one topic at a time."""
    rank = {c.id: i for i, c in enumerate(tmap.clusters)}
    return sorted(tmap.points, key=lambda pt: rank[pt.cluster])


def _labels(tmap: topics.TopicMap) -> list[tuple[topics.Cluster, str, float, float]]:
    """``(cluster, text, x, y)`` of each cluster's label in the picture: at its centre, moved apart from the
    labels of bigger clusters where they would overlap."""
    texts = [", ".join(c.terms[:2]) or c.label for c in tmap.clusters]
    h = LABEL_PX * 1.3 / HEIGHT
    boxes = [(c.x, c.y, (len(t) * LABEL_CHAR_PX + 8) / WIDTH, h) for c, t in zip(tmap.clusters, texts, strict=True)]
    spots = topics.spread_labels(boxes)
    return [(c, t, x, y) for c, t, (x, y) in zip(tmap.clusters, texts, spots, strict=True)]
