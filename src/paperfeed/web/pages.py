"""Reading pages: daily/weekly/monthly lists, trending, a paper, an author, search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from .. import periods
from ..errors import PaperfeedError
from ..export import to_bibtex, to_markdown
from ..http.auth import CurrentUser
from ..http.cache import cached_page
from ..http.openapi import content, page
from ..http.params import SearchDay, day_or_none
from ..ids import STABLE_PREFIX, parse_arxiv_id
from ..rank import sorts
from ..rank import trending as rank_trending
from ..records import filled
from ..store import cards as store_cards
from ..store import collections as store_collections
from ..store import community
from ..store import days as store_days
from ..store import lists as store_lists
from ..store import merge as store_merge
from ..store import papers as store_papers
from .foryou import follow_state
from .render import feed_links, render

router = APIRouter()
# a paper's page, or the paper as Markdown (ID.md) or BibTeX (ID.bib)
PAPER = {**content("text/html", "text/markdown", "application/x-bibtex"), **page(400, 404, 422)}
Page = Annotated[int, Query(ge=1, le=10_000, description="Page number")]
Sort = Annotated[str, Query(pattern=sorts.pattern(sorts.ORDERS))]  # published: newest (rank.sorts)
Keyword = Annotated[str | None, Query(max_length=200, description="Only papers with this keyword")]


def _votes_of(request: Request, user, papers) -> dict[str, int]:
    if user is None or not papers:
        return {}
    with request.app.state.store.read() as conn:
        return community.user_votes(conn, user.id, [p.id for p in papers])


def page_exists(page: int, pages: int) -> None:
    """A page number past a list's end is a 404 (a crawler's or an old link's), not an empty "page 99 of 4"."""
    if page > pages:
        raise HTTPException(404, f"page {page} of {pages}: this list has {pages} page{'s' if pages != 1 else ''}")


def _period_page(
    request: Request, user, period: periods.Period | None, page: int, sort: str, keyword: str | None = None
) -> HTMLResponse:
    """A day's, week's or month's list; without a period, the latest day's (the front page, which names that
    day's page as its canonical URL: ``/`` changes every day, the day page stays)."""
    store, per_page = request.app.state.store, request.app.state.settings.page_items
    offset = (page - 1) * per_page
    front = period is None
    sort = sorts.store_order(sort)  # published (newest first) or upvotes
    with store.read() as conn:
        if period is None:
            # a site that features nothing (it fetches arXiv only) shows its latest day of arXiv papers
            latest = store_days.latest_featured_day(conn) or store_days.latest_announced_day(conn)
            period = periods.day_period(latest) if latest else None
        papers, total, announced, announced_total, prev_p, next_p, anchor = [], 0, [], 0, None, None, None
        if period is not None:
            ids, total = store_lists.featured_ids(
                conn, period.start, period.end, keyword=keyword, order=sort, limit=per_page, offset=offset
            )
            more: list[str] = []
            if period.kind == "day":
                more, announced_total = store_lists.announced_ids(
                    conn, period.start, keyword=keyword, limit=per_page, offset=offset
                )
            # both lists' cards in one read (a paper may be on both: featured and announced that day)
            cards = {c.id: c for c in store_cards.cards(conn, ids + more)}
            papers, announced = [cards[i] for i in ids if i in cards], [cards[i] for i in more if i in cards]
            prev_p, next_p = store_days.neighbours(conn, period, announced=True)
            # the day the Day and Week switches go to: a week's or month's last day with papers, not its last day
            anchor = period.end
            if period.kind != "day":  # a day is its own (the front page and day pages skip the query)
                newest = store_days.latest_featured_day(conn, on_or_before=period.end)
                anchor = newest if newest and newest >= period.start else period.end
    pages = max(-(-max(total, announced_total) // per_page), 1)
    page_exists(page, pages)
    return render(
        request,
        "list.html",
        period=period,
        papers=papers,
        total=total,
        announced=announced,
        announced_total=announced_total,
        page=page,
        pages=pages,
        prev=prev_p,
        next=next_p,
        anchor=anchor,
        sort=sort,
        keyword=keyword or "",
        votes=_votes_of(request, user, papers + announced),
        feeds=feed_links("daily", "Daily papers"),
        canonical_path=period.url if front and period else None,
    )


@router.get(
    "/", response_class=HTMLResponse, responses=page(404, 422), summary="Today's papers (or the latest day with papers)"
)
@cached_page
def front(
    request: Request, user: CurrentUser, p: Page = 1, sort: Sort = "upvotes", keyword: Keyword = None
) -> HTMLResponse:
    return _period_page(request, user, None, p, sort, keyword)


@router.get(
    "/papers/{kind}/{value}",
    response_class=HTMLResponse,
    responses=PAPER,  # old-style arXiv ids (/papers/hep-th/9901001) are papers
    summary="Papers of a day, week or month",
)
@cached_page
def by_period(
    request: Request,
    user: CurrentUser,
    kind: str,
    value: str,
    p: Page = 1,
    sort: Sort = "upvotes",
    keyword: Keyword = None,
) -> HTMLResponse:
    if kind not in ("date", "week", "month"):  # old-style arXiv ids (/papers/hep-th/9901001), arXiv DOIs
        return _paper_page(request, user, f"{kind}/{value}", redirect=True)
    try:
        period = periods.parse("day" if kind == "date" else kind, value, today=datetime.now(UTC).date())
    except ValueError as exc:
        raise HTTPException(404, f"Not a valid {kind}: {value[:40]!r} ({exc})") from None
    return _period_page(request, user, period, p, sort, keyword)


@router.get("/trending", response_class=HTMLResponse, responses=page(404, 422), summary="Trending papers")
@cached_page
def trending(
    request: Request, user: CurrentUser, p: Page = 1, category: Annotated[str | None, Query(max_length=40)] = None
) -> HTMLResponse:
    s, per_page = request.app.state.settings, request.app.state.settings.page_items
    now = datetime.now(UTC)
    with request.app.state.store.read() as conn:
        as_of = rank_trending.reference_time(conn, now, s.trending_window_days)  # the page says which week
        ranked = rank_trending.trending_at(
            conn, as_of, gravity=s.trending_gravity, window_days=s.trending_window_days, category=category or None
        )
        window = ranked[(p - 1) * per_page : p * per_page]
        papers = store_cards.cards(conn, [t.paper_id for t in window])
    pages = max(-(-len(ranked) // per_page), 1)
    page_exists(p, pages)
    feeds = feed_links("trending", f"Trending in {category}" if category else "Trending papers",
                   **({"category": category} if category else {}))  # fmt: skip
    if category:
        feeds += feed_links(f"/feeds/category/{quote(category)}", f"Newest in {category}")
    return render(
        request,
        "trending.html",
        papers=papers,
        page=p,
        pages=pages,
        total=len(ranked),
        category=category,
        votes=_votes_of(request, user, papers),
        feeds=feeds,
        gravity=s.trending_gravity,
        window_days=s.trending_window_days,
        archive_end=(as_of - timedelta(days=1)).date() if as_of < now else None,  # no recent votes: an older week
        following=follow_state(request, user, "category", category) if category else False,
    )


@router.get("/authors/{name:path}", response_class=HTMLResponse, responses=page(404, 422), summary="An author's papers")
@cached_page
def author(request: Request, user: CurrentUser, name: str, p: Page = 1) -> HTMLResponse:
    per_page = request.app.state.settings.page_items
    with request.app.state.store.read() as conn:
        ids, total = store_lists.author_ids(conn, name[:300], limit=per_page, offset=(p - 1) * per_page)
        if total == 0:
            raise HTTPException(404, f"No papers by {name[:80]!r} here")
        page_exists(p, max(-(-total // per_page), 1))
        papers = store_cards.cards(conn, ids)
        # the name as the papers write it ("/authors/tim salimans" shows "Tim Salimans")
        name = store_lists.author_as_written(conn, name, ids)
    return render(
        request,
        "author.html",
        name=name,
        papers=papers,
        total=total,
        page=p,
        pages=max(-(-total // per_page), 1),
        votes=_votes_of(request, user, papers),
        feeds=feed_links(f"/feeds/author/{quote(name)}", f"Papers by {name}"),
        following=follow_state(request, user, "author", name),
        canonical_path=f"/authors/{name}",  # one page whatever the case or accents of the link
    )


@router.get("/search", response_class=HTMLResponse, responses=page(400, 404, 422, 429), summary="Search papers")
def search_page(
    request: Request,
    user: CurrentUser,
    q: Annotated[str, Query(max_length=1000)] = "",
    category: Annotated[str | None, Query(max_length=40)] = None,
    author: Annotated[str | None, Query(max_length=300)] = None,
    date_from: SearchDay = None,  # the filter form sends empty dates for "no limit"
    date_to: SearchDay = None,
    has_code: bool = False,
    sort: Annotated[str, Query(pattern=sorts.pattern(sorts.SEARCH))] = "relevance",
    p: Page = 1,
    keyword: Keyword = None,
) -> HTMLResponse:
    s, per_page = request.app.state.settings, request.app.state.settings.page_items
    result, papers, error, pages, past_end = None, [], None, 1, None
    date_from, date_to = day_or_none(date_from), day_or_none(date_to)  # type: ignore[assignment]
    category, author, keyword = filled(category), filled(author), filled(keyword)
    # words or any filter alone (an author, a category, dates, has code: newest first) make a search
    if q.strip() or keyword or category or author or date_from or date_to or has_code:
        from ..rank.search import MAX_OFFSET, NARROW, search  # loaded on first search: the model is large

        last = MAX_OFFSET // per_page + 1  # the deepest page search serves
        try:
            result = search(
                request.app.state.store,
                s,
                q,
                category=category or None,
                author=author or None,
                date_from=date_from,
                date_to=date_to,
                has_code=has_code,
                keyword=keyword or None,
                sort=sort,
                limit=per_page,
                offset=(p - 1) * per_page if p <= last else 0,  # past the deepest page: the first, for its count
            )
        except PaperfeedError as exc:
            error = str(exc)
        if result is not None:
            pages = min(max(-(-result.total // per_page), 1), last)
            # past the end: a 404 (a crawler's or an old link's) linking to the first and last pages, not an
            # empty "page 22 of 21"; the first page of an empty result is the page saying so
            if p > pages and result.total > last * per_page:
                past_end = f"search results stop at page {last:,}: {NARROW}"
            elif p > pages:
                has = f"{'about ' if result.total_is_estimate else ''}{pages:,} page{'s' if pages != 1 else ''}"
                past_end = f"page {p:,} is past the end: this search has {has}"
            else:
                with request.app.state.store.read() as conn:
                    papers = store_cards.cards(conn, [h.paper_id for h in result.hits])  # what a card shows
    total = result.total if result else 0
    params = {
        k: v
        for k, v in {
            "q": q,
            "category": category,
            "author": author,
            "date_from": date_from,
            "date_to": date_to,
            "has_code": "true" if has_code else None,
            "keyword": keyword,
            "sort": sort,
        }.items()
        if v
    }
    return render(
        request,
        "search.html",
        q=q,
        category=category or "",
        author=author or "",
        date_from=date_from,
        date_to=date_to,
        has_code=has_code,
        keyword=keyword or "",
        sort=sort,
        papers=papers,
        result=result,
        error=error,
        total=total,
        page=p,
        pages=pages,
        past_end=past_end,
        params=params,
        votes=_votes_of(request, user, papers),
        feeds=feed_links("/feeds/search", f"Search: {q.strip()[:80]}", q=q) if q.strip() else [],
        status_code=400 if error else 404 if past_end else 200,
    )


def _find(request: Request, paper_id: str, user):
    """The paper ``paper_id`` names in any form a reader pastes (an arXiv id with a version, ``arXiv:``, an
    arXiv URL or DOI, ``.pdf``, a ``PF-`` id in capitals, the ``pf-`` id of a paper merged into its arXiv
    record); 404 when there is none, or for v0. A version past the newest stored here is the paper too: arXiv
    may have it (a link to v3 of a paper held at v1 since its RSS listing), and the page is the paper's."""
    parsed = parse_arxiv_id(paper_id)
    key, version = parsed if parsed else (paper_id, None)
    if key[:3].lower() == STABLE_PREFIX:
        key = key.lower()
    with request.app.state.store.read() as conn:
        view = store_papers.get_paper(conn, key)
        if view is None and (merged := store_merge.resolve(conn, [key]).get(key)):
            view = store_papers.get_paper(conn, merged)  # a pf- paper that became its arXiv record: its URL
    if view is None or (view.hidden and not (user and user.is_admin)):
        raise HTTPException(404, f"No paper {paper_id[:80]!r} here")
    if version is not None and version < 1:  # arXiv numbers versions from 1
        raise HTTPException(404, f"No version {version} of {view.id}: arXiv numbers versions from 1")
    return view


def _moved(request: Request, view, suffix: str) -> Response | None:
    """A permanent redirect to the paper's one URL (``/papers/ID``, the id as stored, no version) when it
    was asked for by another (a pasted form, another case, an escaped slash), with the query kept."""
    path = f"/papers/{quote(view.id, safe='/')}{suffix}"
    asked = request.scope.get("raw_path")
    if (asked.decode("latin-1") if asked else request.url.path) == path:
        return None
    return RedirectResponse(f"{path}?{request.url.query}" if request.url.query else path, status_code=301)


SimilarFacet = Annotated[
    str | None, Query(max_length=40, description="Similar papers by facet: background, method or result")
]
SIMILAR_TABS = [  # (facet, tab, what it compares): the paper page's similar-papers tabs
    (None, "Whole paper", "papers like this one as a whole"),
    ("background", "Background", "papers that set out to do the same"),
    ("method", "Method", "papers that do it the same way"),
    ("result", "Result", "papers that find the same"),
]


@router.get("/papers/{paper_id:path}", response_class=HTMLResponse, responses=PAPER, summary="A paper")
@cached_page
def paper(request: Request, user: CurrentUser, paper_id: str, similar: SimilarFacet = None) -> Response:
    return _paper_page(request, user, paper_id, similar, redirect=True)


def _paper_page(
    request: Request, user, paper_id: str, facet: str | None = None, *, redirect: bool = False, **comment_form
) -> Response:
    """The paper page (``?similar=method``: its similar papers by that facet), or its Markdown (``ID.md``)
    or BibTeX (``ID.bib``); with ``redirect`` (a GET of it), a 301 when ``paper_id`` is not the paper's own
    URL. ``comment_form``: a refused comment shown again at its form (``paper_with_draft``)."""
    suffix = next((s for s in (".md", ".bib") if paper_id.endswith(s) and len(paper_id) > len(s)), "")
    view = _find(request, paper_id[: len(paper_id) - len(suffix)], user)
    if redirect and (moved := _moved(request, view, suffix)) is not None:
        return moved
    if suffix == ".md":
        return PlainTextResponse(
            to_markdown(view, base_url=request.app.state.settings.base_url), media_type="text/markdown; charset=utf-8"
        )
    if suffix == ".bib":
        return PlainTextResponse(to_bibtex(view), media_type="application/x-bibtex; charset=utf-8")
    from ..rank.facets import FacetError, check_facet

    try:
        facet = check_facet(facet)
    except FacetError as exc:
        raise HTTPException(400, str(exc)) from None
    with request.app.state.store.read() as conn:
        comments = community.comments_for(conn, view.id, include_hidden=bool(user and user.is_admin))
        my_collections = store_collections.for_user(conn, user.id, viewer_id=user.id) if user else []
        versions = store_papers.versions(conn, view.id)
    from ..rank.similar import similar as find_similar  # loaded on first use: the search stack is large

    try:
        hits = find_similar(request.app.state.store, request.app.state.settings, view.id, limit=6, facet=facet)
        with request.app.state.store.read() as conn:
            similar = store_papers.links(conn, [h.paper_id for h in hits])  # titles and authors: all it shows
    except PaperfeedError:
        similar = []
    feeds = [f for a in view.authors[:1] for f in feed_links(f"/feeds/author/{quote(a)}", f"Papers by {a}")]
    return render(
        request,
        "paper.html",
        paper=view,
        comments=comments,
        my_collections=my_collections,
        similar=similar,
        similar_facet=facet,
        similar_tabs=SIMILAR_TABS,
        bibtex=to_bibtex(view),
        versions=versions,
        votes=_votes_of(request, user, [view]),
        feeds=feeds,
        **comment_form,
    )


def paper_with_draft(request: Request, user, paper_id: str, *, error: str, draft: str, parent_id: int | None):
    """The paper page again after a refused comment: the reason at the form, the typed text kept (400)."""
    return _paper_page(request, user, paper_id, comment_error=error, comment_draft=draft, comment_parent=parent_id,
                       status_code=400)  # fmt: skip
