"""Index data shipped with the demo: vectors, keyphrases and summaries made by ``scripts/build_demo_index.py``.

``paperfeed demo`` loads them after the demo papers, so a fresh demo has semantic search, similar
papers, keywords, topic maps and "for you" without first embedding 2,938 papers on the CPU. A shipped
vector is used only for a paper whose text still hashes to the text it was computed from, and only where
the paper has no vector yet: anything else is left to the index job, as for any other paper. Summaries
are shipped too (making them means embedding every paper's candidate phrases: a minute or more on a CPU)
and used with their vector when they were made by the current method (``summaries.METHOD``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..store import Store
from ..store import keywords as store_keywords
from ..store import summaries as store_summaries
from ..store import vectors as store_vectors
from .embed import MODEL_NAME
from .summaries import METHOD as SUMMARY_METHOD
from .text import text_hash

DEMO_INDEX = "demo-index.npz"


def load(store: Store, path: Path, model: str = MODEL_NAME) -> int:
    """Store the shipped vectors, keyphrases and summaries that still fit their papers; returns how many
    papers' data were used (none when ``model``, the key of the configured model, is not the shipped one)."""
    with np.load(path, allow_pickle=False) as data:
        if str(data["model"]) != model:
            return 0
        ids = [str(i) for i in data["ids"]]
        hashes = [str(h) for h in data["hashes"]]
        vectors = data["vectors"].astype("<f4")
        keywords = [json.loads(str(k)) for k in data["keywords"]]
        fits = "summaries" in data and str(data["summary_method"]) == SUMMARY_METHOD
        summaries = [str(s) for s in data["summaries"]] if fits else None
    with store.read() as conn:
        docs = {d.id: d for d in store_vectors.get_docs(conn, ids)}
        have = set(store_vectors.get_vectors(conn, model, ids))
    fresh = [
        i
        for i, pid in enumerate(ids)
        if pid in docs and pid not in have and text_hash(docs[pid].title, docs[pid].abstract) == hashes[i]
    ]
    with store.transaction() as conn:
        store_vectors.save_vectors(conn, model, [(ids[i], hashes[i], vectors[i].tobytes()) for i in fresh])
        store_keywords.save_keywords(conn, [(ids[i], [(k, s) for k, s in keywords[i]]) for i in fresh if keywords[i]])
        if summaries is not None:
            store_summaries.save_summaries(conn, [(ids[i], hashes[i], summaries[i]) for i in fresh], SUMMARY_METHOD)
    return len(fresh)
