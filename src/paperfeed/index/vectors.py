"""The vector index: an HNSW graph (usearch) over the paper embeddings, persisted in the data dir.

The durable copy of every vector is ``paper_vectors`` in the database; this file is derived from it.
``sync`` loads what was stored after the watermark (``paper_vectors.created_at``), ``rebuild`` re-creates
the graph from the database. Vectors are unit length, so inner product is cosine similarity. Stored as
f16 (half the memory of f32; recall measured in docs/search.md).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..store import Store
from ..store import vectors as store_vectors
from .embed import DIM


class VectorIndex:
    def __init__(self, path: Path, model: str, *, dtype: str = "f16", expansion_search: int = 128):
        self.path = path
        self.model = model
        self.dtype = dtype
        self.expansion_search = expansion_search
        self._lock = threading.RLock()
        self._sync_lock = threading.Lock()
        self.ids: list[str] = []
        self.key_of: dict[str, int] = {}
        self.watermark: datetime | None = None
        self.watermark_id: str | None = None  # the last paper taken in at ``watermark`` (a batch shares one)
        self._file_stamp: tuple | None = None
        self.index = self._new()
        self.load()

    def _new(self):
        _import_onnxruntime_first()
        from usearch.index import Index

        return Index(
            ndim=DIM, metric="ip", dtype=self.dtype, connectivity=16, expansion_add=128,
            expansion_search=self.expansion_search,
        )  # fmt: skip

    @property
    def _graph_path(self) -> Path:
        return self.path / "vectors.usearch"

    @property
    def _meta_path(self) -> Path:
        return self.path / "vectors-meta.json"

    def _stamp(self) -> tuple | None:
        try:
            st = self._meta_path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def load(self) -> bool:
        """Load the saved graph if there is one for this model; returns whether it did."""
        with self._lock:
            stamp = self._stamp()
            try:
                meta = json.loads(self._meta_path.read_text())
            except (OSError, ValueError):
                return False
            if meta.get("model") != self.model or meta.get("dtype") != self.dtype or not self._graph_path.exists():
                return False
            index = self._new()
            try:
                index.load(str(self._graph_path))
            except Exception:  # a torn or foreign file: rebuilt by the next job
                return False
            if len(index) != len(meta["ids"]):  # killed between saving the graph and its meta: rebuilt likewise
                return False
            self.index = index
            self.index.expansion_search = self.expansion_search
            self.ids = list(meta["ids"])
            self.key_of = {pid: k for k, pid in enumerate(self.ids)}
            wm = meta.get("watermark")
            self.watermark = datetime.fromisoformat(wm) if wm else None
            self.watermark_id = meta.get("watermark_id") if wm else None
            self._file_stamp = stamp
            return True

    def changed_on_disk(self) -> bool:
        return self._stamp() != self._file_stamp

    def save(self) -> None:
        with self._lock:
            self.path.mkdir(parents=True, exist_ok=True)
            tmp = self._graph_path.with_suffix(".tmp")
            self.index.save(str(tmp))
            os.replace(tmp, self._graph_path)
            meta = {
                "model": self.model,
                "dtype": self.dtype,
                "watermark": self.watermark.isoformat() if self.watermark else None,
                "watermark_id": self.watermark_id,
                "ids": self.ids,
            }
            tmp = self._meta_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(meta))
            os.replace(tmp, self._meta_path)
            self._file_stamp = self._stamp()

    def __len__(self) -> int:
        return len(self.index)

    def add(self, ids: list[str], vectors: np.ndarray) -> None:
        with self._lock:
            keys = []
            for pid in ids:
                k = self.key_of.get(pid)
                if k is None:
                    k = len(self.ids)
                    self.ids.append(pid)
                    self.key_of[pid] = k
                elif k in self.index:
                    self.index.remove(k)
                keys.append(k)
            if keys:
                self.index.add(np.asarray(keys, dtype=np.uint64), np.ascontiguousarray(vectors, dtype=np.float32))

    def sync(self, store: Store, *, limit: int | None = None, progress: Callable[[int], None] | None = None) -> int:
        """Add the vectors stored after the watermark (at most about ``limit``: whole pages); returns how many.

        The graph is locked one page at a time, so searches go on while a new machine catches up with
        a large database (they see the vectors added so far)."""
        with self._sync_lock:  # one catch-up at a time
            return self._catch_up(store, limit, progress)

    def _catch_up(self, store: Store, limit: int | None, progress: Callable[[int], None] | None) -> int:
        n = 0
        with store.read() as conn:
            page_size = min(10_000, limit) if limit else 10_000
            pages = store_vectors.iter_vectors(
                conn, self.model, self.watermark, after_id=self.watermark_id, page=page_size
            )
            for page in pages:
                ids = [p for p, _, _ in page]
                vecs = np.frombuffer(b"".join(b for _, b, _ in page), dtype=np.float32).reshape(len(page), DIM)
                with self._lock:
                    self.add(ids, vecs)
                    self.watermark, self.watermark_id = page[-1][2], page[-1][0]
                n += len(page)
                if progress:
                    progress(len(page))
                if limit is not None and n >= limit:
                    break
        return n

    def rebuild(self, store: Store, *, progress: Callable[[int], None] | None = None) -> int:
        with self._sync_lock, self._lock:  # the same order as sync's: no deadlock
            self.index = self._new()
            self.ids, self.key_of, self.watermark, self.watermark_id = [], {}, None, None
            n = self._catch_up(store, None, progress)
            self.save()
            return n

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` nearest papers: ``(paper_id, cosine)``, most similar first."""
        with self._lock:
            if len(self.index) == 0 or k <= 0:
                return []
            # small collections are searched exactly: as fast as the graph there, and deterministic (a graph
            # built with several threads differs run to run, so SQLite and PostgreSQL could disagree)
            exact = len(self.index) <= EXACT_LIMIT
            m = self.index.search(np.asarray(vector, dtype=np.float32), min(k, len(self.index)), exact=exact)
            return [(self.ids[int(key)], 1.0 - float(d)) for key, d in zip(m.keys, m.distances, strict=True)]

    def contains(self, paper_id: str) -> bool:
        k = self.key_of.get(paper_id)
        return k is not None and k in self.index


EXACT_LIMIT = 20_000


def now() -> datetime:
    return datetime.now(UTC)


def _import_onnxruntime_first() -> None:
    """Load onnxruntime's native library before usearch's.

    With usearch 2.2x and onnxruntime 1.3x in one process, importing usearch first makes the later
    onnxruntime import crash the process (segmentation fault; seen here with `import usearch, onnxruntime`).
    The other order works, so the vector index makes sure of it.
    """
    import onnxruntime  # noqa: F401
