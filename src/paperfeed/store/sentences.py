"""``paper_sentences``: each paper's sentences as faceted similar papers read them (index/sentences.py).

One row per paper and model: the facet letter of each sentence (title first) and their vectors as one
blob of 8-bit rows. The index job writes them (``next_to_embed`` pages by id, so an interrupted job
resumes); ``get`` reads a candidate pool's rows at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, func, insert, select

from .db import select_in
from .models import paper_sentences
from .vectors import ToEmbed, missing_count, stale_page

ToSplit = ToEmbed  # a paper whose sentences are to be labelled and embedded


def next_to_embed(
    conn: Connection,
    model: str,
    text_hash: Callable[[str, str], str],
    *,
    after: str = "",
    page: int = 2_000,
    rebuild: bool = False,
) -> tuple[list[ToSplit], str | None]:
    """The next page (by id, after ``after``) of visible papers whose sentences for ``model`` are missing
    or stale (``text_hash(title, abstract)`` differs; all of them with ``rebuild``); ``(papers, last id
    seen)``, the last id None when the table is exhausted."""
    return stale_page(conn, paper_sentences, model, text_hash, after=after, page=page, rebuild=rebuild)


def count_to_embed(conn: Connection, model: str) -> int:
    """Visible papers with no sentences for ``model`` (stale ones are found while paging)."""
    return missing_count(conn, paper_sentences, model)


def save(conn: Connection, model: str, rows: Iterable[tuple[str, str, str, bytes]]) -> int:
    """Store ``(paper_id, text_hash, facet letters, int8 vector bytes)``, replacing older rows."""
    rows = list(rows)
    if not rows:
        return 0
    now = datetime.now(UTC)
    s = paper_sentences
    conn.execute(delete(s).where(s.c.model == model, s.c.paper_id.in_([r[0] for r in rows])))
    conn.execute(
        insert(s),
        [
            {"paper_id": p, "model": model, "text_hash": h, "facets": f, "vectors": b, "created_at": now}
            for p, h, f, b in rows
        ],
    )
    return len(rows)


def get(conn: Connection, model: str, ids: Sequence[str]) -> dict[str, tuple[str, bytes]]:
    """``{paper_id: (facet letters, int8 vector bytes)}`` of those of ``ids`` that have sentences."""
    s = paper_sentences
    rows = select_in(conn, select(s.c.paper_id, s.c.facets, s.c.vectors).where(s.c.model == model), s.c.paper_id, ids)
    return {r.paper_id: (r.facets, bytes(r.vectors)) for r in rows}


def storage(conn: Connection, model: str) -> tuple[int, int, int]:
    """``(papers, sentences, vector bytes)`` stored for ``model`` (the benchmark's storage figure)."""
    s = paper_sentences
    q = select(func.count(), func.coalesce(func.sum(func.length(s.c.facets)), 0)).where(s.c.model == model)
    n, sentences = conn.execute(q).one()
    return int(n), int(sentences), int(sentences) * 384
