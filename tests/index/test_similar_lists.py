"""The index job's similar step: every embedded paper's list stored, a new paper entering the lists of the
papers it is like, nothing done when every list is current; on SQLite and PostgreSQL."""

from __future__ import annotations

from paperfeed.index import job
from paperfeed.index.embed import MODEL_NAME
from paperfeed.ingest import import_items
from paperfeed.rank.similar import LIST_SIZE, METHOD, NEIGHBOURS, ListRanker, similar
from paperfeed.records import PaperRecord
from paperfeed.store import papers as P
from paperfeed.store import similar_lists as L
from paperfeed.store import vectors as V

FACES = "2503.11935"  # facial expression recognition


def _stored(store, pid: str) -> list[str] | None:
    with store.read() as conn:
        hits = L.get(conn, pid, model=MODEL_NAME, method=METHOD)
    return None if hits is None else [h[0] for h in hits]


def test_the_job_stores_every_list_and_then_has_nothing_to_do(seeded, settings, encoder):
    report = job.run(seeded, settings, encoder=encoder, similar=ListRanker(seeded, settings))
    with seeded.read() as conn:
        embedded = len(V.all_ids(conn))
        assert report.similar == embedded == L.count_lists(conn) == 124
        assert L.count_to_rank(conn, MODEL_NAME, METHOD) == 0
    assert "similar" in report.seconds
    stored = _stored(seeded, FACES)
    assert len(stored) == LIST_SIZE and FACES not in stored
    # the page's reading of the stored list is the ranking a page would make itself
    assert [h.paper_id for h in similar(seeded, settings, FACES, limit=LIST_SIZE)] == stored
    assert [h.paper_id for h in similar(seeded, settings, FACES, limit=LIST_SIZE + 1)][:LIST_SIZE] == stored
    again = job.run(seeded, settings, encoder=encoder, similar=ListRanker(seeded, settings))
    assert again.similar == 0 and again.embedded == 0


def test_a_new_paper_enters_the_lists_of_the_papers_it_is_like(seeded, settings, encoder):
    job.run(seeded, settings, encoder=encoder, similar=ListRanker(seeded, settings))
    with seeded.read() as conn:
        original = P.get_paper(conn, FACES)
    before = _stored(seeded, FACES)
    # a close follow-up of the faces paper (not a duplicate: another title, a rewritten opening)
    sentences = original.abstract.split(". ")
    follow_up = PaperRecord(
        title="Recognising facial expressions in the wild with a follow-up model",
        abstract=". ".join(["We revisit facial expression recognition", *sentences[1:]]),
        arxiv_id="2609.00001",
        source="test",
    )
    import_items(seeded, [follow_up])
    report = job.run(seeded, settings, encoder=encoder, similar=ListRanker(seeded, settings))
    assert report.embedded == 1
    assert 1 < report.similar <= 1 + NEIGHBOURS  # the new paper's list, then those it may belong in
    after = _stored(seeded, FACES)
    assert "2609.00001" not in before and after[0] == "2609.00001", after
    assert FACES in _stored(seeded, "2609.00001")[:3]
    assert job.run(seeded, settings, encoder=encoder, similar=ListRanker(seeded, settings)).similar == 0
