"""The schema: migrations build exactly the models' tables; SQLite runs in WAL mode."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from paperfeed.store import Store
from paperfeed.store.db import current_revision, migrate
from paperfeed.store.models import Base


def _old_paper(conn) -> None:
    """Paper 2401.00001 by hand, in the columns of the first schema: the current upsert writes later ones."""
    conn.exec_driver_sql(
        "INSERT INTO papers (id, version, title, abstract, keywords, sources, created_at, modified_at) "
        "VALUES ('2401.00001', 1, 'T', 'A', '[]', '[\"hf\"]', '2024-01-01', '2024-01-01')"
    )


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


def test_upgrade_from_first_schema_keeps_every_row(db_url):
    """Schema upgrades must never lose data (SQLite rebuilds tables; foreign-key cascades must not fire)."""
    from datetime import date

    from paperfeed.ingest import import_items
    from paperfeed.records import Featured, PaperRecord, checked
    from paperfeed.store import papers as P
    from paperfeed.store.db import make_engine

    engine = make_engine(db_url)
    migrate(engine, "0001")
    old = Store(engine)
    # write with the 0001 tables only: the current upsert also sets later columns, so insert by hand
    with engine.begin() as conn:
        _old_paper(conn)
        conn.exec_driver_sql("INSERT INTO paper_authors VALUES ('2401.00001', 0, 'Ada Lovelace')")
        conn.exec_driver_sql("INSERT INTO paper_categories VALUES ('2401.00001', 'cs.LG')")
        conn.exec_driver_sql("INSERT INTO featured VALUES ('2401.00001', '2024-01-02', 'ak', 5, 'hf')")
        conn.exec_driver_sql("INSERT INTO paper_versions VALUES ('2401.00001', 1, 'T', 'A', NULL, NULL, '2024-01-01')")
    migrate(engine)
    with old.read() as conn:
        p = P.get_paper(conn, "2401.00001")
        assert p.authors == ["Ada Lovelace"] and p.categories == ["cs.LG"] and not p.hidden
        assert [(f.day, f.submitted_by) for f in p.featured] == [(date(2024, 1, 2), "ak")]
        assert len(P.versions(conn, "2401.00001")) == 1
    # and the upgraded database takes new imports as usual
    import_items(old, [checked(PaperRecord(title="U", arxiv_id="2401.00002", featured=[Featured(date(2024, 1, 3))]))])
    with old.read() as conn:
        assert P.counts(conn)["featured_entries"] == 2
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_upgrade_to_0005_unconfirms_account_addresses_and_their_links(db_url):
    """Addresses stored before 0005 were never confirmed: they wait for confirmation, and the subscription
    links made by them are dropped (docs/email.md, "Account addresses")."""
    from paperfeed.store import subscriptions as subs
    from paperfeed.store import users as store_users
    from paperfeed.store.db import make_engine

    engine = make_engine(db_url)
    migrate(engine, "0004")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO users (id, username, email, password_hash, is_admin, banned, session_epoch, created_at) "
            "VALUES (1, 'mallory', 'victim@example.org', 'x', false, false, 0, '2026-01-01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO subscribers (id, email, email_key, user_id, status, frequency, trending, personal, "
            "send_empty, token_version, bounce_count, created_at) VALUES (1, 'victim@example.org', "
            "'victim@example.org', 1, 'active', 'daily', true, true, false, 1, 0, '2026-01-01')"
        )
    migrate(engine)
    store = Store(engine)
    with store.read() as conn:
        user = store_users.get_user(conn, 1)
        assert user.email is None and user.pending_email == "victim@example.org"
        assert subs.for_user(conn, 1) is None and subs.get(conn, 1).status == "active"
    engine.dispose()


def test_rows_read_in_one_step_are_the_rows_sqlalchemy_reads(store):
    """``execute_in`` on SQLite reads each statement's rows packed into one JSON value (``db._Packed``):
    the same values and types (dates, booleans, JSON lists, None, non-ASCII text), the same order, the
    same names as reading them row by row."""
    from datetime import UTC, date, datetime

    from sqlalchemy import select

    from paperfeed.store import community
    from paperfeed.store import keywords as store_keywords
    from paperfeed.store import papers as P
    from paperfeed.store.db import _packed, execute_in, ids_param
    from paperfeed.store.models import paper_keywords
    from tests.helpers.web import add_papers, paper

    add_papers(
        store,
        paper(1, title="Ünïcode «title» — 数学", authors=["Zoë Zed", "Amy Ames", "Bob Bell"], keywords=["a", "b"],
              published=datetime(2024, 1, 1, 8, 30, 15, 123456, tzinfo=UTC), announced=date(2024, 1, 2), upvotes=3),
        paper(2, comment=None, code_url=None),
        paper(3),
    )  # fmt: skip
    with store.transaction() as conn:
        community.hide_paper(conn, "2401.00003")
        store_keywords.save_keywords(conn, [("2401.00001", [("zeta", 0.1 + 0.2), ("alpha", 0.5)])])
    ids = ["2401.00001", "2401.00002", "2401.00003", "9999.99999"]
    statements = [P._PAPERS, P._AUTHORS, P._CATEGORIES, P._FEATURED, P._COUNTS, P._TITLES, store_keywords._FOR_PAPERS]
    with store.read() as conn:
        for stmt in statements:
            read = list(execute_in(conn, stmt, ids))
            rows = list(conn.execute(stmt, {"ids": ids}))
            assert [tuple(r) for r in read] == [tuple(r) for r in rows], stmt
            assert [list(map(type, r)) for r in read] == [list(map(type, r)) for r in rows], stmt
            named = [f for f in rows[0]._fields if not f.startswith(("_", "anon_"))] if rows else []  # by name
            assert [[getattr(r, f) for f in named] for r in read] == [[getattr(r, f) for f in named] for r in rows]
        # a float column would lose digits in SQLite's JSON (15 significant): such statements are read row by row
        k = paper_keywords.c
        scores = select(k.keyword, k.score).where(k.paper_id.in_(ids_param()))
        assert _packed(scores) is None
        assert dict(execute_in(conn, scores, ids))["zeta"] == 0.1 + 0.2
    if store.dialect == "sqlite":
        assert all(_packed(stmt) is not None for stmt in statements)


def test_upgrade_to_0011_keeps_collections_and_stops_reusing_their_ids(db_url):
    """SQLite tables are rebuilt with AUTOINCREMENT: rows, ids and items kept, a deleted id never reused."""
    from paperfeed.store import collections as C
    from paperfeed.store.db import make_engine

    engine = make_engine(db_url)
    migrate(engine, "0010")
    store = Store(engine)
    with engine.begin() as conn:  # the 0010 tables: by hand, as the current upsert writes later columns
        _old_paper(conn)
        conn.exec_driver_sql(  # and the current users table has later columns
            "INSERT INTO users (username, password_hash, is_admin, banned, session_epoch, created_at) "
            "VALUES ('ann', 'x', false, false, 0, '2024-01-01')"
        )
    with store.transaction() as conn:
        uid = conn.exec_driver_sql("SELECT id FROM users WHERE username = 'ann'").scalar_one()
        keep = C.create(conn, user_id=uid, name="Keep", is_public=True)
        C.add_paper(conn, keep, "2401.00001")
        last = C.create(conn, user_id=uid, name="Last", is_public=True)
    migrate(engine)
    with store.transaction() as conn:
        assert C.paper_ids(conn, keep) == ["2401.00001"]
        C.remove(conn, last)
        assert C.create(conn, user_id=uid, name="New", is_public=True) != last
    engine.dispose()


def test_upgrade_to_0012_keys_every_author_for_pages_that_fold_accents(db_url):
    from paperfeed.store import papers as P
    from paperfeed.store.db import make_engine

    engine = make_engine(db_url)
    migrate(engine, "0011")
    with engine.begin() as conn:
        _old_paper(conn)
        conn.exec_driver_sql("INSERT INTO paper_authors VALUES ('2401.00001', 0, 'Aleksander Mądry')")
    migrate(engine)
    with Store(engine).read() as conn:
        assert [p.id for p in P.by_author(conn, "aleksander madry")[0]] == ["2401.00001"]
    engine.dispose()


def test_a_database_this_user_cannot_open_is_one_clear_error(tmp_path):
    """A data dir the process may not write (a read-only mount, another user's folder: here a folder where
    the file should be, which SQLite cannot open either) names the file and what to do, not a driver error."""
    import pytest

    from paperfeed.errors import PaperfeedError

    (tmp_path / "paperfeed.db").mkdir()
    for upgrade in (True, False):
        with pytest.raises(PaperfeedError) as caught:
            Store.open(f"sqlite:///{tmp_path / 'paperfeed.db'}", upgrade=upgrade)
        assert str(tmp_path / "paperfeed.db") in str(caught.value) and "--data-dir" in str(caught.value)
    (tmp_path / "file").write_text("x")
    with pytest.raises(PaperfeedError, match="cannot create the data folder .*file/sub"):
        Store.open(f"sqlite:///{tmp_path / 'file' / 'sub' / 'paperfeed.db'}")
