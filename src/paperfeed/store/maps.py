"""What a topic map reads: the papers of a period, their vectors and titles, a user's upvotes among them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, func, or_, select

from ..clock import day_start
from .days import latest_featured_day, listed_days
from .db import chunked
from .models import featured, paper_vectors, papers


def period_ids(conn: Connection, start: date, end: date) -> list[str]:
    """Visible papers featured, announced or (lacking both) published on days ``start..end``, by id."""
    lo, hi = day_start(start), day_start(end + timedelta(days=1))
    q = select(papers.c.id).where(
        papers.c.hidden.is_(False),
        or_(
            papers.c.id.in_(select(featured.c.paper_id).where(featured.c.day.between(start, end))),
            papers.c.announced_on.between(start, end),
            papers.c.announced_on.is_(None) & (papers.c.published_at >= lo) & (papers.c.published_at < hi),
        ),
    )
    return sorted(conn.execute(q).scalars())


def latest_day(conn: Connection) -> date | None:
    """The newest day with visible featured or announced papers: what a map shows when asked for nothing."""
    days = [
        latest_featured_day(conn),
        conn.execute(select(func.max(papers.c.announced_on)).where(papers.c.hidden.is_(False))).scalar(),
    ]
    return max((d for d in days if d is not None), default=None)


def listed_span(conn: Connection) -> tuple[date, date] | None:
    """The first and the last day a period's map can show papers of (featured, announced or, lacking both,
    published), or None in an empty database: what to say when a period has none."""
    listed = listed_days().subquery()
    visible = papers.c.hidden.is_(False)
    row = conn.execute(
        select(
            select(func.min(listed.c.day)).scalar_subquery(),
            select(func.max(listed.c.day)).scalar_subquery(),
            select(func.min(papers.c.announced_on)).where(visible).scalar_subquery(),
            select(func.max(papers.c.announced_on)).where(visible).scalar_subquery(),
            select(func.min(papers.c.published_at)).where(visible, papers.c.announced_on.is_(None)).scalar_subquery(),
            select(func.max(papers.c.published_at)).where(visible, papers.c.announced_on.is_(None)).scalar_subquery(),
        )
    ).one()
    days = [v.date() if isinstance(v, datetime) else v for v in row if v is not None]
    return (min(days), max(days)) if days else None


def vectors_and_texts(
    conn: Connection, model: str, ids: Sequence[str]
) -> tuple[dict[str, bytes], dict[str, tuple[str, str]]]:
    """``({id: vector bytes}, {id: (title, abstract)})`` of the visible ones of ``ids`` (vectors where stored)."""
    vecs: dict[str, bytes] = {}
    titles: dict[str, tuple[str, str]] = {}
    for part in chunked(ids):
        q = select(papers.c.id, papers.c.title, papers.c.abstract).where(
            papers.c.id.in_(part), papers.c.hidden.is_(False)
        )
        titles.update({pid: (t or "", a or "") for pid, t, a in conn.execute(q)})
        v = paper_vectors
        q = select(v.c.paper_id, v.c.vector).where(v.c.model == model, v.c.paper_id.in_(part))
        vecs.update({pid: bytes(b) for pid, b in conn.execute(q) if pid in titles})
    return vecs, titles
