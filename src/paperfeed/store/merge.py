"""One paper stored twice becomes one: a paper first seen without an arXiv id (``pf-`` + its title's hash, from
a Hugging Face list or a file) merges into its arXiv record when that arrives with the same title.

``merge_into`` runs inside the caller's transaction (the upsert's), so a merge is whole or not at all: the
community's votes, comments and collection items, the featured days, reports and digest history move to the
arXiv paper (where a reader voted on or collected both, one is kept), its imported upvotes and links fill the
arXiv paper's gaps, and the old id becomes an alias (``paper_aliases``) that later imports of it resolve to.
Derived rows of the old paper (vectors, summaries, similar lists) go with it: the index job makes the arXiv
paper's, and searches drop the old id (their pages are checked against the store).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, delete, exists, insert, select, update
from sqlalchemy.orm import aliased

from ..records import is_guessed_day
from .models import collection_items, comments, featured, paper_aliases, papers, reports, sent_papers, votes


def resolve(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """``{alias: paper id}`` for those of ``ids`` that are aliases of a merged paper."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    q = select(paper_aliases.c.alias, paper_aliases.c.paper_id).where(paper_aliases.c.alias.in_(ids))
    return dict(conn.execute(q).all())


def _move_keyed(conn: Connection, table, key: str, old: str, new: str) -> None:
    """Move ``table``'s rows of paper ``old`` to ``new`` where ``new`` has no row of the same ``key`` (a
    user's vote, a collection's item); the others, duplicates, go."""
    other = aliased(table)
    clash = exists().where(other.c.paper_id == new, other.c[key] == table.c[key])
    conn.execute(update(table).where(table.c.paper_id == old, ~clash).values(paper_id=new))
    conn.execute(delete(table).where(table.c.paper_id == old))


def _merge_row(conn: Connection, old: str, new: str, now: datetime) -> None:
    """The arXiv paper takes what the other row has and it lacks."""
    o, n = (conn.execute(select(papers).where(papers.c.id == pid)).one() for pid in (old, new))
    ch: dict = {"modified_at": now, "created_at": min(o.created_at, n.created_at)}
    for col in ("code_url", "project_url", "published_at"):
        if getattr(n, col) is None and getattr(o, col) is not None:
            ch[col] = getattr(o, col)
    guessed = is_guessed_day(n.announced_on, n.published_at) and not is_guessed_day(o.announced_on, o.published_at)
    if o.announced_on is not None and (n.announced_on is None or guessed):  # arXiv's listing day beats a guess
        ch["announced_on"] = o.announced_on
    if o.hf_upvotes is not None and (n.hf_upvotes is None or o.hf_upvotes > n.hf_upvotes):
        ch["hf_upvotes"] = o.hf_upvotes
    if o.keywords and not n.keywords:
        ch["keywords"] = list(o.keywords)
    ch["sources"] = sorted(set(n.sources or []) | set(o.sources or []))
    ch["hidden"] = bool(n.hidden or o.hidden)  # a moderator's decision about the paper stands
    conn.execute(update(papers).where(papers.c.id == new).values(**ch))


def _merge_featured(conn: Connection, old: str, new: str) -> None:
    have = {r.day: r for r in conn.execute(select(featured).where(featured.c.paper_id == new))}
    for r in conn.execute(select(featured).where(featured.c.paper_id == old)).all():
        mine = have.get(r.day)
        if mine is None:
            conn.execute(insert(featured).values(**(dict(r._mapping) | {"paper_id": new})))
            continue
        ch = {}
        if r.submitted_by and not mine.submitted_by:
            ch["submitted_by"] = r.submitted_by
        if r.upvotes is not None and (mine.upvotes is None or r.upvotes > mine.upvotes):
            ch["upvotes"] = r.upvotes
        if ch:
            conn.execute(update(featured).where(featured.c.paper_id == new, featured.c.day == r.day).values(**ch))


def _merge_reports(conn: Connection, old: str, new: str) -> None:
    """Reports of the paper follow it; a reader with an open report of both keeps one."""
    r, other = reports, aliased(reports)
    open_on_new = exists().where(
        other.c.kind == "paper", other.c.target == new, other.c.user_id == r.c.user_id, other.c.resolved_at.is_(None)
    )
    conn.execute(delete(r).where(r.c.kind == "paper", r.c.target == old, r.c.resolved_at.is_(None), open_on_new))
    conn.execute(update(r).where(r.c.kind == "paper", r.c.target == old).values(target=new))
    conn.execute(update(r).where(r.c.paper_id == old).values(paper_id=new))


def merge_into(conn: Connection, old: str, new: str, *, now: datetime) -> None:
    """Merge stored paper ``old`` into stored paper ``new`` (see the module docstring); ``old`` is gone after."""
    _merge_row(conn, old, new, now)
    _merge_featured(conn, old, new)
    _move_keyed(conn, votes, "user_id", old, new)
    _move_keyed(conn, collection_items, "collection_id", old, new)
    _move_keyed(conn, sent_papers, "subscriber_id", old, new)
    conn.execute(update(comments).where(comments.c.paper_id == old).values(paper_id=new))
    _merge_reports(conn, old, new)
    conn.execute(update(paper_aliases).where(paper_aliases.c.paper_id == old).values(paper_id=new))
    conn.execute(insert(paper_aliases).values(alias=old, paper_id=new, created_at=now))
    conn.execute(delete(papers).where(papers.c.id == old))  # its authors, versions and derived rows go with it
