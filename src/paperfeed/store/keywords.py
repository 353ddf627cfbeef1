"""Extracted keyphrases (``paper_keywords``): what the index job stores, cards show and filters use.

A paper's keywords follow its vector: the index job extracts them right after embedding (they are scored
against the stored vector), and storing a new vector for a paper (its text changed) drops its old
keywords in the same transaction, so the next keyword step recomputes them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, insert, select

from .community import upvotes_total
from .db import execute_in, ids_param, select_in
from .models import paper_keywords, paper_vectors, papers

MAX_KEYWORD_CHARS = 200


@dataclass(slots=True)
class ToExtract:
    id: str
    title: str
    abstract: str
    vector: bytes


def _missing():
    return ~select(paper_keywords.c.paper_id).where(paper_keywords.c.paper_id == papers.c.id).exists()


def next_to_extract(conn: Connection, model: str, *, after: str = "", page: int = 512) -> list[ToExtract]:
    """The next page (by id, after ``after``) of visible papers with a vector for ``model`` and no keywords."""
    v = paper_vectors
    q = (
        select(papers.c.id, papers.c.title, papers.c.abstract, v.c.vector)
        .join(v, (v.c.paper_id == papers.c.id) & (v.c.model == model))
        .where(papers.c.id > after, papers.c.hidden.is_(False), _missing())
        .order_by(papers.c.id)
        .limit(page)
    )
    return [ToExtract(r.id, r.title or "", r.abstract or "", bytes(r.vector)) for r in conn.execute(q)]


def count_to_extract(conn: Connection, model: str) -> int:
    v = paper_vectors
    q = (
        select(func.count())
        .select_from(papers.join(v, (v.c.paper_id == papers.c.id) & (v.c.model == model)))
        .where(papers.c.hidden.is_(False), _missing())
    )
    return conn.execute(q).scalar_one()


def save_keywords(conn: Connection, rows: Iterable[tuple[str, list[tuple[str, float]]]]) -> int:
    """Replace the keywords of each ``(paper_id, [(keyword, score)])``; returns the keywords stored."""
    rows = list(rows)
    if not rows:
        return 0
    forget(conn, [pid for pid, _ in rows])
    values = []
    for pid, kws in rows:
        seen = set()
        for kw, score in kws:
            kw = kw.strip()[:MAX_KEYWORD_CHARS]
            if kw and kw not in seen:
                seen.add(kw)
                values.append({"paper_id": pid, "keyword": kw, "score": float(score)})
    if values:
        conn.execute(insert(paper_keywords), values)
    return len(values)


def forget(conn: Connection, ids: Sequence[str]) -> None:
    """Drop the keywords of these papers (their text changed: the job extracts them again)."""
    if ids:
        conn.execute(delete(paper_keywords).where(paper_keywords.c.paper_id.in_(list(ids))))


_k = paper_keywords
_FOR_PAPERS = (  # built once: every page reads it (db.execute_in)
    select(_k.c.paper_id, _k.c.keyword)
    .where(_k.c.paper_id.in_(ids_param()))
    .order_by(_k.c.paper_id, _k.c.score.desc(), _k.c.keyword)
)


def for_papers(conn: Connection, ids: Sequence[str]) -> dict[str, list[str]]:
    """Each paper's keywords, best first."""
    out: dict[str, list[str]] = defaultdict(list)
    for pid, kw in execute_in(conn, _FOR_PAPERS, dict.fromkeys(ids)):
        out[pid].append(kw)
    return out


def with_keyword(keyword: str):
    """A condition on ``papers``: the paper has this keyword, as its chips show it or in another case ("kv
    cache", "KV Cache" and "KV cache" are one page; the database lower-cases both sides, by an index)."""
    return papers.c.id.in_(
        select(paper_keywords.c.paper_id).where(func.lower(paper_keywords.c.keyword) == func.lower(keyword))
    )


def paper_ids(conn: Connection, keyword: str, *, limit: int = 50_000) -> list[str]:
    """Visible papers with this keyword (for filters that work on ids, like search)."""
    q = select(papers.c.id).where(with_keyword(keyword), papers.c.hidden.is_(False)).order_by(papers.c.id).limit(limit)
    return list(conn.execute(q).scalars())


def as_written(keyword: str, views: Iterable) -> str:
    """``keyword`` as the papers' (views') own keyphrases write it ("kv cache" -> "KV cache"), else as given."""
    low = keyword.lower()
    return next((k for v in views for k in v.keyphrases if k.lower() == low), keyword)


def papers_with(
    conn: Connection, keyword: str, *, order: str = "published", limit: int = 30, offset: int = 0
) -> tuple[list[str], int]:
    """Ids of visible papers with ``keyword``, newest first or most upvoted first, and their count."""
    cond = with_keyword(keyword) & papers.c.hidden.is_(False)
    total = conn.execute(select(func.count()).where(cond)).scalar_one()
    if order == "upvotes":
        q = select(papers.c.id).where(cond).order_by(upvotes_total().desc(), papers.c.id)
    else:
        when = func.coalesce(papers.c.published_at, papers.c.created_at)
        q = select(papers.c.id).where(cond).order_by(when.desc(), papers.c.id.desc())
    return list(conn.execute(q.limit(limit).offset(offset)).scalars()), total


def top_keywords(conn: Connection, ids: Sequence[str]) -> dict[str, list[tuple[str, float]]]:
    """``{paper_id: [(keyword, score)]}`` for many papers (topic labels), in chunks the databases accept."""
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    q = select(paper_keywords.c.paper_id, paper_keywords.c.keyword, paper_keywords.c.score)
    for pid, kw, score in select_in(conn, q, paper_keywords.c.paper_id, ids):
        out[pid].append((kw, score))
    return out


def count_keywords(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(paper_keywords)).scalar_one()
