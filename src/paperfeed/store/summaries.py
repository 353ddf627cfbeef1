"""One-sentence summaries (``paper_summaries``): what the index job stores and every surface shows.

A summary is scored against the paper's stored vector (index/summaries.py), so it follows the vector: a
paper needs one when it has a vector and no summary, or a summary made for another text (its
``text_hash`` differs from the vector's) or by another method. Papers whose abstract gives none keep an
empty row, so the job does not try them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, func, insert, or_, select

from .db import select_in
from .models import paper_summaries, paper_vectors, papers

MAX_SUMMARY_CHARS = 1_000


@dataclass(slots=True)
class ToSummarize:
    id: str
    title: str
    abstract: str
    text_hash: str  # the vector's
    vector: bytes


def _todo(columns, model: str, method: str):
    v, s = paper_vectors, paper_summaries
    return (
        select(*columns)
        .select_from(
            papers.join(v, (v.c.paper_id == papers.c.id) & (v.c.model == model)).outerjoin(
                s, s.c.paper_id == papers.c.id
            )
        )
        .where(
            papers.c.hidden.is_(False),
            or_(s.c.paper_id.is_(None), s.c.text_hash != v.c.text_hash, s.c.method != method),
        )
    )


def next_to_summarize(
    conn: Connection, model: str, method: str, *, after: str = "", page: int = 256, ids: Sequence[str] | None = None
) -> list[ToSummarize]:
    """The next page (by id, after ``after``) of visible papers with a vector for ``model`` whose summary is
    missing or stale; with ``ids``, those of these papers (any number) that need one."""
    v = paper_vectors
    q = _todo((papers.c.id, papers.c.title, papers.c.abstract, v.c.text_hash, v.c.vector), model, method)
    if ids is not None:
        rows = select_in(conn, q, papers.c.id, ids)
    else:
        rows = conn.execute(q.where(papers.c.id > after).order_by(papers.c.id).limit(page))
    return [ToSummarize(r.id, r.title or "", r.abstract or "", r.text_hash, bytes(r.vector)) for r in rows]


def count_to_summarize(conn: Connection, model: str, method: str) -> int:
    return conn.execute(_todo((func.count(),), model, method)).scalar_one()


def save_summaries(conn: Connection, rows: Iterable[tuple[str, str, str]], method: str) -> int:
    """Store ``(paper_id, text_hash, summary)`` rows made by ``method``, replacing older ones."""
    rows = list(rows)
    if not rows:
        return 0
    now = datetime.now(UTC)
    forget(conn, [r[0] for r in rows])
    conn.execute(
        insert(paper_summaries),
        [
            {"paper_id": p, "summary": (s or "").strip()[:MAX_SUMMARY_CHARS], "text_hash": h, "method": method,
             "created_at": now}
            for p, h, s in rows
        ],
    )  # fmt: skip
    return len(rows)


def forget(conn: Connection, ids: Sequence[str]) -> None:
    if ids:
        conn.execute(delete(paper_summaries).where(paper_summaries.c.paper_id.in_(list(ids))))


def for_papers(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    """``{paper_id: summary}`` of the papers that have a (non-empty) one, for any number of papers."""
    q = select(paper_summaries.c.paper_id, paper_summaries.c.summary).where(paper_summaries.c.summary != "")
    return {pid: text for pid, text in select_in(conn, q, paper_summaries.c.paper_id, ids)}


def count_summaries(conn: Connection) -> int:
    return conn.execute(select(func.count()).where(paper_summaries.c.summary != "")).scalar_one()
