"""The lexical index follows the store: catch-up by watermark, rebuild, deletions, lost files."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import delete

from paperfeed.index import engine, forget, index_root
from paperfeed.index.lexical import LexicalIndex
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
