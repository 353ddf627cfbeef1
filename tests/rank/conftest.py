"""Search fixtures: the real bundled model, loaded once per session; stores holding the seed papers.

Embedding the 124 seed papers takes a few seconds once; each test then indexes its own fresh database
(SQLite and PostgreSQL) with those vectors, so a test costs what the indexes cost, not the model.
"""

from __future__ import annotations

import pytest

from paperfeed.index import job
from paperfeed.settings import Settings
from paperfeed.sources import files
from tests.helpers.search import SEED_FILES, CachingEncoder, load, make_settings


@pytest.fixture(scope="session")
def encoder() -> CachingEncoder:
    enc = CachingEncoder()
    from paperfeed.index.text import embed_text
    from paperfeed.records import PaperRecord, checked

    texts = [
        embed_text(r.title, r.abstract)
        for path in SEED_FILES
        for r in (checked(i) for i in files.read(path) if isinstance(i, PaperRecord))
    ]
    enc.encode(texts)
    return enc


@pytest.fixture
def settings(tmp_path, db_url) -> Settings:
    return make_settings(tmp_path, db_url)


@pytest.fixture
def seeded(store, settings, encoder):
    """A store with the 124 seed papers, fully indexed (lexical + vectors)."""
    load(store, *SEED_FILES)
    job.run(store, settings, encoder=encoder)
    return store
