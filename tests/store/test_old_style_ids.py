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
    """Migration 0019: a paper stored as ``math.gt/0309136`` becomes ``math/0309136`` with what hangs on it;
    one whose real id is also stored stays apart."""
    engine = make_engine(db_url)
    migrate(engine, "0018")
    with engine.begin() as conn:
        _paper(conn, "math.gt/0309136", "Knots")
        _paper(conn, "hep-th.xx/9901001", "Clash")
        _paper(conn, "hep-th/9901001", "Strings")
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
        assert P.get_paper(conn, "hep-th.xx/9901001").title == "Clash"  # its real id is taken: left alone
        assert P.get_paper(conn, "hep-th/9901001").title == "Strings"
    engine.dispose()
