"""Faceted similar papers: each facet brings first the paper that shares that facet's sentences; bad facets
are refused; a paper whose sentences are not stored yet is embedded on the spot. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from paperfeed.index import job
from paperfeed.ingest import import_items
from paperfeed.rank.facets import FacetError, check_facet, combine
from paperfeed.rank.similar import similar
from paperfeed.records import PaperRecord
from tests.helpers.facets import BACKGROUND, METHOD, QUERY, SHARES, index_facet_papers


@pytest.fixture
def facet_store(store, settings, encoder):
    index_facet_papers(store, settings, encoder)
    return store


def test_each_facet_brings_first_the_paper_that_shares_it(facet_store, settings):
    whole = [h.paper_id for h in similar(facet_store, settings, QUERY, limit=6)]
    assert QUERY not in whole and len(whole) == 6
    for facet, sharer in SHARES.items():
        hits = similar(facet_store, settings, QUERY, limit=6, facet=facet)
        assert hits[0].paper_id == sharer, (facet, [h.paper_id for h in hits], whole)
        assert hits[0].why.startswith(f"similar {facet}")
        assert QUERY not in {h.paper_id for h in hits}
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_facet_values_are_checked():
    assert check_facet(None) is None and check_facet("") is None and check_facet(" Method ") == "method"
    with pytest.raises(FacetError, match="unknown facet 'methods': use background, method or result"):
        check_facet("methods")


def test_bad_facet_is_refused_before_any_work(lite_store, tmp_path):
    from tests.helpers.search import make_settings

    with pytest.raises(FacetError):
        similar(
            lite_store, make_settings(tmp_path, f"sqlite:///{tmp_path / 'unused.db'}"), "2601.00010", facet="conclusion"
        )


def test_combine_ranks_candidates_without_sentences_by_the_whole_paper_alone():
    whole = [("a", 1.0, "similar topic"), ("b", 0.5, "similar topic"), ("c", 0.0, "shared terms")]
    ranked = combine(whole, {"b": 0.9, "c": 0.2}, "method")
    assert [p for p, _, _ in ranked] == ["b", "a", "c"]
    assert dict((p, w) for p, _, w in ranked) == {
        "a": "similar topic",
        "b": "similar method + similar topic",
        "c": "similar method + shared terms",
    }
    assert combine(whole, {}, "method") == whole  # nothing stored yet: the whole-paper order
    # "a" has no sentences yet (the index job has not reached it): average on the facet, not last, so it
    # stays above "d", whose method match is only average too but whose whole-paper score is lower
    whole = [("a", 1.0, ""), ("b", 0.8, ""), ("c", 0.7, ""), ("d", 0.6, "")]
    ranked = combine(whole, {"b": 0.5, "c": 0.4, "d": 0.45}, "method")
    assert [p for p, _, _ in ranked] == ["b", "a", "d", "c"]


def test_sentences_not_stored_yet_are_embedded_on_the_spot(facet_store, settings, encoder):
    title, abstract = "Readmission risk from boosted trees, again", f"{BACKGROUND} {METHOD} Recall stays high."
    import_items(facet_store, [PaperRecord(title=title, abstract=abstract, arxiv_id="2601.00017", source="test")])
    job.run(facet_store, settings, encoder=encoder, keywords=False, sentences=False)  # vector, no sentences
    hits = similar(facet_store, settings, "2601.00017", limit=3, facet="method")
    assert hits[0].paper_id in {QUERY, SHARES["method"]} and hits[0].why.startswith("similar method")
