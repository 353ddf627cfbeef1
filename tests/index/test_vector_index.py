"""The vector index follows ``paper_vectors``: incremental sync by watermark, rebuild, paging of the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from paperfeed.index.embed import DIM
from paperfeed.index.vectors import VectorIndex
from paperfeed.ingest import import_items
from paperfeed.records import PaperRecord
from paperfeed.store import vectors as store_vectors

MODEL = "test-model"


def unit(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def save(store, ids: list[int], at: datetime) -> None:
    rows = [(f"2601.{i:05d}", "hash", unit(i).astype("<f4").tobytes()) for i in ids]
    with store.transaction() as conn:
        store_vectors.save_vectors(conn, MODEL, rows, now=at)


def test_pages_come_oldest_first_and_resume_after_the_watermark(store, tmp_path):
    import_items(store, [PaperRecord(title=f"Widgets {i}", arxiv_id=f"2601.{i:05d}", source="t") for i in range(7)])
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    save(store, [4, 5, 6], t0 + timedelta(hours=1))
    save(store, [0, 1, 2, 3], t0)
    with store.read() as conn:
        pages = list(store_vectors.iter_vectors(conn, MODEL, page=3))
        later = list(store_vectors.iter_vectors(conn, MODEL, t0, page=3))
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [pid for p in pages for pid, _, _ in p] == [f"2601.{i:05d}" for i in (0, 1, 2, 3, 4, 5, 6)]
    assert [pid for p in later for pid, _, _ in p] == ["2601.00004", "2601.00005", "2601.00006"]
    assert np.frombuffer(pages[0][0][1], dtype="<f4") @ unit(0) > 0.9999

    index = VectorIndex(tmp_path / "vec", MODEL)
    assert index.sync(store) == 7 and len(index) == 7
    save(store, [2], t0 + timedelta(hours=2))  # re-embedded: replaced, not added twice
    assert index.sync(store) == 1 and len(index) == 7
    assert index.search(unit(2), 1)[0][0] == "2601.00002"
    index.save()
    again = VectorIndex(tmp_path / "vec", MODEL)
    assert len(again) == 7 and again.sync(store) == 0


def test_a_reader_stopped_inside_a_batch_of_one_instant_resumes_after_its_last_id(store):
    import_items(store, [PaperRecord(title=f"Widgets {i}", arxiv_id=f"2601.{i:05d}", source="t") for i in range(6)])
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    save(store, [0, 1, 2, 3], t0)  # one batch, one timestamp
    save(store, [5], t0 - timedelta(hours=1))  # older: never read again
    save(store, [4], t0 + timedelta(seconds=1))
    with store.read() as conn:
        rest = list(store_vectors.iter_vectors(conn, MODEL, t0, after_id="2601.00001"))
        none = list(store_vectors.iter_vectors(conn, MODEL, t0 + timedelta(seconds=1), after_id="2601.00004"))
    assert [pid for p in rest for pid, _, _ in p] == ["2601.00002", "2601.00003", "2601.00004"]
    assert none == []
