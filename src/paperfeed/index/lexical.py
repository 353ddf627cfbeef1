"""The lexical index: tantivy (BM25, Rust) in the data dir, for SQLite and PostgreSQL deployments alike.

Why tantivy: on the same realistic queries it answers about two orders of magnitude faster than SQLite
FTS5 and PostgreSQL full-text, and keeps up at 1M papers (figures: docs/search.md). One index format
serves both databases, so results are identical on both.

The index is derived data. It follows ``papers.modified_at``: ``sync`` adds what changed after the
watermark kept in ``meta.json`` (called at the end of every import, and before searches, throttled), and
``rebuild`` re-creates it from the store. Hidden papers are left out (hiding one changes ``modified_at``),
so a plain search needs no filter clause and stays a pure disjunction of terms, which tantivy answers with
block-max WAND (skipping the papers that cannot reach the top k). Only one process writes at a time
(tantivy's writer lock); a process that finds the lock taken leaves the catching up to the one holding it.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ..errors import PaperfeedError
from ..store import Store
from ..store import vectors as store_vectors
from ..store.vectors import IndexDoc
from .text import EN_ANALYZER, NAME_ANALYZER, analyzers, title_key

SCHEMA_VERSION = 3  # 2: hidden papers are left out of the index (was: a `hidden` filter field); 3: a paper
# without a publication or announcement date is dated by its first featured day (store.papers.paper_day)
EPOCH = date(1970, 1, 1)


def day_number(d: date | None) -> int:
    return (d - EPOCH).days if d else 0


@dataclass
class LexicalHit:
    paper_id: str
    score: float


class LexicalIndex:
    """One tantivy index in ``path``; thread-safe for searching, one writer per process at a time."""

    def __init__(self, path: Path):
        import tantivy

        self.t = tantivy
        self.path = path
        self._write_lock = threading.Lock()
        self.schema = self._schema()
        meta = self._read_meta()
        if meta.get("schema") != SCHEMA_VERSION and path.exists():
            shutil.rmtree(path, ignore_errors=True)
            meta = {}
        path.mkdir(parents=True, exist_ok=True)
        try:
            self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        except ValueError:  # an index of another layout (or a foreign one): derived data, rebuilt from the store
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True)
            self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
            meta = {}
        for name, analyzer in analyzers().items():
            self.index.register_tokenizer(name, analyzer)
        self.watermark: datetime | None = _parse_dt(meta.get("watermark"))
        if not meta:
            self._write_meta()

    # --- schema and documents -------------------------------------------------------------------

    def _schema(self):
        b = self.t.SchemaBuilder()
        b.add_text_field("id", stored=True, tokenizer_name="raw")
        b.add_text_field("title", tokenizer_name=EN_ANALYZER)
        b.add_text_field("abstract", tokenizer_name=EN_ANALYZER)
        b.add_text_field("authors", tokenizer_name=NAME_ANALYZER)
        b.add_text_field("tkey", tokenizer_name="raw", index_option="basic")
        b.add_text_field("cat", tokenizer_name="raw", index_option="basic")
        b.add_integer_field("day", fast=True, indexed=True)
        b.add_integer_field("upvotes", fast=True, indexed=True)
        b.add_integer_field("code", indexed=True)
        return b.build()

    def _doc(self, d: IndexDoc):
        doc = self.t.Document()
        doc.add_text("id", d.id)
        doc.add_text("title", d.title)
        doc.add_text("abstract", d.abstract)
        for a in d.authors:
            doc.add_text("authors", a)
        doc.add_text("tkey", title_key(d.title))
        for c in d.categories:
            doc.add_text("cat", c.lower())
        doc.add_integer("day", day_number(d.day))
        doc.add_integer("upvotes", d.upvotes)
        doc.add_integer("code", int(d.has_code))
        return doc

    # --- meta (watermark) -----------------------------------------------------------------------

    @property
    def _meta_path(self) -> Path:
        return self.path / "paperfeed-meta.json"

    def _read_meta(self) -> dict:
        try:
            return json.loads(self._meta_path.read_text())
        except (OSError, ValueError):
            return {}

    def _write_meta(self) -> None:
        tmp = self._meta_path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"schema": SCHEMA_VERSION, "watermark": self.watermark.isoformat() if self.watermark else None})
        )
        os.replace(tmp, self._meta_path)

    # --- writing --------------------------------------------------------------------------------

    def _writer(self):
        try:
            return self.index.writer(heap_size=64_000_000, num_threads=1)
        except ValueError:  # another process holds tantivy's writer lock: it is catching up already
            return None

    def add(self, docs: Iterable[IndexDoc], writer=None) -> int:
        own = writer is None
        writer = writer or self._writer()
        if writer is None:
            return 0
        n = 0
        for d in docs:
            writer.delete_documents_by_term("id", d.id)
            if not d.hidden:  # a hidden paper leaves the index: no query needs a filter for it
                writer.add_document(self._doc(d))
            n += 1
        if own:
            writer.commit()
            writer.wait_merging_threads()
            self.index.reload()
        return n

    def sync(self, store: Store, *, limit: int | None = None, progress: Callable[[int], None] | None = None) -> int:
        """Index the papers changed since the watermark (at most about ``limit``); returns how many.

        Returns -1 when another process holds the writer (it will have caught up when it commits).
        """
        with self._write_lock:
            self._reload_meta()
            with store.read() as conn:
                newest = store_vectors.max_modified_at(conn)
                if newest is None or (self.watermark is not None and newest <= self.watermark):
                    return 0
                writer = self._writer()
                if writer is None:
                    return -1
                n = 0
                try:
                    for page in store_vectors.iter_modified(conn, self.watermark):
                        self.add(page, writer)
                        n += len(page)
                        self.watermark = max(self.watermark or page[-1].modified_at, page[-1].modified_at)
                        if progress:
                            progress(len(page))
                        if limit is not None and n >= limit:
                            break
                    writer.commit()
                    writer.wait_merging_threads()
                except BaseException:
                    writer.rollback()
                    raise
            self._write_meta()
            self.index.reload()
            return n

    @contextmanager
    def frozen(self) -> Iterator[Path]:
        """The index's folder held still while it is copied: no writer in this process or another."""
        with self._write_lock:
            writer = self._writer()
            if writer is None:
                raise PaperfeedError("another process is writing the lexical index: try again in a minute")
            try:
                yield self.path
            finally:
                writer.rollback()
                writer.wait_merging_threads()

    def rebuild(self, store: Store, *, progress: Callable[[int], None] | None = None) -> int:
        """Re-create the whole index from the store."""
        with self._write_lock:
            writer = self._writer()
            if writer is None:
                from ..errors import PaperfeedError

                raise PaperfeedError(f"the lexical index at {self.path} is being written by another process")
            n = 0
            with store.read() as conn:
                start = datetime.now(UTC)
                try:
                    writer.delete_all_documents()
                    watermark = None
                    for page in store_vectors.iter_modified(conn, None):
                        for d in page:
                            if not d.hidden:
                                writer.add_document(self._doc(d))
                        n += len(page)
                        watermark = page[-1].modified_at
                        if progress:
                            progress(len(page))
                    writer.commit()
                    writer.wait_merging_threads()
                except BaseException:
                    writer.rollback()
                    raise
            # papers changed while we streamed are caught by the next sync: step back to the start time
            self.watermark = min(watermark, start - timedelta(seconds=1)) if watermark else None
            self._write_meta()
            self.index.reload()
            return n

    def reconcile(self, store: Store) -> int:
        """Drop documents of papers no longer in the store (deletions do not move the watermark)."""
        with store.read() as conn:
            db_ids = store_vectors.all_ids(conn)
        searcher = self.searcher()
        res = searcher.search(self.t.Query.all_query(), limit=max(1, searcher.num_docs), count=False)
        stale = [searcher.doc(a)["id"][0] for _, a in res.hits]
        stale = [i for i in stale if i not in db_ids]
        if not stale:
            return 0
        with self._write_lock:
            writer = self._writer()
            if writer is None:
                return 0
            for i in stale:
                writer.delete_documents_by_term("id", i)
            writer.commit()
            writer.wait_merging_threads()
        self.index.reload()
        return len(stale)

    def _reload_meta(self) -> None:
        meta = self._read_meta()
        wm = _parse_dt(meta.get("watermark"))
        if wm is not None and (self.watermark is None or wm > self.watermark):
            self.watermark = wm

    def refresh(self) -> None:
        """See what other processes committed."""
        self._reload_meta()
        self.index.reload()

    # --- reading --------------------------------------------------------------------------------

    def searcher(self):
        return self.index.searcher()

    @property
    def num_docs(self) -> int:
        return self.searcher().num_docs

    def count(self, query) -> int:
        return self.searcher().search(query, limit=1, count=True).count

    def search(self, query, *, limit: int, offset: int = 0, order_by: str | None = None, count: bool = False):
        """``([LexicalHit], count or None)`` for a built query, best first (or by a fast field)."""
        searcher = self.searcher()
        limit = max(1, limit)
        if order_by:
            res = searcher.search(query, limit=limit, offset=offset, count=count, order_by_field=order_by)
        else:
            res = searcher.search(query, limit=limit, offset=offset, count=count)
        hits = [LexicalHit(searcher.doc(addr)["id"][0], float(score)) for score, addr in res.hits]
        return hits, (res.count if count else None)

    def max_doc_freq(self, terms: list[tuple[str, str]]) -> int:
        """The paper count of the commonest of ``terms`` (``(field, analysed term)``); 0 for none."""
        searcher = self.searcher()
        return max((searcher.doc_freq(f, t) for f, t in terms), default=0)

    def ids_matching(self, ids: list[str], query) -> set[str]:
        """Those of ``ids`` whose documents match ``query`` (filters applied to vector candidates)."""
        if not ids:
            return set()
        Q, Occur = self.t.Query, self.t.Occur
        q = Q.boolean_query([(Occur.Must, Q.term_set_query(self.schema, "id", ids)), (Occur.Must, query)])
        hits, _ = self.search(q, limit=len(ids))
        return {h.paper_id for h in hits}

    def has_doc(self, paper_id: str) -> bool:
        return self.count(self.t.Query.term_query(self.schema, "id", paper_id)) > 0


def _parse_dt(value: str | None) -> datetime | None:
    if not value:
        return None
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
