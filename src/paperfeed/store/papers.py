"""Reading papers: the ``PaperView`` every surface renders, and the lists they page through."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, func, select

from .models import featured, paper_authors, paper_categories, paper_versions, papers
from .upsert import utc


@dataclass
class FeaturedDay:
    day: date
    submitted_by: str | None
    upvotes: int | None
    source: str


@dataclass
class PaperView:
    id: str
    version: int | None
    title: str
    abstract: str
    authors: list[str]
    primary_category: str | None
    categories: list[str]
    comment: str | None
    journal_ref: str | None
    doi: str | None
    published_at: datetime | None
    updated_at: datetime | None
    announced_on: date | None
    abs_url: str | None
    pdf_url: str | None
    code_url: str | None
    project_url: str | None
    upvotes: int
    keywords: list[str]
    sources: list[str]
    featured: list[FeaturedDay] = field(default_factory=list)

    @property
    def is_arxiv(self) -> bool:
        return not self.id.startswith("pf-")


def _views(conn: Connection, rows: Sequence) -> list[PaperView]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    authors: dict[str, list[str]] = defaultdict(list)
    q = select(paper_authors.c.paper_id, paper_authors.c.name).where(paper_authors.c.paper_id.in_(ids))
    for pid, name in conn.execute(q.order_by(paper_authors.c.paper_id, paper_authors.c.position)):
        authors[pid].append(name)
    cats: dict[str, list[str]] = defaultdict(list)
    q = select(paper_categories.c.paper_id, paper_categories.c.category).where(paper_categories.c.paper_id.in_(ids))
    for pid, cat in conn.execute(q.order_by(paper_categories.c.category)):
        cats[pid].append(cat)
    days: dict[str, list[FeaturedDay]] = defaultdict(list)
    q = select(featured).where(featured.c.paper_id.in_(ids)).order_by(featured.c.day)
    for f in conn.execute(q):
        days[f.paper_id].append(FeaturedDay(f.day, f.submitted_by, f.upvotes, f.source))
    out = []
    for r in rows:
        c = cats.get(r.id, [])
        if r.primary_category in c:
            c = [r.primary_category] + [x for x in c if x != r.primary_category]
        out.append(
            PaperView(
                id=r.id,
                version=r.version,
                title=r.title,
                abstract=r.abstract,
                authors=authors.get(r.id, []),
                primary_category=r.primary_category,
                categories=c,
                comment=r.comment,
                journal_ref=r.journal_ref,
                doi=r.doi,
                published_at=utc(r.published_at),
                updated_at=utc(r.updated_at),
                announced_on=r.announced_on,
                abs_url=r.abs_url,
                pdf_url=r.pdf_url,
                code_url=r.code_url,
                project_url=r.project_url,
                upvotes=r.hf_upvotes or 0,
                keywords=list(r.keywords or []),
                sources=list(r.sources or []),
                featured=days.get(r.id, []),
            )
        )
    return out


def get_paper(conn: Connection, paper_id: str) -> PaperView | None:
    rows = conn.execute(select(papers).where(papers.c.id == paper_id)).all()
    views = _views(conn, rows)
    return views[0] if views else None


def get_papers(conn: Connection, ids: Sequence[str]) -> list[PaperView]:
    """Papers for ``ids`` in the given order (unknown ids are skipped)."""
    rows = conn.execute(select(papers).where(papers.c.id.in_(list(ids)))).all()
    by_id = {v.id: v for v in _views(conn, rows)}
    return [by_id[i] for i in ids if i in by_id]


def versions(conn: Connection, paper_id: str) -> list[dict]:
    q = select(paper_versions).where(paper_versions.c.paper_id == paper_id).order_by(paper_versions.c.version)
    return [dict(r._mapping) for r in conn.execute(q)]


def featured_days(conn: Connection) -> list[date]:
    """Every day that has featured papers, newest first."""
    q = select(featured.c.day).distinct().order_by(featured.c.day.desc())
    return [d for (d,) in conn.execute(q)]


def latest_featured_day(conn: Connection, on_or_before: date | None = None) -> date | None:
    q = select(func.max(featured.c.day))
    if on_or_before:
        q = q.where(featured.c.day <= on_or_before)
    return conn.execute(q).scalar()


def featured_between(
    conn: Connection, start: date, end: date, *, limit: int = 30, offset: int = 0
) -> tuple[list[PaperView], int]:
    """Papers featured on days ``start..end`` (inclusive), most upvoted first; and their total count."""
    ids_q = (
        select(featured.c.paper_id, func.max(featured.c.day).label("day"))
        .where(featured.c.day.between(start, end))
        .group_by(featured.c.paper_id)
        .subquery()
    )
    total = conn.execute(select(func.count()).select_from(ids_q)).scalar_one()
    q = (
        select(papers)
        .join(ids_q, ids_q.c.paper_id == papers.c.id)
        .order_by(func.coalesce(papers.c.hf_upvotes, 0).desc(), papers.c.id)
        .limit(limit)
        .offset(offset)
    )
    return _views(conn, conn.execute(q).all()), total


def announced_on(conn: Connection, day: date, *, limit: int = 30, offset: int = 0) -> tuple[list[PaperView], int]:
    """arXiv announcements of ``day`` (papers first listed that day), newest id first."""
    total = conn.execute(select(func.count()).where(papers.c.announced_on == day)).scalar_one()
    q = select(papers).where(papers.c.announced_on == day).order_by(papers.c.id.desc()).limit(limit).offset(offset)
    return _views(conn, conn.execute(q).all()), total


def recent(conn: Connection, *, limit: int = 30, offset: int = 0) -> list[PaperView]:
    """Newest papers by publication (or ingestion) time."""
    q = (
        select(papers)
        .order_by(func.coalesce(papers.c.published_at, papers.c.created_at).desc(), papers.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return _views(conn, conn.execute(q).all())


def counts(conn: Connection) -> dict[str, int]:
    """The numbers ``paperfeed stats`` prints."""
    one = lambda q: conn.execute(q).scalar_one()  # noqa: E731
    return {
        "papers": one(select(func.count()).select_from(papers)),
        "arxiv_papers": one(select(func.count()).where(~papers.c.id.like("pf-%"))),
        "other_papers": one(select(func.count()).where(papers.c.id.like("pf-%"))),
        "authors": one(select(func.count(func.distinct(paper_authors.c.name)))),
        "categories": one(select(func.count(func.distinct(paper_categories.c.category)))),
        "versions": one(select(func.count()).select_from(paper_versions)),
        "featured_entries": one(select(func.count()).select_from(featured)),
        "featured_days": one(select(func.count(func.distinct(featured.c.day)))),
        "with_code": one(select(func.count()).where(papers.c.code_url.is_not(None))),
        "imported_upvotes": one(select(func.coalesce(func.sum(papers.c.hf_upvotes), 0))),
    }
