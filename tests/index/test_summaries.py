"""One-line summaries (index/summaries.py, store/summaries.py): text handling, the real model on real
abstracts, and the index job (computed, stored, redone when the text or the method changes)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sqlalchemy import update

from paperfeed.index import job
from paperfeed.index import summaries as S
from paperfeed.index.embed import MODEL_NAME
from paperfeed.index.keywords import KeywordExtractor
from paperfeed.index.text import embed_text
from paperfeed.ingest import import_items
from paperfeed.records import PaperRecord
from paperfeed.store import papers as store_papers
from paperfeed.store import summaries as store_summaries
from paperfeed.store.models import papers

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "fixtures" / "hf-daily-papers-2026-06-12.json"

HOSTILE = {
    "2601.00001": (
        "Graph <b>networks</b> &amp; <script>alert(1)</script> routing",
        "Routing is hard for <i>large</i> graphs &lt;at scale&gt;. We propose <b>GraphRoute</b>, a message-passing "
        "router for large graphs. It beats shortest-path baselines by 12% on road networks.",
    ),
    "2601.00002": (
        "Fast solvers for \\emph{sparse} systems",
        "Sparse linear systems appear everywhere \\cite{saad2003}. In this paper, we introduce a solver whose cost "
        "is $O(n \\log n)$ for \\textbf{banded} matrices~\\citep[p.~3]{golub}. Experiments on 40 matrices confirm "
        "the bound.",
    ),
    "2601.00003": ("A one-sentence paper", "We show that one sentence is enough."),
    "2601.00004": ("A paper without an abstract", ""),
    "2601.00005": ("Symbols only", "$$ \\alpha \\beta $$ ... ;;; ---"),
}


def hf_papers(n: int = 8) -> list[dict]:
    return [x["paper"] for x in json.loads(FIXTURE.read_text())[:n]]


# --- text --------------------------------------------------------------------------------------------------


def test_clean_drops_html_and_latex_markup():
    assert S.clean("A <b>bold</b> &amp; <script>x()</script> claim.") == "A bold & x() claim."
    assert S.clean("Fast \\emph{sparse} solvers \\cite{a,b} in $O(n)$~time.") == "Fast sparse solvers in $O(n)$ time."
    assert S.clean("") == "" and S.clean(None) == ""


def test_sentences_do_not_break_at_abbreviations():
    text = "We use LLMs, e.g. GPT-4, as judges (Smith et al. 2024). Accuracy rises to 93.5%. Is it enough? Yes."
    assert S.sentences(text) == [
        "We use LLMs, e.g. GPT-4, as judges (Smith et al. 2024).",
        "Accuracy rises to 93.5%.",
        "Is it enough?",
        "Yes.",
    ]


def test_compress_drops_the_frame_and_keeps_the_content():
    assert S.compress("In this paper, we propose TreeSeeker, an inference-time framework for deep search.") == (
        "TreeSeeker is an inference-time framework for deep search."
    )
    assert S.compress("To address this, we introduce STE, which updates a few tokens.") == "STE updates a few tokens."
    assert S.compress("We show that small models can reason.") == "Small models can reason."
    assert S.compress("Graphs are everywhere.") == "Graphs are everywhere."
    long = "MethodX is a system that " + "does one more thing and " * 10 + "ends: with a long tail of details."
    assert S.compress(long).endswith("ends.") and len(S.compress(long).split()) < len(long.split())
    assert len(S.compress("word " * 400)) <= S.MAX_CHARS


def test_pick_prefers_the_sentence_closest_to_the_paper():
    doc = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    phrases = ["graph routing", "weather", "road networks"]
    vectors = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.8, 0.6, 0.0]], dtype=np.float32)
    sents = ["The weather was fine today in town.", "Graph routing on road networks is what we study here.", "Ok."]
    assert S.pick(sents, phrases, vectors, doc) == 1
    # a link is never chosen while a real sentence is left
    sents = ["Code for graph routing on road networks: https://github.com/x/y", "Weather models help a bit here."]
    assert S.pick(sents, phrases, vectors, doc) == 1


def test_pick_passes_over_a_sentence_that_leans_on_the_one_before():
    """ "However, ..." or "Moreover, ..." reads badly alone: a sentence nearly as central wins instead."""
    doc = np.array([1.0, 0.0], dtype=np.float32)
    phrases = ["graph routers", "offline alignment"]
    vectors = np.array([[0.9, 0.436], [1.0, 0.0]], dtype=np.float32)
    claim = "offline alignment of graph routers challenges on-policy sampling."
    other = "We train graph routers for road networks."
    assert S.pick([claim.capitalize(), other], phrases, vectors, doc) == 0  # on its own it is the most central
    for opener in ("However,", "Moreover,", "Nevertheless,", "In contrast,", "Thus"):
        assert S.pick([f"{opener} {claim}", other], phrases, vectors, doc) == 1, opener


def test_pick_finds_phrases_with_numbers_in_their_sentences():
    """Candidate phrases keep numbers whole ("4-bit activations", "BitNet a4.8"): a sentence is split into
    the same words, or the sentence a phrase came from would not be found holding it."""
    doc = np.array([1.0, 0.0], dtype=np.float32)
    vectors = np.array([[1.0, 0.0], [0.9, 0.1]], dtype=np.float32)
    sents = ["Low precision is a popular topic these days.", "BitNet a4.8 runs with 4-bit activations on edge chips."]
    for phrase in ("4-bit activations", "BitNet a4.8"):
        assert S.pick(sents, [phrase, "nothing here at all"], vectors, doc) == 1, phrase


# --- the real model ----------------------------------------------------------------------------------------


def test_real_abstracts_give_one_sentence_of_their_own_text(encoder):
    items = hf_papers()
    vectors = encoder.encode([embed_text(p["title"], p["summary"]) for p in items])
    made = S.Summarizer(KeywordExtractor(encoder)).summarize_many(
        [(p["title"], p["summary"], v) for p, v in zip(items, vectors, strict=True)]
    )
    for p, s in zip(items, made, strict=True):
        assert s and len(s) <= S.MAX_CHARS and s[0].isupper(), (p["id"], s)
        words = [w for w in s.lower().replace(".", " ").replace(",", " ").split() if w not in {"is", "a", "an"}]
        text = p["summary"].lower()
        assert sum(w in text for w in words) >= 0.9 * len(words), (s, p["summary"])  # its own words
    # these abstracts open with background: most summaries are another sentence, the contribution
    firsts = [S.compress(S.sentences(S.clean(p["summary"]))[0]) for p in items]
    assert sum(s == f for s, f in zip(made, firsts, strict=True)) <= len(items) // 2, made


DEPTH = (  # 2406.09414 (the demo has it): its first sentence names the model and nothing more
    "Depth Anything V2",
    (
        "This work presents Depth Anything V2. Without pursuing fancy techniques, we aim to reveal crucial "
        "findings to pave the way towards building a powerful monocular depth estimation model. Notably, "
        "compared with V1, this version produces much finer and more robust depth predictions through three "
        "key practices: 1) replacing all labeled real images with synthetic images, 2) scaling up the "
        "capacity of our teacher model, and 3) teaching student models via the bridge of large-scale "
        "pseudo-labeled real images. Compared with the latest models built on Stable Diffusion, our models "
        "are significantly more efficient (more than 10x faster) and more accurate. We offer models of "
        "different scales (ranging from 25M to 1.3B params) to support extensive scenarios. Benefiting from "
        "their strong generalization capability, we fine-tune them with metric depth labels to obtain our "
        "metric depth models. In addition to our models, considering the limited diversity and frequent noise "
        "in current test sets, we construct a versatile evaluation benchmark with precise annotations and "
        "diverse scenes to facilitate future research."
    ),
)


def test_a_summary_says_more_than_a_name():
    """The best sentence compressed to a bare name ("Depth Anything V2.") gives way to the next best one that
    says something; when none does, the best stays (an abstract of names still gets its summary)."""
    named = ["This work presents Depth Anything V2.", "Depth Anything V2 gives much finer depth than V1 does."]
    assert S.best_summary(named, [0, 1]) == "Depth Anything V2 gives much finer depth than V1 does."
    assert S.best_summary(["We present the O3 framework (O3F).", "Code is here."], [0, 1]) == "The O3 framework (O3F)."
    assert S.compress("Notably, compared with V1, it is finer.") == "Compared with V1, it is finer."


def test_the_real_model_summarises_depth_anything_v2_with_a_sentence(encoder):
    title, abstract = DEPTH
    [vector] = encoder.encode([embed_text(title, abstract)])
    made = S.Summarizer(KeywordExtractor(encoder)).summarize(title, abstract, vector)
    assert len(made.split()) >= S.MIN_SUMMARY_WORDS and made != "Depth Anything V2.", made


def test_hostile_abstracts_are_summarised_as_plain_text(encoder):
    summarizer = S.Summarizer(KeywordExtractor(encoder))
    rows = [(t, a, encoder.encode([embed_text(t, a)])[0]) for t, a in HOSTILE.values()]
    got = dict(zip(HOSTILE, summarizer.summarize_many(rows), strict=True))
    for s in got.values():
        assert "<" not in s and ">" not in s and "&amp;" not in s and "\\cite" not in s and "\\emph" not in s, s
    assert "GraphRoute" in got["2601.00001"]
    assert "\\textbf" not in got["2601.00002"] and "\\citep" not in got["2601.00002"]
    assert got["2601.00003"] == "One sentence is enough."  # the only sentence, its frame dropped
    assert got["2601.00004"] == ""  # no abstract: no summary
    assert got["2601.00005"] == ""  # symbols, no sentence: no summary, and no error


# --- the index job -----------------------------------------------------------------------------------------


def test_index_job_stores_summaries_and_redoes_them_when_the_text_changes(seeded, settings, encoder):
    pid = "2503.11905"
    with seeded.read() as conn:
        assert store_summaries.count_to_summarize(conn, MODEL_NAME, S.METHOD) == 0
        assert store_summaries.count_summaries(conn) >= 120  # the 124 seed papers, a few without abstract
        before = store_papers.get_paper(conn, pid)
    words = before.summary.lower().rstrip(".").split()
    assert before.summary and sum(w in before.abstract.lower() for w in words) >= 0.8 * len(words)
    assert job.run(seeded, settings, encoder=encoder).summaries == 0  # a second run has nothing to do
    new_abstract = (
        "Protein structures are hard to predict. We propose FoldNet, a graph network over residue contacts "
        "that predicts tertiary structure. FoldNet beats sequence models on two folding benchmarks."
    )
    with seeded.transaction() as conn:
        conn.execute(update(papers).where(papers.c.id == pid).values(abstract=new_abstract))
    report = job.run(seeded, settings, encoder=encoder)
    assert report.embedded == 1 and report.summaries == 1
    with seeded.read() as conn:
        after = store_papers.get_paper(conn, pid)
    assert after.summary != before.summary and "FoldNet" in after.summary, after.summary


def test_summaries_resume_and_follow_the_method(store, settings, encoder, monkeypatch):
    import_items(
        store, [PaperRecord(title=t, abstract=a, arxiv_id=pid, source="test") for pid, (t, a) in HOSTILE.items()]
    )
    report = job.run(store, settings, encoder=encoder, summaries=False)
    assert report.embedded == 5 and report.summaries == 0
    with store.read() as conn:
        assert store_summaries.count_to_summarize(conn, MODEL_NAME, S.METHOD) == 5
    assert job.run(store, settings, encoder=encoder).summaries == 5  # the papers that kept their keywords
    with store.read() as conn:
        views = {v.id: v for v in store_papers.get_papers(conn, list(HOSTILE))}
    assert views["2601.00004"].summary is None  # stored as "" (not tried again), shown as none
    assert "GraphRoute" in views["2601.00001"].summary and "<b>" not in views["2601.00001"].summary
    assert job.run(store, settings, encoder=encoder).summaries == 0
    monkeypatch.setattr(job, "SUMMARY_METHOD", "a-newer-method")
    assert job.run(store, settings, encoder=encoder).summaries == 5  # a new method redoes them all


def test_hidden_papers_wait_and_a_deleted_paper_takes_its_summary_along(store):
    from paperfeed.store import vectors as store_vectors

    import_items(store, [PaperRecord(title=f"T{n}", abstract="One. Two.", arxiv_id=f"2601.0000{n}", source="test")
                         for n in (8, 9)])  # fmt: skip
    vec = np.ones(4, dtype="<f4").tobytes()
    with store.transaction() as conn:
        store_vectors.save_vectors(conn, MODEL_NAME, [("2601.00008", "h8", vec), ("2601.00009", "h9", vec)])
        conn.execute(update(papers).where(papers.c.id == "2601.00008").values(hidden=True))
    with store.read() as conn:
        todo = store_summaries.next_to_summarize(conn, MODEL_NAME, "m")
    assert [(t.id, t.text_hash) for t in todo] == [("2601.00009", "h9")]  # the hidden paper waits
    with store.transaction() as conn:
        store_summaries.save_summaries(conn, [("2601.00009", "h9", "First.")], "m")
        store_summaries.save_summaries(conn, [("2601.00009", "h9", "Second.")], "m")  # replaces
    with store.read() as conn:
        assert store_summaries.for_papers(conn, ["2601.00009", "2601.99999"]) == {"2601.00009": "Second."}
        assert store_summaries.count_to_summarize(conn, MODEL_NAME, "m") == 0
        assert store_summaries.count_to_summarize(conn, MODEL_NAME, "other") == 1
    with store.transaction() as conn:
        conn.execute(papers.delete().where(papers.c.id == "2601.00009"))
    with store.read() as conn:
        assert store_summaries.for_papers(conn, ["2601.00009"]) == {}
