"""Library import in the store: match entries to papers (arXiv id, then DOI, then title), save to a collection.

Titles are compared by ``title_key``: LaTeX decoded, accents, case, punctuation and spaces folded. The
papers' titles are keyed in one pass over the table (no schema change needed; about a second for 75,000
papers, see docs/benchmarks.md), and only when some entry is still unmatched after ids and DOIs. A title
that fits several papers, or a paper whose year is more than a year off, is reported, not guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Connection, func, select

from ..ids import normalise_doi, normalise_title
from ..latex import latex_to_text
from . import collections as store_collections
from .db import select_in
from .models import collection_items, collections, papers

CHUNK = 500  # ids per IN (...)
YEAR_SLACK = 1  # a preprint and its publication are often a year apart


class EntryKeys(Protocol):
    arxiv_id: str | None
    doi: str | None
    title: str
    year: int | None


@dataclass(frozen=True)
class Match:
    paper_id: str
    by: str  # "arxiv", "doi" or "title"
    title: str = ""


@dataclass(frozen=True)
class Miss:
    why: str


@dataclass
class Saved:
    collection_id: int | None  # None: a dry run for a collection that does not exist yet
    collection: str
    created: bool
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


def title_key(title: str) -> str:
    if "\\" in title or "{" in title:
        title = latex_to_text(title)
    return normalise_title(title)


def _visible():
    return papers.c.hidden.is_(False)


def _by_arxiv(conn: Connection, ids: set[str]) -> set[str]:
    q = select(papers.c.id).where(_visible())
    return {pid for (pid,) in select_in(conn, q, papers.c.id, sorted(ids), size=CHUNK)}


def _by_doi(conn: Connection, dois: set[str]) -> dict[str, str]:
    """Normalised DOI -> paper id, for the wanted DOIs (stored DOIs may carry any case or resolver prefix)."""
    out: dict[str, str] = {}
    q = select(papers.c.id, papers.c.doi).where(papers.c.doi.is_not(None), _visible()).order_by(papers.c.id)
    for pid, doi in conn.execute(q):
        d = normalise_doi(doi)
        if d in dois:
            out.setdefault(d, pid)
    return out


def _by_title(conn: Connection, keys: set[str]) -> dict[str, list[tuple[str, int | None]]]:
    """Title key -> [(paper id, year)], for the wanted keys: one pass over every visible paper's title."""
    found: dict[str, list[str]] = defaultdict(list)
    q = select(papers.c.id, papers.c.title).where(_visible())
    for pid, title in conn.execute(q.execution_options(yield_per=5000)):
        key = title_key(title or "")
        if key in keys:
            found[key].append(pid)
    wanted = sorted({pid for ids in found.values() for pid in ids})
    q = select(papers.c.id, papers.c.published_at)
    years = {pid: at.year if at else None for pid, at in select_in(conn, q, papers.c.id, wanted, size=CHUNK)}
    return {key: [(pid, years.get(pid)) for pid in ids] for key, ids in found.items()}


def _pick(candidates: list[tuple[str, int | None]], year: int | None) -> str | Miss:
    if year is not None:
        near = [c for c in candidates if c[1] is None or abs(c[1] - year) <= YEAR_SLACK]
        if not near:
            pid, y = candidates[0]
            return Miss(f"the title matches {pid}, but that paper is from {y}, not {year}")
        candidates = near
    if len(candidates) > 1:
        arxiv = [c for c in candidates if not c[0].startswith("pf-")]
        candidates = arxiv if len(arxiv) == 1 else candidates
    if len(candidates) > 1:
        ids = ", ".join(sorted(c[0] for c in candidates)[:5])
        return Miss(f"the title matches {len(candidates)} papers ({ids}); add its arXiv id or DOI")
    return candidates[0][0]


def match_entries(
    conn: Connection, entries: Sequence[EntryKeys], *, progress: Callable[[int], None] | None = None
) -> list[Match | Miss]:
    """For each entry, the paper it names (``Match``) or why none was found (``Miss``), in entry order."""
    tick = progress or (lambda n: None)
    result: list[Match | Miss | None] = [None] * len(entries)
    tried: list[list[str]] = [[] for _ in entries]

    arxiv_found = _by_arxiv(conn, {e.arxiv_id for e in entries if e.arxiv_id})
    for i, e in enumerate(entries):
        if e.arxiv_id in arxiv_found:
            result[i] = Match(e.arxiv_id, "arxiv")
        elif e.arxiv_id:
            tried[i].append(f"arXiv {e.arxiv_id} is not here")
    tick(sum(r is not None for r in result))

    dois = {i: d for i, r in enumerate(result) if r is None and (d := normalise_doi(entries[i].doi))}
    doi_found = _by_doi(conn, set(dois.values())) if dois else {}
    for i, doi in dois.items():
        if doi in doi_found:
            result[i] = Match(doi_found[doi], "doi")
        else:
            tried[i].append(f"no paper with DOI {doi}")
    tick(sum(d in doi_found for d in dois.values()))

    todo = [i for i, r in enumerate(result) if r is None]
    keys = {i: k for i in todo if (k := title_key(entries[i].title))}
    by_title = _by_title(conn, set(keys.values())) if keys else {}
    for i in todo:
        key = keys.get(i)
        if key is None:
            result[i] = Miss("; ".join(tried[i]) or "no title to match")
            continue
        if key not in by_title:
            result[i] = Miss("; ".join([*tried[i], "no paper with this title"]))
            continue
        picked = _pick(by_title[key], entries[i].year)
        result[i] = Match(picked, "title") if isinstance(picked, str) else Miss("; ".join([*tried[i], picked.why]))
    tick(len(todo))

    titles = _titles(conn, {r.paper_id for r in result if isinstance(r, Match)})
    return [Match(r.paper_id, r.by, titles.get(r.paper_id, "")) if isinstance(r, Match) else r for r in result]


def _titles(conn: Connection, ids: set[str]) -> dict[str, str]:
    return dict(select_in(conn, select(papers.c.id, papers.c.title), papers.c.id, sorted(ids), size=CHUNK))


def find_collection(conn: Connection, user_id: int, name: str) -> int | None:
    """The user's collection with this name (case folded), or None."""
    name = store_collections._clean_name(name)
    q = select(collections.c.id, collections.c.name).where(
        collections.c.user_id == user_id, func.lower(collections.c.name) == name.lower()
    )
    rows = conn.execute(q).all()
    exact = [r.id for r in rows if r.name == name]
    return (exact or [r.id for r in rows] or [None])[0]


def save_matches(
    conn: Connection, *, user_id: int, collection: str, paper_ids: Iterable[str], dry_run: bool = False
) -> Saved:
    """Add the papers to the user's collection (a private one is created when missing), inside the caller's
    transaction: the caller's rollback takes the collection and every item with it."""
    name = store_collections._clean_name(collection)
    wanted = list(dict.fromkeys(paper_ids))
    cid = find_collection(conn, user_id, name)
    created = False
    if cid is None and not dry_run:
        cid = store_collections.create(conn, user_id=user_id, name=name, description="Imported papers.")
        created = True
    elif cid is None:
        created = True
    present: set[str] = set()
    if cid is not None:
        q = select(collection_items.c.paper_id).where(collection_items.c.collection_id == cid)
        present = {pid for (pid,) in select_in(conn, q, collection_items.c.paper_id, wanted, size=CHUNK)}
    added = [p for p in wanted if p not in present]
    if added and not dry_run:
        now = datetime.now(UTC)
        rows = [{"collection_id": cid, "paper_id": p, "added_at": now} for p in added]
        conn.execute(collection_items.insert(), rows)
    if cid is not None:
        name = conn.execute(select(collections.c.name).where(collections.c.id == cid)).scalar_one()
    return Saved(cid, name, created, added, [p for p in wanted if p in present])
