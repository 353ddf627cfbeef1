"""Reading papers: the ``PaperView`` every surface renders, and the lists they page through."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter

from sqlalchemy import Connection, bindparam, func, or_, select

from ..clock import day_start, utc
from ..ids import arxiv_year, web_url
from ..records import is_withdrawn
from . import lists
from .community import VISIBLE_COMMENT, upvotes_total
from .db import execute_in, ids_param
from .keywords import for_papers as keyphrases_of
from .models import (
    collections,
    comments,
    featured,
    paper_authors,
    paper_categories,
    paper_summaries,
    paper_versions,
    papers,
    users,
    votes,
)

VISIBLE = papers.c.hidden.is_(False)


def paper_day(
    published_at: datetime | None, announced_on: date | None, first_featured: date | None, created_at: datetime | None
) -> date | None:
    """A paper's one date, wherever one is shown, filtered on or sorted by (pages, API, feeds, BibTeX, the
    search indexes): its publication day (UTC), else its arXiv announcement, else the first day a list
    featured it (Hugging Face lists a paper within days of its release), else the day it was added."""
    if published_at is not None:
        return utc(published_at).date()
    if announced_on is not None:
        return announced_on
    if first_featured is not None:
        return first_featured
    return utc(created_at).date() if created_at is not None else None


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
    summary: str | None = None  # one sentence made by the index job (store/summaries.py), None until then
    created_at: datetime | None = None  # when it was added here: its day when nothing else dates it

    @property
    def is_arxiv(self) -> bool:
        return not self.id.startswith("pf-")

    @property
    def withdrawn(self) -> bool:
        """Its latest version says the paper was withdrawn (pages mark it, the API flags it)."""
        return is_withdrawn(self.comment, self.abstract)

    @property
    def day(self) -> date | None:
        """The paper's date (``paper_day``, as the search indexes date it: else the day it was added here)."""
        first = self.featured[0].day if self.featured else None
        return paper_day(self.published_at, self.announced_on, first, self.created_at)

    @property
    def year(self) -> int | None:
        """The year to cite: of its publication, else of its arXiv id (the month of its first version)."""
        if self.published_at is not None:
            return self.published_at.year
        return arxiv_year(self.id) or (self.day.year if self.day else None)


# the queries of every page, built once (db.execute_in)
_a, _c, _s = paper_authors, paper_categories, paper_summaries
_AUTHORS = select(_a.c.paper_id, _a.c.name).where(_a.c.paper_id.in_(ids_param())).order_by(_a.c.paper_id, _a.c.position)
_FIRST_AUTHORS = _AUTHORS.where(_a.c.position < 3)
_CATEGORIES = select(_c.c.paper_id, _c.c.category).where(_c.c.paper_id.in_(ids_param())).order_by(_c.c.category)
_FEATURED = select(featured).where(featured.c.paper_id.in_(ids_param())).order_by(featured.c.day)
_COUNTS = select(
    papers.c.id,
    upvotes_total(),
    select(func.count()).where(comments.c.paper_id == papers.c.id, VISIBLE_COMMENT).scalar_subquery(),
    select(_s.c.summary).where(_s.c.paper_id == papers.c.id, _s.c.summary != "").scalar_subquery(),
).where(papers.c.id.in_(ids_param()))
_PAPER = select(papers).where(papers.c.id == bindparam("pid"))
_PAPERS = select(papers).where(papers.c.id.in_(ids_param()))
_TITLES = select(papers.c.id, papers.c.title).where(papers.c.id.in_(ids_param()), papers.c.hidden.is_(False))
_v = paper_versions
_VERSIONS = select(_v).where(_v.c.paper_id == bindparam("pid")).order_by(_v.c.version)


def authors_of(conn: Connection, ids: Iterable[str]) -> dict[str, list[str]]:
    """``{paper_id: [author, ...]}`` in order, for any number of papers."""
    out: dict[str, list[str]] = defaultdict(list)
    for pid, name in execute_in(conn, _AUTHORS, ids):
        out[pid].append(name)
    return out


def categories_of(conn: Connection, ids: Iterable[str]) -> dict[str, list[str]]:
    """``{paper_id: [category, ...]}`` (sorted; the primary one is on ``papers``), for any number of papers."""
    out: dict[str, list[str]] = defaultdict(list)
    for pid, cat in execute_in(conn, _CATEGORIES, ids):
        out[pid].append(cat)
    return out


def authors_and_categories(conn: Connection, ids: Sequence[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Authors in order and categories (sorted) of the given papers."""
    return authors_of(conn, ids), categories_of(conn, ids)


# the ``papers`` columns a view reads, by position: a Row's attribute access costs ~1 us (its __getattr__
# is Python), and 30 cards read 600 of them (a quarter of ``get_papers``); positions are read in C
_VIEW_COLUMNS = ("id", "version", "title", "abstract", "primary_category", "comment", "journal_ref", "doi",
                 "published_at", "updated_at", "announced_on", "abs_url", "pdf_url", "code_url", "project_url",
                 "hf_upvotes", "keywords", "sources", "hidden", "created_at")  # fmt: skip
_COLUMNS = list(papers.columns.keys())
_view_fields = itemgetter(*map(_COLUMNS.index, _VIEW_COLUMNS))
_ID = _COLUMNS.index("id")


def _views(conn: Connection, rows: Sequence) -> list[PaperView]:
    """Views of ``rows`` (of ``select(papers)``), in their order, with their authors, categories, featured
    days, counts, keyphrases and summaries."""
    ids = [r[_ID] for r in rows]
    if not ids:
        return []
    authors, cats = authors_and_categories(conn, ids)
    days: dict[str, list[FeaturedDay]] = defaultdict(list)
    for f in execute_in(conn, _FEATURED, ids):
        days[f.paper_id].append(FeaturedDay(f.day, f.submitted_by, f.upvotes, f.source))
    counts = _counts(conn, ids)
    phrases = keyphrases_of(conn, ids)
    out = []
    for r in rows:
        (pid, version, title, abstract, primary, comment, journal_ref, doi, published_at, updated_at, announced,
         abs_url, pdf_url, code_url, project_url, hf_upvotes, keywords, sources, hidden,
         created_at) = _view_fields(r)  # fmt: skip
        c = cats.get(pid, [])
        if primary in c:
            c = [primary] + [x for x in c if x != primary]
        upvotes, num_comments, summary = counts.get(pid, (hf_upvotes or 0, 0, None))
        out.append(
            PaperView(
                id=pid, version=version, title=title, abstract=abstract, authors=authors.get(pid, []),
                primary_category=primary, categories=c, comment=comment, journal_ref=journal_ref, doi=doi,
                published_at=utc(published_at), updated_at=utc(updated_at), announced_on=announced,
                # a link stored before links were checked at import is never handed to a page
                abs_url=web_url(abs_url), pdf_url=web_url(pdf_url), code_url=web_url(code_url),
                project_url=web_url(project_url), upvotes=upvotes,
                keywords=list(keywords or []), sources=list(sources or []), featured=days.get(pid, []),
                num_comments=num_comments, hidden=hidden, imported_upvotes=hf_upvotes or 0,
                keyphrases=phrases.get(pid, []), summary=summary, created_at=utc(created_at),
            )
        )  # fmt: skip
    return out


def _counts(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[int, int, str | None]]:
    """``{paper_id: (upvotes, visible comments, one-line summary or None)}`` in one query (three were a
    tenth of a cold paper page's cost)."""
    return {pid: (upv, n, text) for pid, upv, n, text in execute_in(conn, _COUNTS, dict.fromkeys(ids))}


def get_paper(conn: Connection, paper_id: str) -> PaperView | None:
    rows = conn.execute(_PAPER, {"pid": paper_id}).all()
    views = _views(conn, rows)
    return views[0] if views else None


def get_papers(conn: Connection, ids: Sequence[str]) -> list[PaperView]:
    """Papers for ``ids`` in the given order (unknown ids are skipped)."""
    rows = list(execute_in(conn, _PAPERS, dict.fromkeys(ids)))
    by_id = {v.id: v for v in _views(conn, rows)}
    return [by_id[i] for i in ids if i in by_id]


@dataclass(slots=True)
class PaperLink:
    """What a link to a paper shows (a paper page's similar papers): its title and first authors."""

    id: str
    title: str
    authors: list[str]  # the first three at most


def links(conn: Connection, ids: Sequence[str]) -> list[PaperLink]:
    """The visible papers of ``ids``, in that order, as links: two small queries where ``get_papers``
    makes eight (a paper page's six similar papers were a fifth of its first view's cost)."""
    if not ids:
        return []
    titles = dict(execute_in(conn, _TITLES, dict.fromkeys(ids)))
    authors: dict[str, list[str]] = defaultdict(list)
    for pid, name in execute_in(conn, _FIRST_AUTHORS, list(titles)):
        authors[pid].append(name)
    return [PaperLink(pid, titles[pid], authors.get(pid, [])) for pid in ids if pid in titles]


def versions(conn: Connection, paper_id: str) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(_VERSIONS, {"pid": paper_id})]


def _in_category(category: str):
    """Papers listing ``category`` among their categories (primary or cross-list)."""
    return papers.c.id.in_(select(paper_categories.c.paper_id).where(paper_categories.c.category == category))


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
    """``lists.featured_ids`` as views (the API, the feeds, the MCP tools)."""
    ids, total = lists.featured_ids(
        conn, start, end, submitter=submitter, keyword=keyword, order=order, limit=limit, offset=offset
    )
    return get_papers(conn, ids), total


def announced_on(
    conn: Connection, day: date, *, keyword: str | None = None, limit: int = 30, offset: int = 0
) -> tuple[list[PaperView], int]:
    """``lists.announced_ids`` as views."""
    ids, total = lists.announced_ids(conn, day, keyword=keyword, limit=limit, offset=offset)
    return get_papers(conn, ids), total


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
    q = (
        select(papers.c.id, upvotes_total(), first_day.c.day, papers.c.announced_on, papers.c.published_at)
        .outerjoin(first_day, first_day.c.paper_id == papers.c.id)
        .where(
            VISIBLE,
            or_(first_day.c.day >= since, papers.c.announced_on >= since, papers.c.published_at >= day_start(since)),
        )
    )
    if category:
        q = q.where(_in_category(category))
    out = []
    for pid, upvotes, fday, ann, pub in conn.execute(q):
        if not upvotes:
            continue  # a paper nobody voted for is not trending
        when = fday or ann
        out.append(TrendingRow(pid, upvotes, day_start(when) if when else utc(pub)))
    return out


@dataclass(frozen=True)
class FreshPaper:
    id: str
    day: date  # the newest day it was listed: arXiv announcement, featured day, else publication
    upvotes: int  # imported + community


def fresh_papers(conn: Connection, *, since: date, until: date) -> dict[str, FreshPaper]:
    """Visible papers listed (announced, featured, else published) on a day in ``since..until`` (digests, "for you")."""
    start, end = day_start(since), day_start(until + timedelta(days=1))
    feat = dict(
        conn.execute(
            select(featured.c.paper_id, func.max(featured.c.day))
            .where(featured.c.day.between(since, until))
            .group_by(featured.c.paper_id)
        ).all()
    )
    q = select(papers.c.id, papers.c.announced_on, papers.c.published_at, upvotes_total()).where(
        VISIBLE,
        or_(
            papers.c.announced_on.between(since, until),
            (papers.c.published_at >= start) & (papers.c.published_at < end),
            papers.c.id.in_(select(featured.c.paper_id).where(featured.c.day.between(since, until))),
        ),
    )
    out = {}
    for pid, ann, pub, upvotes in conn.execute(q):
        days = [d for d in (ann, feat.get(pid), utc(pub).date() if pub else None) if d and since <= d <= until]
        if days:
            out[pid] = FreshPaper(pid, max(days), upvotes)
    return out


def by_author(conn: Connection, name: str, *, limit: int = 30, offset: int = 0) -> tuple[list[PaperView], int]:
    """``lists.author_ids`` as views (the author feeds)."""
    ids, total = lists.author_ids(conn, name, limit=limit, offset=offset)
    return get_papers(conn, ids), total


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
        "users": one(select(func.count()).where(users.c.deleted_at.is_(None))),  # not deleted accounts' rows
        "votes": one(select(func.count()).select_from(votes)),
        "comments": one(select(func.count()).select_from(comments)),
        "collections": one(select(func.count()).select_from(collections)),
    }


def count_visible(conn: Connection) -> int:
    return conn.execute(select(func.count()).where(VISIBLE)).scalar_one()


def visible_page(conn: Connection, *, offset: int, limit: int) -> list[tuple[str, datetime]]:
    """``(id, modified_at)`` of visible papers in id order, one page of them (the sitemap's pages)."""
    q = select(papers.c.id, papers.c.modified_at).where(VISIBLE).order_by(papers.c.id).offset(offset).limit(limit)
    return [(r.id, utc(r.modified_at)) for r in conn.execute(q)]


def visible_pages_modified(conn: Connection, size: int) -> list[datetime]:
    """The newest ``modified_at`` of each ``visible_page`` of ``size`` papers, in page order (the sitemap
    index's ``lastmod``): one pass over the visible papers' ids."""
    n = (func.row_number().over(order_by=papers.c.id) - 1).label("n")
    ranked = select(n, papers.c.modified_at).where(VISIBLE).subquery()
    page = (ranked.c.n // size).label("page")
    q = select(func.max(ranked.c.modified_at)).group_by(page).order_by(page)
    return [utc(m) for m in conn.execute(q).scalars()]
