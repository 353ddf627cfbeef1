"""Similar papers: never the paper itself, its duplicates or hidden papers; on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import update

from paperfeed.index import job
from paperfeed.ingest import import_items
from paperfeed.rank.similar import similar
from paperfeed.records import PaperRecord
from paperfeed.store import papers as P
from paperfeed.store.models import papers


def test_similar_never_includes_itself_and_shares_the_topic(seeded, settings):
    with seeded.read() as conn:
        ids = [v.id for v in P.recent(conn, limit=200)]
    for pid in ids[:15]:
        hits = similar(seeded, settings, pid, limit=10)
        assert len(hits) == 10 and pid not in {h.paper_id for h in hits}
        assert len({h.paper_id for h in hits}) == 10
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    hits = similar(seeded, settings, "2503.11935", limit=5)  # facial expression recognition
    with seeded.read() as conn:
        titles = [v.title.lower() for v in P.get_papers(conn, [h.paper_id for h in hits])]
    assert any("expression" in t or "face" in t or "facial" in t for t in titles[:3]), titles


def test_duplicates_and_hidden_papers_are_not_similar(seeded, settings, encoder):
    # the same paper again under another id (a BibTeX copy without its arXiv id)
    with seeded.read() as conn:
        original = P.get_paper(conn, "2503.11905")
    copy = PaperRecord(title=original.title, abstract=original.abstract, source="test")
    import_items(seeded, [copy])
    job.run(seeded, settings, encoder=encoder)
    hits = {h.paper_id for h in similar(seeded, settings, "2503.11905", limit=30)}
    assert copy.id not in hits and "2503.11905" not in hits
    neighbour = similar(seeded, settings, "2503.11905", limit=1)[0].paper_id
    with seeded.transaction() as conn:
        conn.execute(update(papers).where(papers.c.id == neighbour).values(hidden=True))
    assert neighbour not in {h.paper_id for h in similar(seeded, settings, "2503.11905", limit=30)}


def test_unknown_paper_has_no_similar_papers(seeded, settings):
    assert similar(seeded, settings, "9999.99999") == []


def test_a_longer_list_starts_as_the_shorter_one(seeded, settings):
    """?limit=50 used to rank a larger pool whose z-scores reordered the head: ranks 5 and 6 swapped."""
    short = [h.paper_id for h in similar(seeded, settings, "2503.11935", limit=20)]  # ranks and stores the list
    long = similar(seeded, settings, "2503.11935", limit=50)
    assert [h.paper_id for h in long[:20]] == short and len(long) == 50
    assert len({h.paper_id for h in long}) == 50 and "2503.11935" not in {h.paper_id for h in long}
    assert [h.score for h in long] == sorted((h.score for h in long), reverse=True)
