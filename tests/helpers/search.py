"""Helpers for the search tests: the seed papers, a caching encoder over the real model, settings."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from paperfeed.ingest import import_items
from paperfeed.settings import Settings
from paperfeed.sources import files

FILES = Path(__file__).resolve().parent.parent / "data" / "files"
SEED_FILES = [FILES / "papers-page-sample.txt", FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz"]


class CachingEncoder:
    """The real DocEncoder behind a cache: each distinct text is embedded once per test session."""

    description = "all-MiniLM-L6-v2 (test cache)"

    def __init__(self):
        from paperfeed.index.embed import DocEncoder

        self.model = DocEncoder()
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            for t, v in zip(missing, self.model.encode(missing, batch_size=batch_size), strict=True):
                self.cache[t] = v
        return np.stack([self.cache[t] for t in texts])


def make_settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db_url, search_refresh_seconds=0)


def load(store, *paths: Path) -> None:
    for path in paths:
        import_items(store, files.read(path))
