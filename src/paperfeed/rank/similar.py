"""Similar papers: vector neighbours blended with shared rare words.

    similar(store, settings, "2401.01234", limit=10)

Candidates are the paper's nearest vectors (HNSW) and the best BM25 matches of its own distinctive terms
(the highest tf-idf words of its title and abstract). Every candidate is then scored by ``pair_scores``:
the cosine of the two embeddings plus 0.3 x the BM25 score of the paper's distinctive terms in the
candidate, each standardised (z-score) over the candidate pool. ``bench/eval_similar.py`` runs exactly
``pair_scores`` on CSFCube's expert-judged pools; docs/search.md has the figures, the alternatives measured
(reciprocal-rank fusion, other weights, sentence-level matching) and why these weights.

The paper itself and its exact duplicates (same normalised title, or a vector cosine above 0.995) are never
listed; hidden papers never are.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..index import engine
from ..index.embed import DIM
from ..index.text import analyze, title_key
from ..settings import Settings
from ..store import Store
from ..store import vectors as store_vectors
from ..store.vectors import IndexDoc
from .search import Hit

CANDIDATES = 100
QUERY_TERMS = 40  # distinctive terms of the paper used for its lexical neighbours
DUPLICATE_COSINE = 0.995
_WORD = re.compile(r"[^\W_]+")


@dataclass
class SimilarWeights:
    """score = z(cosine) * vector + z(BM25 of distinctive terms) * lexical, z-normalised over the pool."""

    vector: float = 1.0
    lexical: float = 0.3


def distinctive_terms(eng, doc: IndexDoc, n: int = QUERY_TERMS) -> list[tuple[str, str, float]]:
    """``(field, term, tf-idf)`` of the paper's most distinctive title and abstract terms."""
    searcher = eng.lexical.searcher()
    total = max(1, searcher.num_docs)
    out = []
    for field, text, boost in (("title", doc.title, 2.0), ("abstract", doc.abstract, 1.0)):
        tf = Counter(analyze(text))
        for term, count in tf.items():
            df = searcher.doc_freq(field, term)
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            out.append((field, term, boost * (1 + math.log(count)) * idf))
    out.sort(key=lambda t: -t[2])
    return out[:n]


def _terms_query(eng, terms: list[tuple[str, str, float]]):
    import tantivy

    Q, Occur = tantivy.Query, tantivy.Occur
    subs = [(Occur.Should, Q.boost_query(Q.term_query(eng.lexical.schema, f, t), w)) for f, t, w in terms]
    return Q.boolean_query(subs) if subs else None


def lexical_scores(eng, doc: IndexDoc, candidates: list[str] | None, k: int = CANDIDATES) -> dict[str, float]:
    """BM25 of the paper's distinctive terms: over ``candidates`` only, or the top ``k`` of the corpus."""
    q = _terms_query(eng, distinctive_terms(eng, doc))
    if q is None:
        return {}
    if candidates is not None:
        import tantivy

        Occur = tantivy.Occur
        ids = tantivy.Query.term_set_query(eng.lexical.schema, "id", candidates)
        q = tantivy.Query.boolean_query([(Occur.Must, ids), (Occur.Must, q)])
        k = len(candidates)
    hits, _ = eng.lexical.search(q, limit=max(1, k))
    return {h.paper_id: h.score for h in hits}


def pair_scores(
    eng,
    doc: IndexDoc,
    vector: np.ndarray | None,
    candidates: list[str],
    cand_vectors: dict[str, np.ndarray],
    weights: SimilarWeights | None = None,
) -> list[tuple[str, float, str]]:
    """Rank ``candidates`` by similarity to ``doc``: ``[(paper_id, score, why)]``, most similar first."""
    w = weights or SimilarWeights()
    lex = lexical_scores(eng, doc, candidates) if w.lexical > 0 else {}
    cos: dict[str, float] = {}
    if vector is not None and w.vector > 0:
        for pid in candidates:
            v = cand_vectors.get(pid)
            if v is not None:
                cos[pid] = float(np.dot(vector, v))
    zc, zl = _z(cos, candidates), _z(lex, candidates)
    out = []
    for pid in candidates:
        score = w.vector * zc.get(pid, 0.0) + w.lexical * zl.get(pid, 0.0)
        why = " + ".join(w for w, on in (("similar topic", pid in cos), ("shared terms", pid in lex)) if on)
        out.append((pid, score, why or "similar"))
    out.sort(key=lambda t: (-t[1], t[0]))
    return out


def _z(scores: dict[str, float], pool: list[str]) -> dict[str, float]:
    """Scores standardised over the pool (missing = the pool's lowest), so the two signals add up fairly."""
    if not scores:
        return {}
    floor = min(scores.values())
    vals = np.array([scores.get(p, floor) for p in pool], dtype=np.float64)
    sd = float(vals.std()) or 1.0
    mean = float(vals.mean())
    return {p: (scores.get(p, floor) - mean) / sd for p in pool}


def _vec(b: bytes) -> np.ndarray:
    return np.frombuffer(b, dtype="<f4").reshape(DIM)


def similar(store: Store, settings: Settings, paper_id: str, *, limit: int = 10) -> list[Hit]:
    """Papers like ``paper_id`` (never itself, its duplicates, or hidden papers); [] for an unknown id."""
    eng = engine(settings)
    eng.refresh(store)
    with store.read() as conn:
        docs = store_vectors.get_docs(conn, [paper_id])
        if not docs:
            return []
        doc = docs[0]
        own = store_vectors.get_vectors(conn, eng.model, [paper_id]).get(paper_id)
    vector = _vec(own) if own else None
    k = max(CANDIDATES, limit * 3)
    cands: list[str] = []
    if vector is not None:
        cands.extend(pid for pid, _ in eng.vectors.search(vector, k + 1))
    cands.extend(lexical_scores(eng, doc, None, k))
    seen: set[str] = set()
    cands = [p for p in cands if p != paper_id and not (p in seen or seen.add(p))]
    with store.read() as conn:
        ok = store_vectors.visible(conn, cands)
        cands = [p for p in cands if p in ok]
        cand_vectors = {pid: _vec(b) for pid, b in store_vectors.get_vectors(conn, eng.model, cands).items()}
    dupes = _same_title(eng, doc.title)
    if vector is not None:
        dupes |= {pid for pid, v in cand_vectors.items() if float(np.dot(vector, v)) > DUPLICATE_COSINE}
    cands = [p for p in cands if p not in dupes]
    ranked = pair_scores(eng, doc, vector, cands, cand_vectors, shipped_weights(settings))
    return [Hit(pid, round(score, 6), why) for pid, score, why in ranked[:limit]]


def _same_title(eng, title: str) -> set[str]:
    """Papers with the same normalised title (the same paper under another id)."""
    import tantivy

    key = title_key(title)
    if not key:
        return set()
    hits, _ = eng.lexical.search(tantivy.Query.term_query(eng.lexical.schema, "tkey", key), limit=50)
    return {h.paper_id for h in hits}


def shipped_weights(settings: Settings) -> SimilarWeights:
    return SimilarWeights()
