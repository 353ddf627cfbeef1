"""Topic maps (rank/topics.py): every embedded paper once, the same picture for the same papers, labels from
the papers' own words, a lost cache recomputed, papers without vectors counted."""

from __future__ import annotations

import shutil

import numpy as np
from sqlalchemy import select

from paperfeed.ingest import import_items
from paperfeed.rank import topics
from paperfeed.records import PaperRecord
from paperfeed.store import keywords as store_keywords
from paperfeed.store.models import papers


def all_ids(store) -> list[str]:
    with store.read() as conn:
        return sorted(conn.execute(select(papers.c.id)).scalars())


def test_map_places_each_embedded_paper_once_deterministically(seeded, settings):
    ids = all_ids(seeded)
    first = topics.topic_map(seeded, settings, ids + ids[:5])  # duplicates in the request count once
    assert sorted(p.paper_id for p in first.points) == ids and first.missing == 0 and not first.cached
    assert all(0 <= p.x <= 1 and 0 <= p.y <= 1 for p in first.points)
    assert 2 <= len(first.clusters) <= 14 and sum(c.size for c in first.clusters) == len(ids)
    again = topics.topic_map(seeded, settings, list(reversed(ids)))  # same set, other order: from the cache
    assert again.cached
    shutil.rmtree(settings.data_dir / "topics")  # derived data: a lost cache is recomputed, identically
    fresh = topics.topic_map(seeded, settings, ids)
    assert not fresh.cached
    pos = {p.paper_id: (p.x, p.y, p.cluster) for p in first.points}
    assert all(np.allclose(pos[p.paper_id][:2], (p.x, p.y)) and pos[p.paper_id][2] == p.cluster for p in fresh.points)


def test_cluster_labels_are_terms_of_their_own_papers(seeded, settings):
    ids = all_ids(seeded)
    tmap = topics.topic_map(seeded, settings, ids)
    with seeded.read() as conn:
        phrases = store_keywords.top_keywords(conn, ids)
        texts = {r.id: f"{r.title} {r.abstract}".lower() for r in conn.execute(select(papers))}
    for c in tmap.clusters:
        members = [p.paper_id for p in tmap.points if p.cluster == c.id]
        assert c.terms, c
        for term in c.terms:
            own = any(term in texts[m] or term in {k.lower() for k, _ in phrases.get(m, [])} for m in members)
            assert own, (term, c.label)


def test_papers_without_vectors_are_left_out_and_counted(seeded, settings):
    import_items(seeded, [PaperRecord(title="Not embedded yet", abstract="Fresh.", arxiv_id="2612.00001", source="t")])
    ids = all_ids(seeded)
    tmap = topics.topic_map(seeded, settings, ids)
    assert tmap.missing == 1 and "2612.00001" not in {p.paper_id for p in tmap.points}
    assert len(tmap.points) == len(ids) - 1


def test_small_and_empty_sets(seeded, settings):
    assert topics.topic_map(seeded, settings, []).points == []
    few = topics.topic_map(seeded, settings, all_ids(seeded)[:3])
    assert len(few.points) == 3 and len(few.clusters) == 1  # too few papers to split
    assert topics.label_clusters(np.array([0, 0, 1]), [["a b", "x"], ["a b"], ["z"]]) == [["a b", "x"], ["z"]]


def test_warm_lays_out_the_newest_month_ahead_of_its_first_view(seeded, settings, monkeypatch):
    from paperfeed import periods
    from paperfeed.store import maps as store_maps

    monkeypatch.setattr(topics, "WARM_MIN", 2)  # the seeded papers stand in for a busy month
    with seeded.read() as conn:
        month = periods.month_period(store_maps.latest_day(conn))
        ids = store_maps.period_ids(conn, month.start, month.end)
    assert len(ids) >= 2
    assert topics.warm(seeded, settings) >= 1
    assert topics.topic_map(seeded, settings, ids).cached  # what /map shows by default is ready
    assert topics.warm(seeded, settings) == 0  # nothing new: nothing recomputed
