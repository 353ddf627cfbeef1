"""The schema: migrations build exactly the models' tables; SQLite runs in WAL mode."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from paperfeed.store import Store
from paperfeed.store.db import current_revision, migrate
from paperfeed.store.models import Base


def test_migrations_match_models(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert current_revision(store.engine) is not None


def test_migrate_twice_is_harmless(store):
    before = current_revision(store.engine)
    migrate(store.engine)
    assert current_revision(store.engine) == before


def test_sqlite_uses_wal(tmp_path):
    s = Store.open(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    with s.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "sub" / "x.db").exists()
