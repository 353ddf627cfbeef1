"""The demo's shipped vectors and keyphrases: used only where they still fit the paper's text."""

from __future__ import annotations

import json

import numpy as np

from paperfeed.index import bundled
from paperfeed.index.embed import MODEL_NAME
from paperfeed.index.text import text_hash
from paperfeed.ingest import import_items
from paperfeed.records import PaperRecord
from paperfeed.store import keywords as store_keywords
from paperfeed.store import vectors as store_vectors


def rec(n: int, abstract: str) -> PaperRecord:
    return PaperRecord(title=f"Paper {n} on widgets", abstract=abstract, arxiv_id=f"2601.{n:05d}", source="test")


def shipped(path, rows, model=MODEL_NAME):
    """rows: (paper id, hashed title, hashed abstract, keywords)."""
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(len(rows), 8)).astype(np.float16)
    np.savez_compressed(
        path,
        model=np.array(model),
        ids=np.array([r[0] for r in rows]),
        hashes=np.array([text_hash(r[1], r[2]) for r in rows]),
        vectors=vecs,
        keywords=np.array([json.dumps(r[3]) for r in rows]),
    )
    return vecs


def test_loads_fitting_vectors_and_keyphrases_once(store, tmp_path):
    import_items(store, [rec(1, "Widgets fold."), rec(2, "Widgets were rewritten since.")])
    path = tmp_path / "demo-index.npz"
    vecs = shipped(
        path,
        [
            ("2601.00001", "Paper 1 on widgets", "Widgets fold.", [["folding widgets", 0.8]]),
            ("2601.00002", "Paper 2 on widgets", "An older abstract.", [["old words", 0.5]]),  # text changed
            ("2601.09999", "Not here", "Unknown paper.", []),
        ],
    )
    assert bundled.load(store, path) == 1
    with store.read() as conn:
        got = store_vectors.get_vectors(conn, MODEL_NAME, ["2601.00001", "2601.00002", "2601.09999"])
        kws = store_keywords.for_papers(conn, ["2601.00001", "2601.00002"])
        todo = store_vectors.count_to_embed(conn, MODEL_NAME)
    assert set(got) == {"2601.00001"}
    assert np.allclose(np.frombuffer(got["2601.00001"], dtype="<f4"), vecs[0].astype(np.float32))
    assert kws.get("2601.00001") == ["folding widgets"] and not kws.get("2601.00002")
    assert todo == 1  # the changed paper is left to the index job
    assert bundled.load(store, path) == 0  # idempotent: a paper's own vector is never replaced


def test_another_model_is_ignored(store, tmp_path):
    import_items(store, [rec(1, "Widgets fold.")])
    path = tmp_path / "demo-index.npz"
    shipped(path, [("2601.00001", "Paper 1 on widgets", "Widgets fold.", [])], model="some-other-model")
    assert bundled.load(store, path) == 0


def test_shipped_summaries_are_used_with_their_vector_when_the_method_is_current(store, tmp_path):
    from paperfeed.index.summaries import METHOD
    from paperfeed.store import papers as store_papers
    from paperfeed.store import summaries as store_summaries
    from paperfeed.store.models import paper_vectors

    import_items(store, [rec(1, "Widgets fold."), rec(2, "Widgets were rewritten since."), rec(3, "Gadgets.")])
    rows = [
        ("2601.00001", "Paper 1 on widgets", "Widgets fold.", []),
        ("2601.00002", "Paper 2 on widgets", "An older abstract.", []),  # text changed: left to the job
    ]
    for method, expected in (("an-older-method", None), (METHOD, "Widgets fold, briefly.")):
        path = tmp_path / f"{method}.npz"
        shipped(path, rows)
        with np.load(path) as data:
            arrays = dict(data)
        np.savez_compressed(path, **arrays, summary_method=np.array(method),
                            summaries=np.array(["Widgets fold, briefly.", "Old text."]))  # fmt: skip
        with store.transaction() as conn:
            conn.execute(paper_vectors.delete())
        assert bundled.load(store, path) == 1
        with store.read() as conn:
            views = {v.id: v for v in store_papers.get_papers(conn, ["2601.00001", "2601.00002"])}
            todo = store_summaries.count_to_summarize(conn, MODEL_NAME, METHOD)
        assert views["2601.00001"].summary == expected and views["2601.00002"].summary is None
        assert todo == (1 if expected is None else 0)  # an older method's summaries are made again by the job
