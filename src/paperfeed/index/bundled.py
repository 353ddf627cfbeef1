"""Index data shipped with the demo: vectors and keyphrases made by ``scripts/build_demo_index.py``.

``paperfeed demo`` loads them after the demo papers, so a fresh demo has semantic search, similar
papers, keywords, topic maps and "for you" without first embedding 2,938 papers on the CPU. A shipped
vector is used only for a paper whose text still hashes to the text it was computed from, and only where
the paper has no vector yet: anything else is left to the index job, as for any other paper.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..store import Store
from ..store import keywords as store_keywords
from ..store import vectors as store_vectors
from .embed import MODEL_NAME
from .text import text_hash

DEMO_INDEX = "demo-index.npz"


def load(store: Store, path: Path) -> int:
    """Store the shipped vectors and keyphrases that still fit their papers; returns how many were used."""
    with np.load(path, allow_pickle=False) as data:
        if str(data["model"]) != MODEL_NAME:
            return 0
        ids = [str(i) for i in data["ids"]]
        hashes = [str(h) for h in data["hashes"]]
        vectors = data["vectors"].astype("<f4")
        keywords = [json.loads(str(k)) for k in data["keywords"]]
    with store.read() as conn:
        docs = {d.id: d for d in store_vectors.get_docs(conn, ids)}
        have = set(store_vectors.get_vectors(conn, MODEL_NAME, ids))
    fresh = [
        i
        for i, pid in enumerate(ids)
        if pid in docs and pid not in have and text_hash(docs[pid].title, docs[pid].abstract) == hashes[i]
    ]
    with store.transaction() as conn:
        store_vectors.save_vectors(conn, MODEL_NAME, [(ids[i], hashes[i], vectors[i].tobytes()) for i in fresh])
        store_keywords.save_keywords(conn, [(ids[i], [(k, s) for k, s in keywords[i]]) for i in fresh if keywords[i]])
    return len(fresh)
