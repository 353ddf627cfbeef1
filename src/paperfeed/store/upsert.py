"""Idempotent upserts of paper records.

Rules (documented in docs/storage.md):
- a new id is inserted with its authors, categories, featured days and (for arXiv) its version;
- a higher arXiv version replaces the content and adds a row to the version history (a record without a
  version, as OAI-PMH's, is newer when its ``updated`` time is later);
- a record without a higher version only fills fields the stored paper lacks (an HF record adds upvotes
  and the code link to an arXiv paper, never blanks its categories) and adds the categories it lists that
  the stored paper lacks (a cross-list added later);
- imported upvotes (HF snapshots) keep the highest count seen; featured days are merged by day;
- the listing day (``announced_on``): arXiv's (RSS, files) replaces a guessed one, else the earliest is kept;
  a guess (the submission day, from the query API or OAI-PMH) only fills a paper without one;
- a newer version replaces the comment, journal ref and DOI even with none, takes away the links that were
  found in the old abstract or comment, and makes the text's derived rows out of date (vectors marked
  stale, summaries and keyphrases removed until ``paperfeed index`` makes them again);
- an arXiv record whose title is that of a paper stored without an arXiv id (an HF paper's ``pf-`` id) takes
  that paper in: its votes, comments, collection items and featured days move over (``store.merge``), and
  its old id resolves to the arXiv paper in later imports;
- nothing else outside the paper tables is touched, so votes and comments survive every import.
Importing the same records twice changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, and_, delete, select, update

from ..clock import utc
from ..ids import STABLE_PREFIX, author_key, extract_links, stable_id
from ..records import PaperRecord, is_guessed_day, submission_day
from .merge import merge_into, resolve
from .models import (
    featured,
    paper_authors,
    paper_categories,
    paper_keywords,
    paper_summaries,
    paper_vectors,
    paper_versions,
    papers,
)

# record attribute -> papers column, for the plain content fields
_CONTENT = {
    "title": "title",
    "abstract": "abstract",
    "comment": "comment",
    "journal_ref": "journal_ref",
    "doi": "doi",
    "updated": "updated_at",
    "abs_url": "abs_url",
    "pdf_url": "pdf_url",
}
_FILL_ONLY = {"code_url": "code_url", "project_url": "project_url", "published": "published_at"}
_PER_VERSION = ("comment", "journal_ref", "doi")  # a newer version without them has none


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    featured_added: int = 0
    featured_updated: int = 0
    merged: int = 0  # papers without an arXiv id merged into their arXiv record

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.featured_added += other.featured_added
        self.featured_updated += other.featured_updated
        self.merged += other.merged
        return self

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.featured_added or self.featured_updated or self.merged)


def _merge_same_id(records: Iterable[PaperRecord]) -> dict[str, PaperRecord]:
    """Collapse records of one batch that share an id, keeping the highest version's content."""
    out: dict[str, PaperRecord] = {}
    for r in records:
        for f in r.featured:
            f.source = f.source or r.source
        prev = out.get(r.id)
        if prev is None:
            out[r.id] = r
            continue
        new, old = (r, prev) if (r.version or 0) >= (prev.version or 0) else (prev, r)
        days = {f.day: f for f in old.featured} | {f.day: f for f in new.featured}
        for attr in ("code_url", "project_url", "published", "upvotes", "announced", "announced_guess",
                     "primary_category"):  # fmt: skip
            if getattr(new, attr) is None:
                setattr(new, attr, getattr(old, attr))
        if old.upvotes is not None and new.upvotes is not None:
            new.upvotes = max(old.upvotes, new.upvotes)
        if old.announced and new.announced:
            new.announced = min(old.announced, new.announced)
        if old.announced_guess and new.announced_guess:
            new.announced_guess = min(old.announced_guess, new.announced_guess)
        new.authors = new.authors or old.authors
        new.categories = new.categories or old.categories
        new.keywords = new.keywords or old.keywords
        new.featured = sorted(days.values(), key=lambda f: f.day)
        if old.source != new.source:
            new.source = ",".join(sorted(set(new.source.split(",")) | set(old.source.split(","))))
        out[r.id] = new
    return out


def _paper_row(r: PaperRecord, now: datetime) -> dict:
    return {
        "id": r.id,
        "version": r.version,
        "title": r.title,
        "abstract": r.abstract,
        "primary_category": r.primary_category,
        "comment": r.comment,
        "journal_ref": r.journal_ref,
        "doi": r.doi,
        "published_at": r.published,
        "updated_at": r.updated,
        "announced_on": r.announced or r.announced_guess,
        "abs_url": r.abs_url,
        "pdf_url": r.pdf_url,
        "code_url": r.code_url,
        "project_url": r.project_url,
        "hf_upvotes": r.upvotes,
        "keywords": list(r.keywords),
        "sources": sorted(set(r.source.split(","))),
        "created_at": now,
        "modified_at": now,
    }


def _author_rows(paper_id: str, authors: list[str]) -> list[dict]:
    return [{"paper_id": paper_id, "position": i, "name": a, "name_key": author_key(a)} for i, a in enumerate(authors)]


def _version_row(r: PaperRecord, now: datetime) -> dict:
    return {
        "paper_id": r.id,
        "version": r.version,
        "title": r.title,
        "abstract": r.abstract,
        "comment": r.comment,
        "updated_at": r.updated,
        "recorded_at": now,
    }


def _is_newer(row, r: PaperRecord) -> bool:
    """Does ``r`` hold a later version of the paper than stored ``row``? A higher arXiv version; for a record
    without one (OAI-PMH records carry none), a later ``updated`` time than the stored one."""
    if r.version is not None:
        return row.version is None or r.version > row.version
    return r.updated is not None and (row.updated_at is None or r.updated > utc(row.updated_at))


def _changes(row, r: PaperRecord, authors: list[str], cats: list[str]) -> tuple[dict, bool, list[str] | None]:
    """Column changes for stored ``row`` given record ``r``; plus whether the authors change and the
    categories to store instead of ``cats`` (None: they stay)."""
    ch: dict = {}
    newer = _is_newer(row, r)
    for attr, col in _CONTENT.items():
        new, old = getattr(r, attr), getattr(row, col)
        if col.endswith("_at"):
            old = utc(old)
        if new is not None and new != "" and (newer or old is None or old == "") and new != old:
            ch[col] = new
    for attr, col in _FILL_ONLY.items():
        new, old = getattr(r, attr), getattr(row, col)
        if new is not None and old is None:
            ch[col] = new
    if newer:
        for attr in _PER_VERSION:
            if getattr(r, attr) is None and getattr(row, attr) is not None:
                ch[attr] = None
        # links found in the old abstract or comment go with them (an HF record's own links stay)
        found = extract_links(row.abstract, row.comment)
        for attr, old_found in zip(("code_url", "project_url"), found, strict=True):
            if old_found is not None and getattr(row, attr) == old_found and getattr(r, attr) != old_found:
                ch[attr] = getattr(r, attr)
    if newer and r.version is not None:
        ch["version"] = r.version
    if r.primary_category and (newer or row.primary_category is None) and r.primary_category != row.primary_category:
        ch["primary_category"] = r.primary_category
    ch.update(_announced(row, r))
    if r.upvotes is not None and (row.hf_upvotes is None or r.upvotes > row.hf_upvotes):
        ch["hf_upvotes"] = r.upvotes  # an older snapshot imported later never lowers the count
    if r.keywords and not row.keywords:
        ch["keywords"] = list(r.keywords)
    sources = sorted(set(row.sources or []) | set(r.source.split(",")))
    if sources != sorted(row.sources or []):
        ch["sources"] = sources
    new_authors = bool(r.authors) and (newer or not authors) and r.authors != authors
    if newer or not cats:
        new_cats = r.categories if r.categories and r.categories != cats else None
    else:  # a cross-list arXiv added without a new version (an RSS "cross" item): it joins the others
        extra = sorted(set(r.categories) - set(cats))
        new_cats = cats + extra if extra else None
    return ch, new_authors, new_cats


def _announced(row, r: PaperRecord) -> dict:
    """The day the paper is listed on: a day of arXiv's listing (RSS, files) replaces a guessed one and
    otherwise keeps the earliest; a guess (its submission day, from the query API or OAI-PMH) only fills a
    paper without a day, and is the stored paper's submission day, so that it is known as a guess later."""
    day, guess = r.announced, r.announced_guess
    stored, published = row.announced_on, row.published_at
    if day and day != stored and (stored is None or is_guessed_day(stored, published) or day < stored):
        return {"announced_on": day}
    if guess and stored is None:
        return {"announced_on": submission_day(published) or guess}
    return {}


def upsert_papers(conn: Connection, records: Iterable[PaperRecord], *, now: datetime | None = None) -> UpsertCounts:
    """Insert or merge one batch of checked records inside the caller's transaction."""
    now = now or datetime.now(UTC)
    records = list(records)
    aliases = resolve(conn, [r.id for r in records if r.arxiv_id is None])
    for r in records:  # a paper merged into its arXiv record is imported as that record
        target = aliases.get(r.id) if r.arxiv_id is None else None
        if target is not None and not target.startswith(STABLE_PREFIX):
            r.arxiv_id = target
    batch = _merge_same_id(records)
    counts = UpsertCounts()
    if not batch:
        return counts
    ids = list(batch)
    existing = {row.id: row for row in conn.execute(select(papers).where(papers.c.id.in_(ids)))}
    authors: dict[str, list[str]] = defaultdict(list)
    cats: dict[str, list[str]] = defaultdict(list)
    versions: set[tuple[str, int]] = set()
    if existing:
        old_ids = list(existing)
        q = select(paper_authors.c.paper_id, paper_authors.c.name).where(paper_authors.c.paper_id.in_(old_ids))
        for pid, name in conn.execute(q.order_by(paper_authors.c.paper_id, paper_authors.c.position)):
            authors[pid].append(name)
        q = select(paper_categories.c.paper_id, paper_categories.c.category).where(
            paper_categories.c.paper_id.in_(old_ids)
        )
        for pid, cat in conn.execute(q):
            cats[pid].append(cat)
        q = select(paper_versions.c.paper_id, paper_versions.c.version).where(paper_versions.c.paper_id.in_(old_ids))
        versions = {(pid, v) for pid, v in conn.execute(q)}

    new_papers, new_versions, new_authors, new_cats = [], [], [], []
    replace_authors, replace_cats, retexted = [], [], []
    for pid, r in batch.items():
        r.categories = r.categories[:1] + sorted(r.categories[1:])  # primary first; the rest is a set
        row = existing.get(pid)
        if row is None:
            new_papers.append(_paper_row(r, now))
            counts.added += 1
            new_authors += _author_rows(pid, r.authors)
            new_cats += [{"paper_id": pid, "category": c} for c in r.categories]
            if r.version:
                new_versions.append(_version_row(r, now))
            continue
        stored_cats = cats.get(pid, [])
        # categories come back unordered: compare with the primary first, as records hold them
        if row.primary_category in stored_cats:
            stored_cats = [row.primary_category] + sorted(c for c in stored_cats if c != row.primary_category)
        ch, ch_authors, ch_cats = _changes(row, r, authors.get(pid, []), stored_cats)
        if r.version and (pid, r.version) not in versions:
            new_versions.append(_version_row(r, now))
            versions.add((pid, r.version))
        if ch_authors:
            replace_authors.append(pid)
            new_authors += _author_rows(pid, r.authors)
        if ch_cats is not None:
            replace_cats.append(pid)
            new_cats += [{"paper_id": pid, "category": c} for c in ch_cats]
        if "title" in ch or "abstract" in ch:
            retexted.append(pid)
        if ch or ch_authors or ch_cats is not None:
            ch["modified_at"] = now
            conn.execute(update(papers).where(papers.c.id == pid).values(**ch))
            counts.updated += 1
        else:
            counts.unchanged += 1

    if new_papers:
        conn.execute(papers.insert(), new_papers)
    if replace_authors:
        conn.execute(delete(paper_authors).where(paper_authors.c.paper_id.in_(replace_authors)))
    if replace_cats:
        conn.execute(delete(paper_categories).where(paper_categories.c.paper_id.in_(replace_cats)))
    if new_authors:
        conn.execute(paper_authors.insert(), new_authors)
    if new_cats:
        conn.execute(paper_categories.insert(), new_cats)
    if new_versions:
        conn.execute(paper_versions.insert(), new_versions)
    if retexted:
        _derived_out_of_date(conn, retexted)
    counts += _upsert_featured(conn, batch, existing_ids=set(existing), now=now)
    counts.merged += _merge_copies(conn, batch, now=now)
    return counts


def _merge_copies(conn: Connection, batch: dict[str, PaperRecord], *, now: datetime) -> int:
    """Merge the papers stored without an arXiv id (``pf-`` + the title's hash) into the arXiv records of
    this batch that have the same title (``store.merge``); returns how many."""
    copies = {stable_id(r.title): pid for pid, r in batch.items() if r.arxiv_id is not None}
    if not copies:
        return 0
    found = conn.execute(select(papers.c.id).where(papers.c.id.in_(list(copies)))).scalars().all()
    for old in found:
        merge_into(conn, old, copies[old], now=now)
    return len(found)


def _derived_out_of_date(conn: Connection, ids: list[str]) -> None:
    """Papers whose title or abstract changed: their vectors are marked stale (an empty ``text_hash``: the
    index job embeds them again, ``count_to_embed`` counts them, similar papers meanwhile use the old one)
    and their one-line summaries and keyphrases, made from the old text, go until the job makes new ones."""
    conn.execute(update(paper_vectors).where(paper_vectors.c.paper_id.in_(ids)).values(text_hash=""))
    conn.execute(delete(paper_summaries).where(paper_summaries.c.paper_id.in_(ids)))
    conn.execute(delete(paper_keywords).where(paper_keywords.c.paper_id.in_(ids)))


def _upsert_featured(
    conn: Connection, batch: dict[str, PaperRecord], *, existing_ids: set[str], now: datetime
) -> UpsertCounts:
    counts = UpsertCounts()
    wanted = {(pid, f.day): f for pid, r in batch.items() for f in r.featured}
    if not wanted:
        return counts
    stored: dict[tuple[str, date], tuple] = {}
    ids = [pid for pid in existing_ids if any(f for f in batch[pid].featured)]
    if ids:
        q = select(featured.c.paper_id, featured.c.day, featured.c.submitted_by, featured.c.upvotes).where(
            featured.c.paper_id.in_(ids)
        )
        stored = {(pid, day): (sub, up) for pid, day, sub, up in conn.execute(q)}
    inserts = []
    for (pid, day), f in wanted.items():
        old = stored.get((pid, day))
        if old is None:
            inserts.append(
                {
                    "paper_id": pid,
                    "day": day,
                    "submitted_by": f.submitted_by,
                    "upvotes": f.upvotes,
                    "source": (f.source or "unknown")[:40],
                }
            )
            continue
        ch = {}
        if f.submitted_by and not old[0]:
            ch["submitted_by"] = f.submitted_by
        if f.upvotes is not None and (old[1] is None or f.upvotes > old[1]):
            ch["upvotes"] = f.upvotes
        if ch:
            counts.featured_updated += 1
            conn.execute(update(featured).where(and_(featured.c.paper_id == pid, featured.c.day == day)).values(**ch))
    if inserts:
        conn.execute(featured.insert(), inserts)
        counts.featured_added = len(inserts)
        # a new featured day can date a paper that has no date of its own (papers.paper_day): the search
        # indexes, which follow modified_at, catch up
        listed = sorted({row["paper_id"] for row in inserts} & existing_ids)
        if listed:
            conn.execute(update(papers).where(papers.c.id.in_(listed)).values(modified_at=now))
    return counts
