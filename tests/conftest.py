"""Shared fixtures: a fresh database per test, on SQLite and on the PostgreSQL server; the real bundled
model and stores holding the seed papers (search, index and CLI tests); a loopback SMTP server (mail).

PostgreSQL runs at ``PAPERFEED_TEST_PG_URL`` (default: the local server's ``test`` database); each test
gets its own schema, dropped afterwards. Set ``PAPERFEED_TEST_PG_URL=`` (empty) to skip PostgreSQL.
The seed papers (their texts, sentences and keyphrase candidates) are embedded once per session by the first
xdist worker that needs them and shared with the others (tests/helpers/shared.py); each test then indexes its
own fresh database with those vectors, so a test costs what the indexes cost, not the model.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from paperfeed.index import job
from paperfeed.settings import Settings
from paperfeed.store import Store
from tests.helpers.mail import smtp_server
from tests.helpers.search import (
    SEED_FILES,
    CachingEncoder,
    embed_seed_corpus,
    load,
    load_seed_vectors,
    make_settings,
)
from tests.helpers.shared import once_per_session

DATA = Path(__file__).parent / "data"
PG_URL = os.environ.get("PAPERFEED_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_admin():
    if not PG_URL:
        pytest.skip("PostgreSQL tests disabled (PAPERFEED_TEST_PG_URL is empty)")
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except Exception as exc:  # a configured but unreachable server is a failure, not a skip
        pytest.fail(f"PostgreSQL at {PG_URL} is not reachable: {exc}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> Iterator[str]:
    """A database URL usable by a separate process too (the CLI): SQLite file or PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'paperfeed.db'}"
        return
    pg_admin = request.getfixturevalue("pg_admin")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    yield url
    with pg_admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def store(db_url) -> Iterator[Store]:
    s = Store.open(db_url)
    yield s
    s.close()


# --- search: the real model, once per session -----------------------------------------------------------


@pytest.fixture(scope="session")
def encoder(tmp_path_factory) -> CachingEncoder:
    """The real model, its cache filled with everything the index job embeds for the seed papers: embedded by
    the session's first worker that asks, read by the others."""
    enc = CachingEncoder()
    folder = once_per_session(tmp_path_factory, "seed-corpus", lambda path: embed_seed_corpus(enc, path))
    load_seed_vectors(enc, folder)
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


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory) -> Path:
    """A model fine-tuned by ``scripts/train_similarity.py`` on the 22-paper arXiv excerpt (16 pairs, a few
    seconds; once per session, shared by its workers): what ``embed_model`` would name after a real run."""
    from tests.helpers.train import train

    return once_per_session(tmp_path_factory, "paper-minilm", train)


# --- mail ------------------------------------------------------------------------------------------------


@pytest.fixture
def inbox():
    with smtp_server() as box:
        yield box


@pytest.fixture
def lite_store(tmp_path):
    """SQLite only: for input checks whose outcome cannot depend on the database."""
    from paperfeed.store import Store

    s = Store.open(f"sqlite:///{tmp_path / 'lite.db'}")
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _no_log_handler_left_behind():
    """A test that starts the server's code in-process (``serve`` through CliRunner, ``manage.serve_app``)
    gets paperfeed's log handler on the stderr of that moment, which pytest or CliRunner closes after it;
    the worker's later log lines (other tests' SMTP or server threads) would each print "--- Logging error ---"
    into whatever stderr is current (a ``pf_here`` command's answer). The handlers a test added go with it."""
    import logging

    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in before and h.get_name() == "paperfeed"]:
        root.removeHandler(handler)
    root.setLevel(level)
