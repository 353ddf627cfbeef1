"""Old-style arXiv ids: the subject class (``math.GT/0309136``) is not part of arXiv's id (``math/0309136``)."""

from __future__ import annotations

from paperfeed.ids import parse_arxiv_id
from paperfeed.ingest import import_items
from paperfeed.records import PaperRecord, checked
from paperfeed.store import Store
from paperfeed.store import papers as P
from paperfeed.store.db import make_engine, migrate


def test_an_id_with_its_subject_class_is_the_paper_without_it():
    assert parse_arxiv_id("math.GT/0309136v2") == ("math/0309136", 2)
    assert parse_arxiv_id("https://arxiv.org/abs/math.GT/0309136") == ("math/0309136", None)
    assert parse_arxiv_id("arXiv:hep-th/9901001") == ("hep-th/9901001", None)


def test_both_spellings_import_as_one_paper(store):
    a = checked(PaperRecord(title="Knots", arxiv_id="math.GT/0309136", source="jsonl"))
    b = checked(PaperRecord(title="Knots", arxiv_id="math/0309136v1", source="jsonl"))
    assert import_items(store, [a]).counts.added == 1
    assert import_items(store, [b]).counts.added == 0
    with store.read() as conn:
        p = P.get_paper(conn, "math/0309136")
        assert P.counts(conn)["papers"] == 1
    assert p.abs_url == "https://arxiv.org/abs/math/0309136"


def _paper(conn, pid: str, title: str) -> None:
    conn.exec_driver_sql(
        "INSERT INTO papers (id, title, abstract, keywords, sources, hidden, created_at, modified_at) "
        f"VALUES ('{pid}', '{title}', '', '[]', '[]', false, '2024-01-01', '2024-01-01')"
    )


def test_upgrade_renames_stored_ids_with_their_votes_and_comments(db_url):
    """Migration 0019: a paper stored as ``math.gt/0309136`` becomes ``math/0309136`` with what hangs on it."""
    engine = make_engine(db_url)
    migrate(engine, "0018")
    with engine.begin() as conn:
        _paper(conn, "math.gt/0309136", "Knots")
        conn.exec_driver_sql(
            "INSERT INTO paper_authors VALUES ('math.gt/0309136', 0, 'Bill Thurston', 'bill thurston')"
        )
        conn.exec_driver_sql(
            "INSERT INTO users (username, password_hash, is_admin, banned, session_epoch, created_at) "
            "VALUES ('ann', 'x', false, false, 0, '2024-01-01')"
        )
        uid = conn.exec_driver_sql("SELECT id FROM users").scalar_one()
        conn.exec_driver_sql(f"INSERT INTO votes VALUES ({uid}, 'math.gt/0309136', 1, '2024-01-02')")
        conn.exec_driver_sql(
            "INSERT INTO comments (paper_id, user_id, body, hidden, created_at) "
            f"VALUES ('math.gt/0309136', {uid}, 'nice', false, '2024-01-02')"
        )
    migrate(engine)
    with Store(engine).read() as conn:
        p = P.get_paper(conn, "math/0309136")
        assert (p.title, p.authors, p.upvotes, p.num_comments) == ("Knots", ["Bill Thurston"], 1, 1)
        assert P.get_paper(conn, "math.gt/0309136") is None
    engine.dispose()


def _user(conn, name: str) -> int:
    conn.exec_driver_sql(
        "INSERT INTO users (username, password_hash, is_admin, banned, session_epoch, created_at) "
        f"VALUES ('{name}', 'x', false, false, 0, '2024-01-01')"
    )
    return conn.exec_driver_sql(f"SELECT id FROM users WHERE username = '{name}'").scalar_one()


def test_upgrade_merges_a_paper_stored_under_both_spellings(db_url):
    """Migration 0019: ``math.ag/0101001`` and ``math/0101001`` both stored (a file import, then arXiv) become
    one paper with the votes, comments, collection items, featured days and reports of both; a reader's vote
    or open report on both counts once. Kept apart, the first could not be reached: its id parses to the
    second."""
    engine = make_engine(db_url)
    migrate(engine, "0018")
    old, new = "math.ag/0101001", "math/0101001"
    with engine.begin() as conn:
        _paper(conn, old, "Curves")
        _paper(conn, new, "Curves")
        conn.exec_driver_sql(f"UPDATE papers SET hf_upvotes = 7, code_url = 'https://c.example' WHERE id = '{old}'")
        conn.exec_driver_sql(f"INSERT INTO paper_authors VALUES ('{new}', 0, 'Ann Author', 'ann author')")
        conn.exec_driver_sql(f"INSERT INTO paper_authors VALUES ('{old}', 0, 'A. Author', 'a author')")
        ann, bob, cy = _user(conn, "ann"), _user(conn, "bob"), _user(conn, "cy")
        for uid, pid in ((ann, old), (bob, new), (cy, old), (cy, new)):
            conn.exec_driver_sql(f"INSERT INTO votes VALUES ({uid}, '{pid}', 1, '2024-01-02')")
        conn.exec_driver_sql(
            "INSERT INTO comments (paper_id, user_id, body, hidden, created_at) "
            f"VALUES ('{old}', {ann}, 'on the old id', false, '2024-01-02')"
        )
        conn.exec_driver_sql(
            "INSERT INTO collections (user_id, name, description, is_public, created_at) "
            f"VALUES ({ann}, 'Read', '', true, '2024-01-02')"
        )
        coll = conn.exec_driver_sql("SELECT id FROM collections").scalar_one()
        conn.exec_driver_sql(f"INSERT INTO collection_items VALUES ({coll}, '{old}', '2024-01-02')")
        conn.exec_driver_sql(f"INSERT INTO featured VALUES ('{old}', '2024-01-03', 'ann', NULL, 'submission')")
        for pid in (old, new):
            conn.exec_driver_sql(
                "INSERT INTO reports (user_id, kind, target, paper_id, reason, created_at) "
                f"VALUES ({bob}, 'paper', '{pid}', '{pid}', 'spam', '2024-01-04')"
            )
    migrate(engine)
    with Store(engine).read() as conn:
        p = P.get_paper(conn, new)
        assert P.get_paper(conn, old) is None and P.counts(conn)["papers"] == 1
        assert (p.authors, p.upvotes, p.num_comments) == (["Ann Author"], 7 + 3, 1)  # ann, bob, cy once
        assert p.code_url == "https://c.example" and [(f.day.isoformat(), f.submitted_by) for f in p.featured] == [
            ("2024-01-03", "ann")
        ]
        assert conn.exec_driver_sql("SELECT paper_id FROM collection_items").scalars().all() == [new]
        reports = conn.exec_driver_sql("SELECT target, paper_id FROM reports").all()
        assert [tuple(r) for r in reports] == [(new, new)]
    engine.dispose()
