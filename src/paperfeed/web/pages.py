"""HTML pages: the daily list (``/``, ``/papers/date/YYYY-MM-DD``) and the paper page."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from ..ids import parse_arxiv_id
from ..store import papers as store_papers

router = APIRouter()


def _render(request: Request, name: str, **context) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, name, context)


def _day_page(request: Request, day: date | None, page: int) -> HTMLResponse:
    store = request.app.state.store
    per_page = request.app.state.settings.page_items
    with store.read() as conn:
        if day is None:
            day = store_papers.latest_featured_day(conn)
        papers, total, announced, announced_total, days = [], 0, [], 0, []
        if day is not None:
            papers, total = store_papers.featured_between(conn, day, day, limit=per_page, offset=(page - 1) * per_page)
            announced, announced_total = store_papers.announced_on(
                conn, day, limit=per_page, offset=(page - 1) * per_page
            )
            days = store_papers.featured_days(conn)
    prev_day = next((d for d in days if d < day), None) if day else None
    next_day = next((d for d in reversed(days) if d > day), None) if day else None
    pages = max(-(-max(total, announced_total) // per_page), 1)
    return _render(
        request,
        "day.html",
        day=day,
        papers=papers,
        total=total,
        announced=announced,
        announced_total=announced_total,
        page=page,
        pages=pages,
        prev_day=prev_day,
        next_day=next_day,
    )


@router.get("/", response_class=HTMLResponse)
def front(request: Request, p: int = Query(1, ge=1, le=10_000)) -> HTMLResponse:
    """The latest day with featured papers."""
    return _day_page(request, None, p)


@router.get("/papers/date/{day}", response_class=HTMLResponse)
def by_day(request: Request, day: str, p: int = Query(1, ge=1, le=10_000)) -> HTMLResponse:
    try:
        d = date.fromisoformat(day)
    except ValueError:
        raise HTTPException(404, f"Not a date: {day[:40]}") from None
    if not date(1990, 1, 1) <= d <= date.today() + timedelta(days=2):
        raise HTTPException(404, f"No papers on {d}")
    return _day_page(request, d, p)


@router.get("/papers/{paper_id:path}", response_class=HTMLResponse)
def paper(request: Request, paper_id: str) -> HTMLResponse:
    parsed = parse_arxiv_id(paper_id)
    key = parsed[0] if parsed else paper_id
    with request.app.state.store.read() as conn:
        view = store_papers.get_paper(conn, key)
    if view is None:
        raise HTTPException(404, f"No paper {paper_id[:80]!r} here")
    return _render(request, "paper.html", paper=view)
