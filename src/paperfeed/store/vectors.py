"""What the search indexes read and write: papers streamed by ``modified_at``, and ``paper_vectors``.

The lexical and vector indexes in the data dir are derived data. They follow the database through two
watermarks: ``papers.modified_at`` (every insert or change of a paper bumps it) and
``paper_vectors.created_at`` (every stored embedding). Streams page by keyset ``(timestamp, id)`` so that a
rebuild of a million papers never holds more than one page in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ARRAY, Connection, and_, any_, bindparam, delete, func, insert, or_, select

from ..clock import utc
from .db import chunked, execute_in, ids_param
from .models import featured, paper_vectors, papers
from .papers import authors_and_categories, paper_day

PAGE = 2_000


@dataclass(slots=True)
class IndexDoc:
    """One paper as the indexes see it."""

    id: str
    title: str
    abstract: str
    authors: list[str]
    categories: list[str]
    day: date | None  # store.papers.paper_day: the date filters and the "newest" sort use
    has_code: bool
    upvotes: int  # imported (HF) upvotes
    hidden: bool
    modified_at: datetime


_FIRST_FEATURED = (
    select(featured.c.paper_id, func.min(featured.c.day))
    .where(featured.c.paper_id.in_(ids_param()))
    .group_by(featured.c.paper_id)
)
_DOC_COLUMNS = (
    papers.c.id,
    papers.c.title,
    papers.c.abstract,
    papers.c.primary_category,
    papers.c.published_at,
    papers.c.announced_on,
    papers.c.created_at,
    papers.c.code_url,
    papers.c.hf_upvotes,
    papers.c.hidden,
    papers.c.modified_at,
)


def _docs(conn: Connection, rows: Sequence) -> list[IndexDoc]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    authors, cat_lists = authors_and_categories(conn, ids)
    first_featured = dict(execute_in(conn, _FIRST_FEATURED, ids))
    out = []
    for r in rows:
        c = set(cat_lists.get(r.id, []))
        if r.primary_category:
            c.add(r.primary_category)
        out.append(
            IndexDoc(
                id=r.id,
                title=r.title or "",
                abstract=r.abstract or "",
                authors=authors.get(r.id, []),
                categories=sorted(c),
                day=paper_day(r.published_at, r.announced_on, first_featured.get(r.id), r.created_at),
                has_code=bool(r.code_url),
                upvotes=r.hf_upvotes or 0,
                hidden=bool(r.hidden),
                modified_at=utc(r.modified_at),
            )
        )
    return out


def iter_modified(conn: Connection, since: datetime | None = None, *, page: int = PAGE) -> Iterator[list[IndexDoc]]:
    """Pages of papers modified strictly after ``since`` (all papers when None), oldest change first."""
    last: tuple[datetime, str] | None = None
    while True:
        q = select(*_DOC_COLUMNS)
        if since is not None:
            q = q.where(papers.c.modified_at > since)
        if last is not None:
            q = q.where(
                or_(papers.c.modified_at > last[0], and_(papers.c.modified_at == last[0], papers.c.id > last[1]))
            )
        rows = conn.execute(q.order_by(papers.c.modified_at, papers.c.id).limit(page)).all()
        if not rows:
            return
        yield _docs(conn, rows)
        last = (rows[-1].modified_at, rows[-1].id)
        if len(rows) < page:
            return


def get_docs(conn: Connection, ids: Sequence[str]) -> list[IndexDoc]:
    """Index documents for ``ids``, in the given order (unknown ids skipped)."""
    if not ids:
        return []
    rows = conn.execute(select(*_DOC_COLUMNS).where(papers.c.id.in_(list(ids)))).all()
    by_id = {d.id: d for d in _docs(conn, rows)}
    return [by_id[i] for i in ids if i in by_id]


def max_modified_at(conn: Connection) -> datetime | None:
    return utc(conn.execute(select(func.max(papers.c.modified_at))).scalar())


def count_papers(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(papers)).scalar_one()


def all_ids(conn: Connection) -> set[str]:
    return set(conn.execute(select(papers.c.id)).scalars())


# the visible papers among many ids, the ids bound as one value (a JSON array on SQLite, an array on
# PostgreSQL) instead of one parameter each: a search page checks up to offset + 50 of its ranked places
_VISIBLE = {
    "sqlite": select(func.json_group_array(papers.c.id)).where(
        papers.c.hidden.is_(False),
        papers.c.id.in_(select(func.json_each(bindparam("ids")).table_valued("value").c.value)),
    ),
    "postgresql": select(papers.c.id).where(
        papers.c.hidden.is_(False), papers.c.id == any_(bindparam("ids", type_=ARRAY(papers.c.id.type)))
    ),
}


def visible(conn: Connection, ids: Sequence[str]) -> set[str]:
    """Those of ``ids`` that exist and are not hidden: the last word on what a result list may show. One
    statement with one bound value whatever their number (a search page checks up to offset + 50 places):
    half the cost of a parameter per id."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return set()
    if conn.dialect.name == "sqlite":  # the rows come as one JSON array: one step of the engine (db._Packed)
        return set(json.loads(conn.execute(_VISIBLE["sqlite"], {"ids": json.dumps(ids)}).scalar_one()))
    return set(conn.execute(_VISIBLE["postgresql"], {"ids": ids}).scalars())


# --- vectors ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class ToEmbed:
    id: str
    title: str
    abstract: str


def next_to_embed(
    conn: Connection, model: str, text_hash, *, after: str = "", page: int = PAGE, rebuild: bool = False
) -> tuple[list[ToEmbed], str | None]:
    """The next page (by id, after ``after``) of visible papers whose vector for ``model`` is missing or stale.

    Returns ``(papers to embed, last id seen)``; the last id is None when the table is exhausted.
    ``text_hash(title, abstract)`` tells whether a stored vector still matches the paper's text. Pages run
    by id, so an interrupted job resumes where it stopped (what it stored is no longer missing).
    """
    return stale_page(conn, paper_vectors, model, text_hash, after=after, page=page, rebuild=rebuild)


def stale_page(
    conn: Connection, table, model: str, text_hash, *, after: str, page: int, rebuild: bool
) -> tuple[list[ToEmbed], str | None]:
    """``next_to_embed`` over ``table``: any table of per-paper, per-model rows with a ``text_hash``."""
    v = table
    q = (
        select(papers.c.id, papers.c.title, papers.c.abstract, v.c.text_hash)
        .select_from(papers.outerjoin(v, and_(v.c.paper_id == papers.c.id, v.c.model == model)))
        .where(papers.c.id > after, papers.c.hidden.is_(False))
        .order_by(papers.c.id)
        .limit(page)
    )
    rows = conn.execute(q).all()
    if not rows:
        return [], None
    todo = [
        ToEmbed(r.id, r.title or "", r.abstract or "")
        for r in rows
        if rebuild or r.text_hash is None or r.text_hash != text_hash(r.title or "", r.abstract or "")
    ]
    return todo, rows[-1].id


def missing_count(conn: Connection, table, model: str) -> int:
    """Visible papers with no row for ``model`` in ``table`` (as ``stale_page``'s; stale rows are not
    counted: that needs the text)."""
    has = select(table.c.paper_id).where(table.c.paper_id == papers.c.id, table.c.model == model).exists()
    return conn.execute(select(func.count()).where(papers.c.hidden.is_(False), ~has)).scalar_one()


def count_to_embed(conn: Connection, model: str) -> int:
    """Visible papers with no vector for ``model``, or one an import marked stale (its text changed:
    ``upsert``'s empty ``text_hash``)."""
    v = paper_vectors
    stale = select(v.c.paper_id).where(v.c.paper_id == papers.c.id, v.c.model == model, v.c.text_hash == "").exists()
    return (
        missing_count(conn, v, model)
        + conn.execute(select(func.count()).where(papers.c.hidden.is_(False), stale)).scalar_one()
    )


def save_vectors(
    conn: Connection, model: str, rows: Iterable[tuple[str, str, bytes]], *, now: datetime | None = None
) -> int:
    """Store ``(paper_id, text_hash, float32 bytes)`` for ``model``, replacing older vectors."""
    rows = list(rows)
    if not rows:
        return 0
    now = now or datetime.now(UTC)
    ids = [r[0] for r in rows]
    conn.execute(delete(paper_vectors).where(paper_vectors.c.model == model, paper_vectors.c.paper_id.in_(ids)))
    conn.execute(
        insert(paper_vectors),
        [{"paper_id": p, "model": model, "text_hash": h, "vector": b, "created_at": now} for p, h, b in rows],
    )
    return len(rows)


def delete_vectors(conn: Connection, model: str) -> int:
    return conn.execute(delete(paper_vectors).where(paper_vectors.c.model == model)).rowcount


def iter_vectors(
    conn: Connection, model: str, since: datetime | None = None, *, after_id: str | None = None, page: int = 10_000
) -> Iterator[list[tuple[str, bytes, datetime]]]:
    """Pages of ``(paper_id, vector bytes, created_at)`` stored after ``since`` (or at ``since``, with an id
    after ``after_id``: a reader that stopped inside a batch stored at one instant), oldest first.

    Two steps, so the database sorts ids and timestamps but never the vectors: the order first, then each
    page's vectors by primary key. (Paging the sorted rows with a keyset made the database sort every
    remaining vector again for each page, with no index on ``created_at``: quadratic, hundreds of GB read
    to rebuild the graph of 1M papers.)
    """
    v = paper_vectors
    q = select(v.c.paper_id, v.c.created_at).where(v.c.model == model)
    if since is not None and after_id is not None:
        # the range first (ix_paper_vectors_model_created), then the keyset inside it
        q = q.where(v.c.created_at >= since, or_(v.c.created_at > since, v.c.paper_id > after_id))
    elif since is not None:
        q = q.where(v.c.created_at > since)
    order = conn.execute(q.order_by(v.c.created_at, v.c.paper_id)).all()
    for part in chunked(order, page):
        blobs = get_vectors(conn, model, [r.paper_id for r in part])
        rows = [(r.paper_id, blobs[r.paper_id], utc(r.created_at)) for r in part if r.paper_id in blobs]
        if rows:  # a vector deleted meanwhile is skipped
            yield rows


def max_vector_created_at(conn: Connection, model: str) -> datetime | None:
    q = select(func.max(paper_vectors.c.created_at)).where(paper_vectors.c.model == model)
    return utc(conn.execute(q).scalar())


def get_vectors(conn: Connection, model: str, ids: Sequence[str]) -> dict[str, bytes]:
    if not ids:
        return {}
    v = paper_vectors
    q = select(v.c.paper_id, v.c.vector).where(v.c.model == model, v.c.paper_id.in_(list(ids)))
    return {pid: bytes(b) for pid, b in conn.execute(q)}
