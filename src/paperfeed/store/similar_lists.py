"""Stored similar papers (``similar_lists``): each paper's whole-paper similar list, so that a page reads it
instead of ranking it on every first view (docs/search.md, "Stored similar papers").

The index job ranks the lists (``rank/similar.py`` computes, ``index/job.py`` orchestrates) and a page that
finds none ranks and keeps one. A list is out of date when the paper's vector changed (``text_hash``), the
model or the ranking did (``method``), or a newer paper may belong in it (``stale``: the job marks the
lists of a new paper's nearest papers). Lists are never filtered here: whoever reads one drops hidden and
deleted papers (``vectors.visible``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update

from .db import chunked
from .models import paper_vectors, papers, similar_lists

Item = tuple[str, float, str]  # (paper_id, score, why)


@dataclass(slots=True)
class ToRank:
    paper_id: str
    text_hash: str  # of the paper's vector now
    new: bool  # never ranked by the job for this vector: it may belong in its neighbours' lists


_s = similar_lists
_GET = select(_s.c.hits).where(_s.c.paper_id == bindparam("pid"), _s.c.model == bindparam("model"),
                               _s.c.method == bindparam("method"))  # fmt: skip


def get(conn: Connection, paper_id: str, *, model: str, method: str) -> list[Item] | None:
    """The stored list of ``paper_id`` (hidden papers included), or None when there is none for this model
    and ranking. A stale list is still returned: it is the best there is until the job ranks it again."""
    row = conn.execute(_GET, {"pid": paper_id, "model": model, "method": method}).first()
    if row is None:
        return None
    return [(str(pid), float(score), str(why)) for pid, score, why in row.hits]


def _todo(columns, model: str, method: str):
    v, s = paper_vectors, similar_lists
    return (
        select(*columns)
        .select_from(
            papers.join(v, and_(v.c.paper_id == papers.c.id, v.c.model == model)).outerjoin(
                s, s.c.paper_id == papers.c.id
            )
        )
        .where(
            papers.c.hidden.is_(False),
            or_(
                s.c.paper_id.is_(None),
                s.c.text_hash != v.c.text_hash,
                s.c.model != model,
                s.c.method != method,
                s.c.stale.is_(True),
            ),
        )
    )


def next_to_rank(conn: Connection, model: str, method: str, *, after: str = "", page: int = 256) -> list[ToRank]:
    """The next page (by id, after ``after``) of visible papers with a vector for ``model`` whose list is
    missing or out of date."""
    s, v = similar_lists, paper_vectors
    q = _todo((papers.c.id, v.c.text_hash, s.c.paper_id.label("listed"), s.c.text_hash.label("ranked_hash")), model,
              method)  # fmt: skip
    rows = conn.execute(q.where(papers.c.id > after).order_by(papers.c.id).limit(page))
    return [ToRank(r.id, r.text_hash, r.listed is None or r.ranked_hash != r.text_hash) for r in rows]


def count_to_rank(conn: Connection, model: str, method: str) -> int:
    return conn.execute(_todo((func.count(),), model, method)).scalar_one()


def save(
    conn: Connection,
    rows: Iterable[tuple[str, str, Sequence[Item]]],
    *,
    model: str,
    method: str,
    now: datetime | None = None,
) -> int:
    """Store ``(paper_id, text_hash, items)`` lists, replacing older ones (two writers of the same list,
    such as two pages, leave one of theirs)."""
    rows = list(rows)
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = now or datetime.now(UTC)
    values = [
        {"paper_id": pid, "model": model, "text_hash": h, "method": method, "stale": False, "computed_at": now,
         "hits": [[p, round(float(score), 6), why] for p, score, why in items]}
        for pid, h, items in rows
    ]  # fmt: skip
    q = insert(similar_lists)
    cols = ("model", "text_hash", "method", "hits", "stale", "computed_at")
    conn.execute(q.on_conflict_do_update(index_elements=["paper_id"], set_={c: q.excluded[c] for c in cols}), values)
    return len(rows)


def mark_stale(conn: Connection, ids: Iterable[str], *, before: datetime) -> int:
    """Mark the lists of ``ids`` ranked before ``before`` stale (a newer paper may belong in them)."""
    s, n = similar_lists, 0
    for part in chunked(sorted(set(ids))):
        q = update(s).where(s.c.paper_id.in_(part), s.c.computed_at < before, s.c.stale.is_(False))
        n += conn.execute(q.values(stale=True)).rowcount
    return n


def count_lists(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(similar_lists)).scalar_one()
