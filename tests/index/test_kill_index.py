"""Kill -9 in the middle of ``paperfeed index``: the real command and the bundled model in a real process, over
12 papers committed 4 at a time (setting ``index_batch``).

It is killed once the database shows some of the papers' vectors stored and not all. The database then
passes its checks and holds whole batches only; run again, the command exits 0 having embedded only what was
missing, and the database (vectors, keywords, sentences, summaries), the index files (tantivy's documents,
the HNSW graph's papers) and the answers of searches and similar-papers calls equal those of one
uninterrupted run on a fresh database. A kill between the writes of the HNSW graph and of its meta (too
short a moment to catch a process in) is made by hand: the next job rebuilds the graph from the database.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

import paperfeed
from paperfeed.index import engine, forget, index_root, job
from paperfeed.index.embed import MODEL_NAME
from paperfeed.index.lexical import LexicalIndex
from paperfeed.index.vectors import VectorIndex
from paperfeed.ingest import import_items
from paperfeed.settings import Settings
from paperfeed.sources import files
from paperfeed.store import Store
from paperfeed.store import keywords as store_keywords
from paperfeed.store import summaries as store_summaries
from paperfeed.store import vectors as store_vectors
from paperfeed.store.models import Paper, PaperKeyword, PaperVector
from tests.helpers.kill import Run, counts, finish, problems
from tests.helpers.search import FILES

N, BATCH = 12, 4
ENV = {"PAPERFEED_INDEX_BATCH": str(BATCH), "OMP_NUM_THREADS": "1"}  # two runs at a time, one core each
QUERIES = ["large language models", "image generation", "robot"]


def papers_file(tmp_path: Path) -> Path:
    """The first ``N`` papers of the arXiv excerpt in tests/data."""
    with gzip.open(FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz", "rt") as f:
        lines = [next(f) for _ in range(N)]
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(lines))
    return path


def rows(store: Store, model) -> int:
    with store.read() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def state(store: Store, settings: Settings) -> dict:
    """What a finished index run leaves: the rows, what they hold, the index files, and the answers."""
    root = index_root(settings)
    graph = VectorIndex(root / "vectors", MODEL_NAME)  # as the next process loads them
    with store.read() as conn:
        ids = sorted(conn.execute(select(Paper.id)).scalars())
        out = {
            "counts": counts(store),
            "vectors": store_vectors.get_vectors(conn, MODEL_NAME, ids),
            "keywords": store_keywords.for_papers(conn, ids),
            "summaries": store_summaries.for_papers(conn, ids),
            "lexical docs": LexicalIndex(root / "lexical").num_docs,
            "graph": (len(graph), sorted(graph.ids)),
        }
    forget(settings)  # searches as a new process makes them, from the files
    out["search"] = {q: [h.paper_id for h in paperfeed.search(store, settings, q, limit=5).hits] for q in QUERIES}
    out["similar"] = {pid: [h.paper_id for h in paperfeed.similar(store, settings, pid, limit=5)] for pid in ids[:3]}
    return out


def test_a_killed_index_run_resumes_to_what_an_uninterrupted_run_gives(db_url, tmp_path):
    if db_url.startswith("postgresql"):
        pytest.skip(
            "SQLite only: each run loads the real model and embeds on the CPU (the runs take most of a minute); "
            "what a kill can break here (the batches' commits, the index files) is the same on PostgreSQL, where "
            "tests/index/test_job.py resumes an interrupted job"
        )
    source = papers_file(tmp_path)
    data = tmp_path / "data"

    ref_url = f"sqlite:///{tmp_path / 'reference.db'}"  # one uninterrupted run on a fresh database ...
    ref_store = Store.open(ref_url)
    import_items(ref_store, files.read(source))
    reference = Run.start(ref_url, data, "index", env=ENV)  # ... beside the killed run and its rerun

    store = Store.open(db_url)
    settings = Settings(data_dir=data, database_url=db_url, search_refresh_seconds=0)
    import_items(store, files.read(source))
    before = counts(store)
    run = Run.start(db_url, data, "index", env=ENV)

    def mid_embedding() -> None:  # some batches of vectors committed, not all, nothing after them
        done = rows(store, PaperVector)
        assert 0 < done < N and done % BATCH == 0 and rows(store, PaperKeyword) == 0

    run.kill_when(lambda: 0 < rows(store, PaperVector) < N, mid_embedding, every=0.02)
    assert problems(store) == []
    done = rows(store, PaperVector)
    assert counts(store) == before | {"paper_vectors": done}  # whole batches, nothing else
    forget(settings)
    assert paperfeed.search(store, settings, QUERIES[0], limit=5).hits  # searches work meanwhile

    r = finish(db_url, data, "index", "--json", env=ENV)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["embedded"] == N - done  # resumed: what was stored is not embedded again
    assert problems(store) == []
    assert reference.wait() == 0, reference.stderr[-3000:]
    ref = state(ref_store, Settings(data_dir=data, database_url=ref_url, search_refresh_seconds=0))
    assert ref["counts"]["paper_vectors"] == ref["counts"]["paper_summaries"] == N
    assert state(store, settings) == ref
    store.close()
    ref_store.close()


def test_a_graph_saved_without_its_meta_is_rebuilt_from_the_database(lite_store, tmp_path):
    """``VectorIndex.save`` replaces the graph, then its meta (the paper of each key): a kill between the two
    left a graph larger than its meta says, which failed searches (IndexError) and every later job
    (usearch: duplicate keys). Now it does not load, and the next job rebuilds the graph."""
    import_items(lite_store, files.read(FILES / "arxiv-cs-2025-2026-excerpt.jsonl.gz"))
    settings = Settings(data_dir=tmp_path / "data", database_url=lite_store.url, search_refresh_seconds=0)
    with lite_store.read() as conn:
        ids = sorted(conn.execute(select(Paper.id)).scalars())
    rng = np.random.default_rng(7)

    def store_vectors_for(some: list[str]) -> None:
        v = rng.normal(size=(len(some), 384)).astype("<f4")
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        with lite_store.transaction() as conn:
            store_vectors.save_vectors(conn, MODEL_NAME, [(p, "h", b.tobytes()) for p, b in zip(some, v, strict=True)])

    meta = index_root(settings) / "vectors" / "vectors-meta.json"
    store_vectors_for(ids[:10])
    assert job.run(lite_store, settings, embed=False).vectors == 10
    first_meta = meta.read_text()
    store_vectors_for(ids[10:])
    forget(settings)
    assert job.run(lite_store, settings, embed=False).vectors == len(ids) - 10
    meta.write_text(first_meta)  # the kill: the new graph is in place, its meta is the old one

    forget(settings)
    assert len(engine(settings).vectors) == 0  # not loaded: its keys name papers the meta does not list
    assert job.run(lite_store, settings, embed=False).vectors == len(ids)  # rebuilt from the database
    forget(settings)
    graph = engine(settings).vectors
    assert sorted(graph.ids) == ids and len(graph) == len(ids)
    with lite_store.read() as conn:
        one = np.frombuffer(store_vectors.get_vectors(conn, MODEL_NAME, [ids[15]])[ids[15]], dtype="<f4")
    assert graph.search(one, 1)[0][0] == ids[15]
