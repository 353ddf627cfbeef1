"""Topic maps (rank/topics.py): every embedded paper once, the same picture for the same papers, labels from
the papers' own words, a lost cache recomputed, papers without vectors counted."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
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


def test_spread_labels_moves_overlapping_labels_to_free_rows_and_keeps_free_ones():
    def overlaps(a, b) -> bool:  # more than touching
        return abs(a[0] - b[0]) < (a[2] + b[2]) / 2 - 1e-9 and abs(a[1] - b[1]) < (a[3] + b[3]) / 2 - 1e-9

    boxes = [(0.5, 0.5, 0.2, 0.03)] * 5 + [(0.9, 0.1, 0.3, 0.03), (0.1, 0.9, 0.1, 0.03)]
    spots = topics.spread_labels(boxes)
    placed = [(x, y, w, h) for (x, y), (_, _, w, h) in zip(spots, boxes, strict=True)]
    assert not [(a, b) for i, a in enumerate(placed) for b in placed[i + 1 :] if overlaps(a, b)]
    assert spots[0] == (0.5, 0.5) and spots[-1] == (0.1, 0.9)  # the first (biggest) and a free label stay
    assert all(x == 0.5 for x, _ in spots[:5])  # moved up or down only: still over their clusters
    assert sorted(abs(y - 0.5) for _, y in spots[:5]) == pytest.approx([0, 0.03, 0.03, 0.06, 0.06])
    assert spots[5][0] == pytest.approx(1 - 0.01 - 0.15)  # a wide label at the edge is pulled inside
