"""The JSON API under ``/api``: Hugging Face-compatible paper endpoints, plus paperfeed's own (``api.community``).

Read endpoints answer in HF's shape (``api.schemas``) so HF clients work against a paperfeed server; they
read through the store and the rankers like the pages do. Every GET answer carries an ``ETag`` (a client
sending it back in ``If-None-Match`` gets a 304); lists and papers come from the page cache for anonymous
clients, with ``Last-Modified`` too; a signed-in client's answer is ``Cache-Control: private``
(``http.cache.TaggedAnswers``), an anonymous client's ``public`` (a shared cache may give it to every such
client, ``public_cache_seconds``). Errors are JSON (``{"error": ...}``, ``no-store``): 400/422
for bad parameters, 404 for unknown papers, never a 500 for what a client sent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from .. import periods
from ..actions.community import visible_paper
from ..http.auth import current_user
from ..http.cache import cached_json
from ..http.headers import SEARCH_HEADERS
from ..http.openapi import api
from ..http.params import SearchDay, day_or_none
from ..rank import sorts
from ..rank import trending as rank_trending
from ..records import filled
from ..store import days as store_days
from ..store import papers as store_papers
from . import account, community, foryou, library, reports, similar
from .schemas import HFDailyItem, HFPaper
from .shape import featuring, hf_item, hf_paper

# every API route checks a Bearer header it is sent, public ones too: bad credentials get 401, not a quiet
# anonymous answer that a client would take for an authenticated one; anonymous clients may get 429
router = APIRouter(prefix="/api", dependencies=[Depends(current_user)], responses=api(401, 422, 429))
router.include_router(community.router)  # first: its /papers/{id}/comments must win over /papers/{id}
router.include_router(reports.router)  # its /papers/{id}/report too
router.include_router(library.router)
router.include_router(account.router)
router.include_router(foryou.router)
router.include_router(similar.router)  # before /papers/{id}, which would take "{id}/similar" as an id

Page = Annotated[int, Query(ge=0, le=10_000, description="Page number, from 0 (as on HF)")]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page")]
Category = Annotated[str | None, Query(max_length=40, description="Only papers in this arXiv category")]
PERIOD_CAP = 2_000  # papers of one period ranked in memory for sort=trending
HF_JSON = {"response_model_exclude_none": True, "tags": ["Hugging Face-compatible"]}


def _period(day: str | None, week: str | None, month: str | None) -> periods.Period | None:
    given = [(k, v) for k, v in (("day", day), ("week", week), ("month", month)) if v]
    if len(given) > 1:
        raise HTTPException(400, "give at most one of date, week and month")
    if not given:
        return None
    kind, value = given[0]
    try:
        return periods.parse(kind, value, today=datetime.now(UTC).date())
    except ValueError as exc:
        raise HTTPException(400, f"bad {'date' if kind == 'day' else kind} {value[:40]!r}: {exc}") from None


def _by_trending(views, start: date, end: date, gravity: float):
    """A period's papers ranked by the trending score as of the end of the period."""
    now = datetime.combine(end + timedelta(days=1), time(), UTC)

    def score(v):
        f = featuring(v, (start, end))
        since = datetime.combine(f.day, time(), UTC) if f else now
        return -rank_trending.score(v.upvotes, (now - since).total_seconds() / 3600, gravity), -v.upvotes, v.id

    return sorted(views, key=score)


@router.get(
    "/daily_papers",
    response_model=list[HFDailyItem],
    summary="Daily papers (Hugging Face-compatible)",
    description="The papers featured on a day, ISO week or month, as HF's `/api/daily_papers` lists them. "
    "Without `date`/`week`/`month`: the latest day with papers (with `submitter`: every day; with "
    "`sort=trending`: the trending list). `sort=publishedAt` (default; `newest` and `published` say the same) "
    "lists newest papers first, `upvotes` most upvoted first, `trending` by the time-decayed score of "
    "docs/trending.md.",
    responses=api(400),
    **HF_JSON,
)
@cached_json(list[HFDailyItem])
def daily_papers(
    request: Request,
    day: Annotated[str | None, Query(alias="date", max_length=10, description="YYYY-MM-DD")] = None,
    week: Annotated[str | None, Query(max_length=8, description="YYYY-Www")] = None,
    month: Annotated[str | None, Query(max_length=7, description="YYYY-MM")] = None,
    submitter: Annotated[str | None, Query(max_length=200, description="Only papers this user put on a list")] = None,
    sort: Literal[sorts.accepted(sorts.LIST)] = "publishedAt",  # the names of every surface (rank.sorts)
    keyword: Annotated[str | None, Query(max_length=200, description="Only papers with this keyword")] = None,
    p: Page = 0,
    limit: Limit = 50,
) -> list[HFDailyItem]:
    s, store = request.app.state.settings, request.app.state.store
    sort = sorts.resolve(sort, sorts.LIST)
    period, offset = _period(day, week, month), p * limit
    with store.read() as conn:
        if period is None and sort == "trending" and not submitter:
            ranked = rank_trending.trending(conn, gravity=s.trending_gravity, window_days=s.trending_window_days)
            return [hf_item(v) for v in store_papers.get_papers(conn, [t.paper_id for t in ranked[offset:][:limit]])]
        if period is not None:
            start, end = period.start, period.end
        elif submitter:
            start, end = periods.FIRST, datetime.now(UTC).date() + timedelta(days=1)
        elif latest := store_days.latest_featured_day(conn):
            start = end = latest
        else:
            return []
        if sort == "trending":
            views, _ = store_papers.featured_between(
                conn, start, end, submitter=submitter, keyword=keyword, limit=PERIOD_CAP
            )
            views = _by_trending(views, start, end, s.trending_gravity)[offset:][:limit]
        else:
            order = sorts.store_order(sort)
            views, _ = store_papers.featured_between(
                conn, start, end, submitter=submitter, keyword=keyword, order=order, limit=limit, offset=offset
            )
    return [hf_item(v, within=(start, end)) for v in views]


@router.get(
    "/trending",
    response_model=list[HFDailyItem],
    summary="Trending papers",
    description="The /trending page as JSON (items in the daily-papers shape), optionally one category.",
    **HF_JSON,
)
@cached_json(list[HFDailyItem])
def trending(request: Request, category: Category = None, p: Page = 0, limit: Limit = 50) -> list[HFDailyItem]:
    s = request.app.state.settings
    with request.app.state.store.read() as conn:
        ranked = rank_trending.trending(
            conn, gravity=s.trending_gravity, window_days=s.trending_window_days, category=category or None
        )
        views = store_papers.get_papers(conn, [t.paper_id for t in ranked[p * limit :][:limit]])
    return [hf_item(v) for v in views]


@router.get(
    "/papers/search",
    response_model=list[HFDailyItem],
    summary="Search papers (Hugging Face-compatible)",
    description="Items wrapping `paper`, best match first. Response headers: `X-Total-Count` (all matches; "
    "with `X-Total-Is-Estimate: true` it is a lower bound: the paper count of the query's commonest word, "
    "given for unfiltered searches instead of counting every match), "
    "`X-Search-Lexical-Only` (`true` when meaning-based search was not used) and `X-Search-Not-Embedded` "
    "(papers not yet indexed for meaning).",
    responses={
        **api(400),
        200: {
            "headers": {
                name: {"description": why, "schema": {"type": "string"}} for name, why in SEARCH_HEADERS.items()
            }
        },
    },
    **HF_JSON,
)
def search(
    request: Request,
    response: Response,
    q: Annotated[str, Query(max_length=1000, description="Search words (the query syntax of docs/search.md)")] = "",
    limit: Limit = 50,
    p: Page = 0,
    keyword: Annotated[str | None, Query(max_length=200, description="Only papers with this keyword")] = None,
    category: Category = None,
    author: Annotated[str | None, Query(max_length=300, description="Only papers by this author")] = None,
    date_from: SearchDay = None,
    date_to: SearchDay = None,
    has_code: Annotated[bool, Query(description="Only papers with a code link")] = False,
    sort: Annotated[Literal[sorts.SEARCH], Query(description="Order of the results (rank.sorts)")] = "relevance",
) -> list[HFDailyItem]:
    """The web's search page as JSON: the same words, filters and orders (a filter alone lists newest first)."""
    date_from, date_to = day_or_none(date_from), day_or_none(date_to)  # type: ignore[assignment]
    category, author, keyword = filled(category), filled(author), filled(keyword)
    if not (q.strip() or keyword or category or author or date_from or date_to or has_code):
        raise HTTPException(400, "q is empty (and no filter is given)")
    if date_from and date_to and date_from > date_to:
        raise HTTPException(400, f"date_from ({date_from}) is after date_to ({date_to})")
    from ..rank.search import search as run_search  # loaded on first search: the model is large

    store = request.app.state.store
    result = run_search(
        store, request.app.state.settings, q, category=category or None, author=author or None,
        date_from=date_from, date_to=date_to, has_code=has_code, keyword=keyword or None, sort=sort,
        limit=limit, offset=p * limit,
    )  # fmt: skip
    with store.read() as conn:
        views = [v for v in store_papers.get_papers(conn, [h.paper_id for h in result.hits]) if not v.hidden]
    response.headers["X-Total-Count"] = str(result.total)
    response.headers["X-Total-Is-Estimate"] = "true" if result.total_is_estimate else "false"
    response.headers["X-Search-Lexical-Only"] = "true" if result.lexical_only else "false"
    response.headers["X-Search-Not-Embedded"] = str(result.not_embedded or 0)
    return [hf_item(v) for v in views]


@router.get(
    "/papers/{paper_id:path}",
    response_model=HFPaper,
    summary="A paper (Hugging Face-compatible)",
    description="One paper as HF's `/api/papers/{id}` returns it. The Markdown version is `/papers/{id}.md`.",
    responses=api(404),
    **HF_JSON,
)
@cached_json(HFPaper)
def paper(request: Request, paper_id: str) -> HFPaper:
    with request.app.state.store.read() as conn:
        return hf_paper(visible_paper(conn, paper_id))
