"""The search indexes: derived from the store, kept in the data dir, rebuilt from it at any time.

- ``lexical``: tantivy BM25 over title, authors and abstract (+ filter fields), follows ``papers.modified_at``
- ``embed``: the bundled MiniLM model (torch for the bulk job, onnxruntime for queries)
- ``vectors``: the HNSW graph over ``paper_vectors``, follows ``paper_vectors.created_at``
- ``job``: ``paperfeed index [--rebuild]``, the resumable background job that embeds and builds
- ``query``: the search box's query language and its translation into lexical-index queries
- ``keywords``: keyphrases per paper, from the paper's own text and the bundled model
- ``summaries``: a one-sentence summary per paper, picked from its abstract with the keyphrase vectors
- ``sentences``: a paper's sentences and their facets (background, method, result), for faceted similar papers
- ``text``: text as the indexes see it (analyzers, embedded text and its hash, title keys)
- ``bundled``: the demo's shipped vectors, keyphrases and summaries
- ``follow``: this machine's indexes following the database (every minute, from the scheduler)
- ``snapshot``: the indexes in one file, for a new machine to start from

``engine(settings)`` is the process-wide handle a search uses: opened once per process (a web worker
pays the loading once), it catches up with the database before a query at most every
``search_refresh_seconds``. ``warm(settings)`` opens everything ahead of the first request.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

from ..settings import Settings
from ..store import Store

CATCHUP_LIMIT = 5_000  # papers (and vectors: whole pages) a search indexes before answering; the rest later


def index_root(settings: Settings) -> Path:
    """The folder of this database's indexes (one per database URL: a data dir can serve several)."""
    base = settings.index_dir or settings.data_dir / "index"
    key = hashlib.sha1(settings.db_url.encode("utf-8")).hexdigest()[:12]
    return base / key


class Engine:
    """The opened indexes and query encoder of one database, shared by every search in the process."""

    def __init__(self, settings: Settings):
        from .embed import model_key
        from .lexical import LexicalIndex
        from .vectors import VectorIndex

        self.root = index_root(settings)
        self.embed_model = settings.embed_model
        self.model = model_key(settings.embed_model)  # the key its vectors are stored under
        self.models = (settings.index_dir or settings.data_dir / "index") / "models"
        self.lexical = LexicalIndex(self.root / "lexical")
        self.vectors = VectorIndex(self.root / "vectors", self.model, expansion_search=settings.vector_ef)
        self.refresh_seconds = settings.search_refresh_seconds
        self.query_model = settings.query_model
        self._checked = float("-inf")
        self._not_embedded: int | None = None
        self._lock = threading.Lock()

    def refresh(self, store: Store, *, force: bool = False) -> None:
        """Catch up with the database: new or changed papers, new vectors (throttled)."""
        now = time.monotonic()
        if not force and now - self._checked < self.refresh_seconds:
            return
        with self._lock:
            if not force and now - self._checked < self.refresh_seconds:
                return
            self._checked = now
            self.lexical.refresh()
            if self.lexical.sync(store, limit=CATCHUP_LIMIT) < 0:
                self.lexical.refresh()
            if self.vectors.changed_on_disk():
                self.vectors.load()
            self.vectors.sync(store, limit=CATCHUP_LIMIT)  # a large lag: the follow job (follow.py) catches up
            self._not_embedded = None

    def query_encoder(self):
        """The query encoder, or None when no paper has a vector yet (search is lexical then)."""
        if len(self.vectors) == 0:
            return None
        from .embed import query_encoder

        return query_encoder(self.models, self.query_model, self.embed_model)

    def not_embedded(self) -> int:
        """Visible papers in the lexical index without a vector (an estimate: both indexes lag alike).

        Counted once per refresh, not per search.
        """
        if self._not_embedded is None:  # hidden papers are not in the lexical index
            self._not_embedded = max(0, self.lexical.num_docs - len(self.vectors))
        return self._not_embedded


_engines: dict[tuple[str, str, str], Engine] = {}
_engines_lock = threading.Lock()


_keys: dict[tuple, tuple[str, str, str]] = {}


def _engine_key(settings: Settings) -> tuple[str, str, str]:
    """(resolved index folder, database URL, model), resolved once per settings (resolving stats every folder)."""
    raw = (settings.index_dir, settings.data_dir, settings.database_url, os.getcwd(), settings.embed_model)
    key = _keys.get(raw)
    if key is None:
        key = _keys[raw] = (str(index_root(settings).resolve()), settings.db_url, settings.embed_model)
    return key


def engine(settings: Settings) -> Engine:
    key = _engine_key(settings)
    e = _engines.get(key)
    if e is None:
        with _engines_lock:
            e = _engines.get(key)
            if e is None:
                e = _engines[key] = Engine(settings)
    return e


def forget(settings: Settings) -> None:
    """Drop this process's handle (after a rebuild in another process, or in tests)."""
    with _engines_lock:
        _engines.pop(_engine_key(settings), None)


def warm(settings: Settings, store: Store | None = None) -> Engine:
    """Open the indexes and the query encoder now, so the first search pays nothing."""
    e = engine(settings)
    if store is not None:
        e.refresh(store, force=True)
    enc = e.query_encoder()
    if enc is not None:
        enc.encode(["warm up"])
    return e


def update_lexical(store: Store, settings: Settings) -> int:
    """Bring the lexical index up to date (quick, no embedding): called at the end of imports and fetches."""
    return engine(settings).lexical.sync(store)
