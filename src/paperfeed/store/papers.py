"""Reading papers: the ``PaperView`` every surface renders, and the lists they page through."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import Connection, func, or_, select

from .community import comment_counts, upvote_counts
from .keywords import for_papers as keyphrases_of
from .keywords import with_keyword
from .models import (
    collections,
    comments,
    featured,
    paper_authors,
    paper_categories,
    paper_versions,
    papers,
    users,
    votes,
)
from .upsert import utc

VISIBLE = papers.c.hidden.is_(False)


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
    upvotes: int  # imported (HF) upvotes + this community's
    keywords: list[str]
    sources: list[str]
    featured: list[FeaturedDay] = field(default_factory=list)
    num_comments: int = 0
    hidden: bool = False
    imported_upvotes: int = 0
    keyphrases: list[str] = field(default_factory=list)  # extracted by the index job (store/keywords.py)

    @property
    def is_arxiv(self) -> bool:
        return not self.id.startswith("pf-")


def authors_and_categories(conn: Connection, ids: Sequence[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Authors in order and categories (sorted) of the given papers, in two queries."""
    authors: dict[str, list[str]] = defaultdict(list)
    q = select(paper_authors.c.paper_id, paper_authors.c.name).where(paper_authors.c.paper_id.in_(list(ids)))
    for pid, name in conn.execute(q.order_by(paper_authors.c.paper_id, paper_authors.c.position)):
        authors[pid].append(name)
    cats: dict[str, list[str]] = defaultdict(list)
    q = select(paper_categories.c.paper_id, paper_categories.c.category).where(
        paper_categories.c.paper_id.in_(list(ids))
    )
    for pid, cat in conn.execute(q.order_by(paper_categories.c.category)):
        cats[pid].append(cat)
    return authors, cats


def _views(conn: Connection, rows: Sequence) -> list[PaperView]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    authors, cats = authors_and_categories(conn, ids)
    days: dict[str, list[FeaturedDay]] = defaultdict(list)
    q = select(featured).where(featured.c.paper_id.in_(ids)).order_by(featured.c.day)
    for f in conn.execute(q):
        days[f.paper_id].append(FeaturedDay(f.day, f.submitted_by, f.upvotes, f.source))
    votes = upvote_counts(conn, ids)
    ncomments = comment_counts(conn, ids)
    phrases = keyphrases_of(conn, ids)
    out = []
    for r in rows:
        c = cats.get(r.id, [])
        if r.primary_category in c:
            c = [r.primary_category] + [x for x in c if x != r.primary_category]
        out.append(
            PaperView(
                id=r.id, version=r.version, title=r.title, abstract=r.abstract, authors=authors.get(r.id, []),
                primary_category=r.primary_category, categories=c, comment=r.comment, journal_ref=r.journal_ref,
                doi=r.doi, published_at=utc(r.published_at), updated_at=utc(r.updated_at),
                announced_on=r.announced_on, abs_url=r.abs_url, pdf_url=r.pdf_url, code_url=r.code_url,
                project_url=r.project_url, upvotes=(r.hf_upvotes or 0) + votes.get(r.id, 0),
                keywords=list(r.keywords or []), sources=list(r.sources or []), featured=days.get(r.id, []),
                num_comments=ncomments.get(r.id, 0), hidden=r.hidden, imported_upvotes=r.hf_upvotes or 0,
                keyphrases=phrases.get(r.id, []),
            )
        )  # fmt: skip
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


def latest_voted_day(conn: Connection) -> date | None:
    """The newest day on which an upvoted, visible paper first appeared on the daily list."""
    voted = or_(papers.c.hf_upvotes > 0, papers.c.id.in_(select(votes.c.paper_id).where(votes.c.value == 1)))
    first = select(featured.c.paper_id, func.min(featured.c.day).label("day")).group_by(featured.c.paper_id).subquery()
    q = select(func.max(first.c.day)).join(papers, papers.c.id == first.c.paper_id).where(VISIBLE, voted)
    return conn.execute(q).scalar()


def _in_category(category: str):
    """Papers listing ``category`` among their categories (primary or cross-list)."""
    return papers.c.id.in_(select(paper_categories.c.paper_id).where(paper_categories.c.category == category))


def _vote_totals():
    return (
        select(votes.c.paper_id, func.count().label("n"))
        .where(votes.c.value == 1)
        .group_by(votes.c.paper_id)
        .subquery()
    )


def featured_between(
    conn: Connection,
    start: date,
    end: date,
    *,
    submitter: str | None = None,
    keyword: str | None = None,
    order: str = "upvotes",
    limit: int = 30,
    offset: int = 0,
) -> tuple[list[PaperView], int]:
    """Visible papers featured on days ``start..end`` (inclusive) and their count.

    ``order``: "upvotes" (imported + community, most first) or "published" (newest first).
    """
    ids_q = select(featured.c.paper_id, func.max(featured.c.day).label("day")).where(featured.c.day.between(start, end))
    if submitter:
        ids_q = ids_q.where(featured.c.submitted_by == submitter)
    ids_q = ids_q.group_by(featured.c.paper_id).subquery()
    vt = _vote_totals()
    base = (
        select(papers)
        .join(ids_q, ids_q.c.paper_id == papers.c.id)
        .outerjoin(vt, vt.c.paper_id == papers.c.id)
        .where(VISIBLE)
    )
    if keyword:
        base = base.where(with_keyword(keyword))
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    if order == "published":
        keys = [func.coalesce(papers.c.published_at, papers.c.created_at).desc(), papers.c.id.desc()]
    else:
        keys = [(func.coalesce(papers.c.hf_upvotes, 0) + func.coalesce(vt.c.n, 0)).desc(), papers.c.id]
    rows = conn.execute(base.order_by(*keys).limit(limit).offset(offset)).all()
    return _views(conn, rows), total


def announced_on(
    conn: Connection, day: date, *, keyword: str | None = None, limit: int = 30, offset: int = 0
) -> tuple[list[PaperView], int]:
    """arXiv announcements of ``day`` (papers first listed that day), newest id first."""
    cond = (papers.c.announced_on == day) & VISIBLE
    if keyword:
        cond = cond & with_keyword(keyword)
    total = conn.execute(select(func.count()).where(cond)).scalar_one()
    q = select(papers).where(cond).order_by(papers.c.id.desc()).limit(limit).offset(offset)
    return _views(conn, conn.execute(q).all()), total


@dataclass(frozen=True)
class TrendingRow:
    paper_id: str
    upvotes: int
    since: datetime  # when the paper entered the list: first featured day, else announcement/publication


def trending_candidates(conn: Connection, *, since: date, category: str | None = None) -> list[TrendingRow]:
    """Visible, upvoted papers featured, announced or published on/after ``since``, with upvote totals."""
    first_day = (
        select(featured.c.paper_id, func.min(featured.c.day).label("day")).group_by(featured.c.paper_id).subquery()
    )
    vt = _vote_totals()
    q = (
        select(papers.c.id, papers.c.hf_upvotes, vt.c.n, first_day.c.day, papers.c.announced_on, papers.c.published_at)
        .outerjoin(first_day, first_day.c.paper_id == papers.c.id)
        .outerjoin(vt, vt.c.paper_id == papers.c.id)
        .where(
            VISIBLE,
            or_(
                first_day.c.day >= since,
                papers.c.announced_on >= since,
                papers.c.published_at >= datetime.combine(since, time(), UTC),
            ),
        )
    )
    if category:
        q = q.where(_in_category(category))
    out = []
    for pid, hf, n, fday, ann, pub in conn.execute(q):
        if not (hf or n):
            continue  # a paper nobody voted for is not trending
        when = fday or ann
        ts = datetime.combine(when, time(), UTC) if when else utc(pub)
        out.append(TrendingRow(pid, (hf or 0) + (n or 0), ts))
    return out


def by_author(conn: Connection, name: str, *, limit: int = 30, offset: int = 0) -> tuple[list[PaperView], int]:
    """Visible papers with an author of exactly this name (case-insensitive), newest first."""
    ids = select(paper_authors.c.paper_id).where(func.lower(paper_authors.c.name) == name.lower())
    cond = papers.c.id.in_(ids) & VISIBLE
    total = conn.execute(select(func.count()).where(cond)).scalar_one()
    q = (
        select(papers)
        .where(cond)
        .order_by(func.coalesce(papers.c.published_at, papers.c.created_at).desc(), papers.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return _views(conn, conn.execute(q).all()), total


def recent(conn: Connection, *, category: str | None = None, limit: int = 30, offset: int = 0) -> list[PaperView]:
    """Newest visible papers by announcement/publication (or ingestion) time, optionally in a category."""
    q = select(papers).where(VISIBLE)
    if category:
        q = q.where(_in_category(category))
    when = func.coalesce(papers.c.published_at, papers.c.created_at)
    q = (
        q.order_by(papers.c.announced_on.desc().nulls_last(), when.desc(), papers.c.id.desc())
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
        "hidden_papers": one(select(func.count()).where(papers.c.hidden.is_(True))),
        "users": one(select(func.count()).select_from(users)),
        "votes": one(select(func.count()).select_from(votes)),
        "comments": one(select(func.count()).select_from(comments)),
        "collections": one(select(func.count()).select_from(collections)),
    }
