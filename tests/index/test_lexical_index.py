"""The lexical index follows the store: catch-up by watermark, rebuild, deletions, lost files."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import delete

from paperfeed.index import engine, forget, index_root
from paperfeed.index.lexical import SCHEMA_VERSION, LexicalIndex
from paperfeed.ingest import import_items
from paperfeed.records import PaperRecord
from paperfeed.settings import Settings
from paperfeed.sources import files
from paperfeed.store.models import papers

FILES = Path(__file__).resolve().parent.parent / "data" / "files"


def rec(n: int, title: str | None = None) -> PaperRecord:
    return PaperRecord(
        title=title or f"Paper number {n} about widgets",
        abstract=f"Widget study {n}.",
        arxiv_id=f"2601.{n:05d}",
        source="test",
    )


def ids_for(index: LexicalIndex, word: str) -> set[str]:
    import tantivy

    hits, _ = index.search(tantivy.Query.term_query(index.schema, "abstract", word), limit=1000)
    return {h.paper_id for h in hits}


def test_sync_follows_the_watermark_and_rebuild_matches(store, tmp_path):
    index = LexicalIndex(tmp_path / "lex")
    import_items(store, [rec(i) for i in range(5)])
    assert index.sync(store) == 5 and index.num_docs == 5
    assert index.sync(store) == 0
    import_items(store, [rec(i) for i in range(5, 8)])
    assert index.sync(store) == 3
    import_items(store, [rec(1, title="Renamed paper about gadgets")])  # no higher version: no change
    assert index.sync(store) == 0
    assert ids_for(index, "widget") == {f"2601.{i:05d}" for i in range(8)}
    reopened = LexicalIndex(tmp_path / "lex")  # the watermark survives a restart
    assert reopened.sync(store) == 0 and reopened.num_docs == 8
    assert reopened.rebuild(store) == 8 and reopened.num_docs == 8


def test_deleted_papers_leave_the_index(store, tmp_path):
    index = LexicalIndex(tmp_path / "lex")
    import_items(store, [rec(i) for i in range(3)])
    index.sync(store)
    with store.transaction() as conn:
        conn.execute(delete(papers).where(papers.c.id == "2601.00001"))
    assert index.reconcile(store) == 1
    assert ids_for(index, "widget") == {"2601.00000", "2601.00002"}


def test_hiding_a_paper_takes_it_out_of_the_index_and_showing_it_puts_it_back(store, tmp_path):
    from paperfeed.store.community import hide_paper

    index = LexicalIndex(tmp_path / "lex")
    import_items(store, [rec(i) for i in range(3)])
    index.sync(store)
    with store.transaction() as conn:
        hide_paper(conn, "2601.00001")
    assert index.sync(store) == 1
    assert ids_for(index, "widget") == {"2601.00000", "2601.00002"} and index.num_docs == 2
    rebuilt = LexicalIndex(tmp_path / "rebuilt")
    rebuilt.rebuild(store)
    assert rebuilt.num_docs == 2  # a rebuild leaves it out as well
    with store.transaction() as conn:
        hide_paper(conn, "2601.00001", hidden=False)
    assert index.sync(store) == 1 and ids_for(index, "widget") == {f"2601.{i:05d}" for i in range(3)}


def test_an_index_of_an_older_layout_is_rebuilt_from_the_store(store, tmp_path):
    import json

    index = LexicalIndex(tmp_path / "lex")
    import_items(store, [rec(i) for i in range(4)])
    index.sync(store)
    meta = tmp_path / "lex" / "paperfeed-meta.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "schema": 1}))
    reopened = LexicalIndex(tmp_path / "lex")
    assert reopened.num_docs == 0 and reopened.sync(store) == 4
    assert ids_for(reopened, "widget") == {f"2601.{i:05d}" for i in range(4)}
    # a tantivy index of a foreign schema where ours should be: replaced, not a crash
    import tantivy

    shutil.rmtree(tmp_path / "lex2", ignore_errors=True)
    b = tantivy.SchemaBuilder()
    b.add_text_field("body", stored=True)
    tantivy.Index(b.build(), path=str((tmp_path / "lex2").mkdir() or tmp_path / "lex2"))
    (tmp_path / "lex2" / "paperfeed-meta.json").write_text(json.dumps({"schema": SCHEMA_VERSION, "watermark": None}))
    foreign = LexicalIndex(tmp_path / "lex2")
    assert foreign.sync(store) == 4 and ids_for(foreign, "widget") == {f"2601.{i:05d}" for i in range(4)}


def test_a_lost_index_catches_up_from_the_store(store, tmp_path, db_url):
    settings = Settings(data_dir=tmp_path, database_url=db_url, search_refresh_seconds=0)
    import_items(store, files.read(FILES / "papers-page-sample.txt"))
    eng = engine(settings)
    eng.refresh(store, force=True)
    assert eng.lexical.num_docs == 102
    shutil.rmtree(index_root(settings))
    forget(settings)
    eng = engine(settings)
    eng.refresh(store, force=True)
    assert eng.lexical.num_docs == 102 and eng.not_embedded() == 102
