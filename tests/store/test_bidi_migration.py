"""Migration 0022: bidi controls stored before the store dropped them are taken out of what readers see."""

from __future__ import annotations

import json

from sqlalchemy import text

from paperfeed.store import Store
from paperfeed.store import collections as C
from paperfeed.store import papers as P
from paperfeed.store.db import make_engine, migrate

RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"


def _insert(conn, sql: str, **values) -> None:
    conn.execute(text(sql), values)


def test_upgrade_rewrites_texts_stored_with_bidi_controls(db_url):
    engine = make_engine(db_url)
    migrate(engine, "0021")
    with engine.begin() as conn:
        paper = "INSERT INTO papers (id, title, abstract, comment, keywords, sources, hidden, created_at, modified_at) "
        paper += "VALUES (:id, :title, :abstract, :comment, '[]', '[]', false, '2024-01-01', '2024-01-01')"
        _insert(conn, paper, id="2401.00001", title=f"Safe {RLO}edoc{PDF} review", abstract=f"We {LRI}test{PDI}.",
                comment=None)  # fmt: skip
        _insert(conn, paper, id="2401.00002", title="Plain title", abstract="Nothing odd.", comment="5 pages")
        _insert(
            conn, "INSERT INTO paper_authors VALUES ('2401.00001', 0, :n, :k)", n=f"Ann {RLO} Lee", k=f"ann {RLO} lee"
        )
        for pid in ("2401.00001", "2401.00002"):
            _insert(conn, "INSERT INTO paper_summaries VALUES (:p, 'A summary.', 'h', 'm', '2024-01-01')", p=pid)
            _insert(conn, "INSERT INTO paper_vectors VALUES (:p, 'm', 'h', :v, '2024-01-01')", p=pid, v=b"\0" * 8)
        _insert(conn, "INSERT INTO users (username, password_hash, is_admin, banned, session_epoch, created_at) "
                "VALUES ('ann', 'x', false, false, 0, '2024-01-01')")  # fmt: skip
        uid = conn.execute(text("SELECT id FROM users")).scalar_one()
        _insert(conn, "INSERT INTO comments (paper_id, user_id, body, hidden, created_at) "
                "VALUES ('2401.00001', :u, :b, false, '2024-01-02')", u=uid, b=f"line one\n{RLO}gnol")  # fmt: skip
        coll = "INSERT INTO collections (user_id, name, description, is_public, created_at) "
        coll += "VALUES (:u, :n, :d, false, '2024-01-02')"
        _insert(conn, coll, u=uid, n="Reading", d="")
        _insert(conn, coll, u=uid, n=f"Read{RLO}ing", d=f"to {LRI}read{PDI}")
    migrate(engine)
    store = Store(engine)
    with store.read() as conn:
        odd, plain = P.get_paper(conn, "2401.00001"), P.get_paper(conn, "2401.00002")
        assert (odd.title, odd.abstract, odd.authors) == ("Safe edoc review", "We test.", ["Ann Lee"])
        assert plain.title == "Plain title" and plain.comment == "5 pages"
        when = dict(conn.execute(text("SELECT id, modified_at FROM papers")).all())
        assert str(when["2401.00002"]).startswith("2024-01-01")  # untouched papers keep their time
        assert not str(when["2401.00001"]).startswith("2024-01-01")  # the index re-reads the rewritten one
        # the rewritten paper's text changed: its vector is stale, its summary made again by the index job
        assert dict(conn.execute(text("SELECT paper_id, text_hash FROM paper_vectors")).all()) == {
            "2401.00001": "",
            "2401.00002": "h",
        }
        assert conn.execute(text("SELECT paper_id FROM paper_summaries")).scalars().all() == ["2401.00002"]
        assert conn.execute(text("SELECT name_key FROM paper_authors")).scalar_one() == "ann lee"
        assert conn.execute(text("SELECT body FROM comments")).scalar_one() == "line one\ngnol"
        names = sorted(c.name for c in C.for_user(conn, uid, viewer_id=uid))
        assert names == ["Reading", "Reading (2)"]  # no clash with the reader's other collection
        assert "\u2066" not in "".join(conn.execute(text("SELECT description FROM collections")).scalars())


def test_upgrade_cleans_imported_keywords_and_reindexes_renamed_authors(db_url):
    """Keywords are a JSON list (SQLite keeps a control as its escape ``\\u202e``); a paper whose author's name
    was rewritten is read again by the search index (its ``modified_at`` moves on)."""
    engine = make_engine(db_url)
    migrate(engine, "0021")
    with engine.begin() as conn:
        paper = "INSERT INTO papers (id, title, abstract, keywords, sources, hidden, created_at, modified_at) "
        paper += "VALUES (:id, 'A title', '', :kw, '[]', false, '2024-01-01', '2024-01-01')"
        odd = json.dumps([f"safe {RLO}edoc{PDF}", "graphs", f"{LRI}{PDI}", "Graphs"])  # escaped, as stored
        _insert(conn, paper, id="2401.00003", kw=odd)
        _insert(conn, paper, id="2401.00004", kw=json.dumps([f"raw {RLO}chars"], ensure_ascii=False))
        _insert(conn, paper, id="2401.00005", kw='["plain"]')
        _insert(conn, "INSERT INTO paper_authors VALUES ('2401.00005', 0, :n, 'x')", n=f"Bo {RLO}Li")
    migrate(engine)
    with Store(engine).read() as conn:
        kw = {p: P.get_paper(conn, p).keywords for p in ("2401.00003", "2401.00004", "2401.00005")}
        assert kw == {
            "2401.00003": ["safe edoc", "graphs", "Graphs"],
            "2401.00004": ["raw chars"],
            "2401.00005": ["plain"],
        }
        when = dict(conn.execute(text("SELECT id, modified_at FROM papers")).all())
        assert not any(str(when[p]).startswith("2024-01-01") for p in when)  # each rewritten: indexed again
        assert P.get_paper(conn, "2401.00005").authors == ["Bo Li"]
