"""Sentences and their facets: splitting, the cue-word labeller on hand-written sentences, the 8-bit vectors,
and the index job's sentence step (stored once, redone when the text changes; SQLite and PostgreSQL)."""

from __future__ import annotations

import numpy as np
from sqlalchemy import update

from paperfeed.index import job
from paperfeed.index import sentences as S
from paperfeed.index.embed import MODEL_NAME
from paperfeed.ingest import import_items
from paperfeed.records import PaperRecord
from paperfeed.store import sentences as store_sentences
from paperfeed.store.models import papers


def test_split_keeps_abbreviations_and_joins_fragments():
    text = (
        "Large language models (e.g. GPT-4) are widely used. We fine-tune them, i.e. we adapt the weights. "
        "Results improve by 3.5% over Smith et al. on five tasks. Code is available."
    )
    assert S.split(text) == [
        "Large language models (e.g. GPT-4) are widely used.",
        "We fine-tune them, i.e. we adapt the weights.",
        "Results improve by 3.5% over Smith et al. on five tasks. Code is available.",
    ]
    assert S.split("  ") == [] and S.split("One sentence without a full stop") == ["One sentence without a full stop"]
    assert S.sentences_of("A title", "First sentence is here. Second one is here too.")[0] == "A title"


def test_labeller_on_hand_written_abstracts():
    abstract = [
        ("Neural machine translation has achieved remarkable progress in recent years.", "background"),
        ("However, low-resource language pairs remain a major challenge for existing systems.", "background"),
        ("We propose a pivot-based transfer approach that trains a shared encoder on related languages.", "method"),
        ("The decoder is initialised from a multilingual language model and fine-tuned with back-translation.",
         "method"),
        ("Experiments on six language pairs show that our method outperforms strong baselines by 2.1 BLEU.",
         "result"),
        ("We also find that the gains are largest for the smallest training sets.", "result"),
    ]  # fmt: skip
    assert S.label([s for s, _ in abstract]) == [f for _, f in abstract]
    # cue words outweigh the position: a finding first, the objective after it
    first = [
        "Our results show a 12% reduction in error rate.",
        "The goal of this work is to understand why tagging remains difficult.",
        "Finally, we show that the corpus helps parsing.",
    ]
    assert S.label(first) == ["result", "background", "result"]
    # prior work's findings are background
    assert S.label(["It has been shown that attention improves accuracy.", "We use a tagger.", "It works."])[0] == (
        "background"
    )


def test_labelled_puts_the_title_first_and_letters_round_trip():
    sents, labels = S.labelled("A Title", "We study parsing. We propose a new parser based on graphs. It is 5% better.")
    assert sents[0] == "A Title" and labels[0] == S.TITLE and set(labels[1:]) <= set(S.FACETS)
    assert S.letters(labels)[0] == "t" and len(S.letters(labels)) == len(sents)


def test_pack_keeps_cosines():
    rng = np.random.default_rng(0)
    v = rng.normal(size=(5, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    blob = S.pack(v)
    back = S.unpack(blob)
    assert len(blob) == 5 * 384 and back.shape == (5, 384)
    assert np.allclose(back @ back.T, v @ v.T, atol=3e-3)
    assert S.unpack(b"").shape == (0, 384)


PAPER = PaperRecord(
    title="Graph parsing for low-resource languages",
    abstract="Parsing low-resource languages remains hard. We propose a graph-based parser trained on related "
    "languages. It improves accuracy by 4% on ten treebanks.",
    arxiv_id="2601.00001",
    source="test",
)


def test_job_stores_sentences_once_and_again_when_the_text_changes(store, settings, encoder):
    import_items(store, [PAPER])
    report = job.run(store, settings, encoder=encoder, keywords=False)
    assert report.sentences == 1 and report.sentence_count == 4 and "sentences" in report.seconds
    with store.read() as conn:
        letters, blob = store_sentences.get(conn, MODEL_NAME, ["2601.00001"])["2601.00001"]
        assert store_sentences.storage(conn, MODEL_NAME) == (1, 4, 4 * 384)
    assert letters == "tbmr" and S.unpack(blob).shape == (4, 384)
    assert job.run(store, settings, encoder=encoder, keywords=False).sentences == 0  # nothing changed
    with store.transaction() as conn:
        conn.execute(update(papers).where(papers.c.id == "2601.00001").values(abstract="A new abstract is here."))
    assert job.run(store, settings, encoder=encoder, keywords=False).sentences == 1
    assert job.run(store, settings, encoder=encoder, keywords=False, sentences=False).sentences == 0
