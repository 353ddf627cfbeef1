"""Shared fixtures: a fresh database per test, on SQLite and on the PostgreSQL server.

PostgreSQL runs at ``PAPERFEED_TEST_PG_URL`` (default: the local server's ``test`` database); each test
gets its own schema, dropped afterwards. Set ``PAPERFEED_TEST_PG_URL=`` (empty) to skip PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from paperfeed.store import Store

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
