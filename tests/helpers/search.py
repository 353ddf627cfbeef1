"""Helpers for the search tests: the seed papers, a caching encoder over the real model, settings."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from paperfeed.ingest import import_items
from paperfeed.settings import Settings
from paperfeed.sources import files
from tests.helpers.web import CHEAP_PASSWORDS

FILES = Path(__file__).resolve().parent.parent / "data" / "files"
SEED_FILES = [FILES / "papers-page-sample.txt", FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz"]


_MODEL = None  # one DocEncoder per test process, shared by every CachingEncoder ...
_VECTORS: dict[str, np.ndarray] = {}  # ... and what it embedded


class CachingEncoder:
    """The real DocEncoder behind a cache: each distinct text is embedded once per test process (every
    CachingEncoder shares the model and the cache), the seed corpus's once per session (``embed_seed_corpus``)."""

    description = "all-MiniLM-L6-v2 (test cache)"

    def __init__(self):
        global _MODEL
        if _MODEL is None:
            from paperfeed.index.embed import DocEncoder

            _MODEL = DocEncoder()
        self.model = _MODEL
        self.cache = _VECTORS

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            for t, v in zip(missing, self.model.encode(missing, batch_size=batch_size), strict=True):
                self.cache[t] = v
        return np.stack([self.cache[t] for t in texts])


def make_settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db_url, search_refresh_seconds=0, **CHEAP_PASSWORDS)


def load(store, *paths: Path) -> None:
    for path in paths:
        import_items(store, files.read(path))


def embed_seed_corpus(encoder: CachingEncoder, folder: Path) -> None:
    """Run the real index job over the seed papers in ``folder`` (an SQLite database there) and keep every
    vector it made (the papers', their sentences', their keyphrase candidates') in ``folder/vectors.pickle``."""
    from paperfeed.index import job
    from paperfeed.store import Store

    folder.mkdir()
    url = f"sqlite:///{folder / 'seed.db'}"
    store = Store.open(url)
    try:
        load(store, *SEED_FILES)
        job.run(store, make_settings(folder, url), encoder=encoder)
    finally:
        store.close()
    (folder / "vectors.pickle").write_bytes(pickle.dumps(dict(encoder.cache)))


def load_seed_vectors(encoder: CachingEncoder, folder: Path) -> None:
    """Fill ``encoder``'s cache with what ``embed_seed_corpus`` kept (another worker of the session embedded it)."""
    encoder.cache.update(pickle.loads((folder / "vectors.pickle").read_bytes()))
