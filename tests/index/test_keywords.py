"""Keyphrases per paper (index/keywords.py, store/keywords.py): real text, the real model, the index job."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sqlalchemy import update

from paperfeed.index import job
from paperfeed.index.keywords import MAX_KEYWORDS, KeywordExtractor, candidates, stop_words
from paperfeed.index.text import embed_text
from paperfeed.store import keywords as store_keywords
from paperfeed.store.models import papers

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "fixtures" / "hf-daily-papers-2026-06-12.json"


def hf_papers(n: int = 6) -> list[dict]:
    return [x["paper"] for x in json.loads(FIXTURE.read_text())[:n]]


def test_real_abstracts_give_sensible_distinct_phrases_from_their_text(encoder):
    items = hf_papers()
    vectors = encoder.encode([embed_text(p["title"], p["summary"]) for p in items])
    found = KeywordExtractor(encoder).extract_many(
        [(p["title"], p["summary"], v) for p, v in zip(items, vectors, strict=True)]
    )
    stops = stop_words()
    for p, kws in zip(items, found, strict=True):
        phrases = [k for k, _ in kws]
        text = f"{p['title']} {p['summary']}".lower()
        assert 3 <= len(phrases) <= MAX_KEYWORDS, (p["title"], phrases)
        assert len({k.lower() for k in phrases}) == len(phrases)  # no duplicates
        for k in phrases:
            words = k.lower().split()
            assert k.lower() in text  # taken from the paper, not made up
            assert not all(w in stops for w in words) and words[0] not in stops and words[-1] not in stops
        scores = [s for _, s in kws]
        assert all(-1 <= s <= 1 for s in scores)
    # a known paper: its keyphrases name what its title says
    by_title = {p["title"]: [k.lower() for k, _ in kws] for p, kws in zip(items, found, strict=True)}
    dense = next(v for t, v in by_title.items() if t.startswith("See What I See"))
    assert any("heterogeneous agents" in k or "latent communication" in k for k in dense), dense


def test_candidates_of_empty_or_hostile_text():
    assert candidates("", "") == []
    assert candidates("The of and", "is are was.") == []
    got = candidates('<script>alert("x")</script> Robust <b>graph</b> networks', "")
    assert all("<" not in c and ">" not in c for c in got) and "graph" in " ".join(got)


def test_candidates_keep_numbers_and_versions_whole():
    """ "4-bit activations" is the phrase, not "bit activations"; "BitNet a4.8" not "BitNet a4"."""
    got = candidates(
        "BitNet a4.8: 4-bit Activations for 1-bit LLMs",
        "BitNet a4.8 enables 4-bit activations, 1.58-bit weights and 3D inputs, unlike GPT-4.5 (e.g. 2.5x faster).",
        limit=100,
    )
    assert {"BitNet a4.8", "4-bit activations", "1-bit LLMs", "1.58-bit weights", "3D inputs", "GPT-4.5"} <= set(got)
    assert not {"bit activations", "BitNet a4", "bit LLMs", "GPT-4", "58-bit", "e", "g"} & set(got)
    assert not [c for c in got if "2.5x" in c or "5x" in c.split()]  # a speed-up claim is not a topic


def test_index_job_stores_keywords_and_recomputes_them_when_text_changes(seeded, settings, encoder):
    with seeded.read() as conn:
        assert store_keywords.count_to_extract(conn, "all-MiniLM-L6-v2") == 0
        before = store_keywords.for_papers(conn, ["2503.11905"])["2503.11905"]
    assert 3 <= len(before) <= MAX_KEYWORDS
    # a second run has nothing to do
    assert job.run(seeded, settings, encoder=encoder).keywords == 0
    # the text changes: the job embeds it again and extracts new keywords from the new text
    new_abstract = (
        "We study protein folding with graph neural networks. Message passing over residue contact graphs "
        "predicts tertiary structure; protein folding benchmarks show gains over sequence models."
    )
    with seeded.transaction() as conn:
        conn.execute(
            update(papers).where(papers.c.id == "2503.11905").values(title="Protein folding with graph networks",
                                                                      abstract=new_abstract)
        )  # fmt: skip
    report = job.run(seeded, settings, encoder=encoder)
    assert report.embedded == 1 and report.keywords == 1
    with seeded.read() as conn:
        after = store_keywords.for_papers(conn, ["2503.11905"])["2503.11905"]
    assert after != before and any("protein" in k.lower() for k in after), after


def test_saving_keywords_replaces_and_drops_duplicates(store):
    from paperfeed.ingest import import_items
    from paperfeed.records import PaperRecord

    import_items(store, [PaperRecord(title="A paper", abstract="Text.", arxiv_id="2601.00001", source="test")])
    with store.transaction() as conn:
        store_keywords.save_keywords(conn, [("2601.00001", [("alpha", 0.9), ("alpha", 0.5), (" ", 0.1)])])
        store_keywords.save_keywords(conn, [("2601.00001", [("beta", 0.7), ("gamma", 0.8)])])
    with store.read() as conn:
        assert store_keywords.for_papers(conn, ["2601.00001"])["2601.00001"] == ["gamma", "beta"]
        assert store_keywords.paper_ids(conn, "alpha") == []


def test_extractor_caches_phrase_vectors(encoder):
    calls = []

    class Counting:
        def encode(self, texts, batch_size=32):
            calls.append(len(texts))
            return encoder.encode(texts)

    p = hf_papers(1)[0]
    v = encoder.encode([embed_text(p["title"], p["summary"])])[0]
    ex = KeywordExtractor(Counting())
    first = ex.extract(p["title"], p["summary"], v)
    second = ex.extract(p["title"], p["summary"], np.asarray(v))
    assert first == second and len(calls) == 1
