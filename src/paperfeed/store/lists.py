"""Which papers a list shows: the ids of one page of a day's, week's or month's list, of a day's arXiv
announcements and of an author's papers, with their counts, in the lists' orders.

A page of cards reads these ids, then what its cards show (``cards.cards``, one statement); the API, the
feeds and the MCP tools read whole ``PaperView``s of the same ids (``papers.featured_between`` and its
neighbours). A list page's heading writes its author or keyword as the listed papers write them
(``author_as_written``, ``keyword_as_written``): a card shows five authors and six keyphrases, not all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, bindparam, func, select

from ..ids import author_key
from .community import upvotes_total
from .db import ids_param
from .keywords import with_keyword
from .models import featured, paper_authors, paper_keywords, papers

VISIBLE = papers.c.hidden.is_(False)
NEWEST = (func.coalesce(papers.c.published_at, papers.c.created_at).desc(), papers.c.id.desc())


def featured_ids(
    conn: Connection,
    start: date,
    end: date,
    *,
    submitter: str | None = None,
    keyword: str | None = None,
    order: str = "upvotes",
    limit: int = 30,
    offset: int = 0,
) -> tuple[list[str], int]:
    """Visible papers featured on days ``start..end`` (inclusive), one page of them, and their count.

    ``order``: "upvotes" (imported + community, most first) or "published" (newest first).
    """
    on = select(featured.c.paper_id).where(featured.c.day.between(start, end))
    if submitter:
        on = on.where(featured.c.submitted_by == submitter)
    on = on.group_by(featured.c.paper_id).subquery()
    base = select(papers.c.id).join(on, on.c.paper_id == papers.c.id).where(VISIBLE)
    if keyword:
        base = base.where(with_keyword(keyword))
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    keys = NEWEST if order == "published" else (upvotes_total().desc(), papers.c.id)
    return list(conn.execute(base.order_by(*keys).limit(limit).offset(offset)).scalars()), total


def announced_ids(
    conn: Connection, day: date, *, keyword: str | None = None, limit: int = 30, offset: int = 0
) -> tuple[list[str], int]:
    """arXiv announcements of ``day`` (papers first listed that day), newest id first, and their count."""
    cond = (papers.c.announced_on == day) & VISIBLE
    if keyword:
        cond = cond & with_keyword(keyword)
    total = conn.execute(select(func.count()).where(cond)).scalar_one()
    q = select(papers.c.id).where(cond).order_by(papers.c.id.desc()).limit(limit).offset(offset)
    return list(conn.execute(q).scalars()), total


def author_ids(conn: Connection, name: str, *, limit: int = 30, offset: int = 0) -> tuple[list[str], int]:
    """Visible papers with an author of this name, newest first, and their count: case and accents do not
    count (``ids.author_key``: "Aleksander Madry" finds the papers of "Aleksander Mądry" too)."""
    cond = papers.c.id.in_(select(paper_authors.c.paper_id).where(paper_authors.c.name_key == author_key(name)))
    cond = cond & VISIBLE
    total = conn.execute(select(func.count()).where(cond)).scalar_one()
    q = select(papers.c.id).where(cond).order_by(*NEWEST).limit(limit).offset(offset)
    return list(conn.execute(q).scalars()), total


_a, _k = paper_authors, paper_keywords
_AUTHOR_NAMES = (
    select(_a.c.paper_id, _a.c.name)
    .where(_a.c.paper_id.in_(ids_param()), _a.c.name_key == bindparam("key"))
    .order_by(_a.c.position)
)
_KEYWORDS = select(_k.c.paper_id, _k.c.keyword).where(
    _k.c.paper_id.in_(ids_param()), func.lower(_k.c.keyword) == func.lower(bindparam("key"))
)
_KEYWORDS = _KEYWORDS.order_by(_k.c.score.desc(), _k.c.keyword)


def _first(conn: Connection, stmt, ids: Sequence[str], key: str) -> str | None:
    """The first value of ``stmt``'s rows (paper id, value) in the order of ``ids``, then its own order."""
    rows = conn.execute(stmt, {"ids": list(dict.fromkeys(ids)), "key": key}).all() if ids else []
    first: dict[str, str] = {}
    for pid, value in rows:
        first.setdefault(pid, value)
    return next((first[i] for i in ids if i in first), None)


def author_as_written(conn: Connection, name: str, ids: Sequence[str]) -> str:
    """``name`` as the first of the papers ``ids`` that has that author writes it ("tim salimans" ->
    "Tim Salimans"; case and accents folded as ``author_ids`` folds them), else as given."""
    return _first(conn, _AUTHOR_NAMES, ids, author_key(name)) or name


def keyword_as_written(conn: Connection, keyword: str, ids: Sequence[str]) -> str:
    """``keyword`` as the first of the papers ``ids`` with it writes it among its keyphrases, best first
    ("kv cache" -> "KV cache"; case folded by the database, as ``keywords.with_keyword``), else as given."""
    return _first(conn, _KEYWORDS, ids, keyword) or keyword
