"""Similar papers: vector neighbours blended with shared rare words.

    similar(store, settings, "2401.01234", limit=10)

Candidates are the paper's nearest vectors (HNSW) and the best BM25 matches of its own distinctive terms
(the highest tf-idf words of its title and abstract). Every candidate is then scored by ``pair_scores``:
the cosine of the two embeddings plus 0.3 x the BM25 score of the paper's distinctive terms in the
candidate, each standardised (z-score) over the candidate pool. ``bench/eval_similar.py`` runs exactly
``pair_scores`` on CSFCube's expert-judged pools; docs/search.md has the figures, the alternatives measured
(reciprocal-rank fusion, other weights, sentence-level matching) and why these weights.

The paper itself and its exact duplicates (same normalised title, or a vector cosine above 0.995) are never
listed; hidden papers never are. ``facet="background" | "method" | "result"`` ranks the same candidates by
that facet's sentences too (``rank/facets.py``).

Whole-paper lists are stored (``store/similar_lists.py``): the index job ranks every embedded paper's top
``LIST_SIZE`` with ``ListRanker`` and ranks again the lists a new paper may enter (its ``NEIGHBOURS``
nearest papers); ``similar`` reads the stored list, drops hidden and deleted papers, and ranks (and
keeps) one only when there is none. Faceted lists, and more than ``LIST_SIZE`` papers, are ranked per call.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy.exc import SQLAlchemyError

from ..index import engine
from ..index.embed import DIM, MODEL_NAME, model_key
from ..index.text import analyze, title_key
from ..settings import Settings
from ..store import Store
from ..store import sentences as store_sentences
from ..store import similar_lists as store_lists
from ..store import vectors as store_vectors
from ..store.vectors import IndexDoc
from .search import Hit

log = logging.getLogger(__name__)

CANDIDATES = 100
QUERY_TERMS = 40  # distinctive terms of the paper used for its lexical neighbours
DUPLICATE_COSINE = 0.995
_WORD = re.compile(r"[^\W_]+")
METHOD = "blend-1"  # the whole-paper ranking of the stored lists: a new one ranks every list again
LIST_SIZE = 20  # papers stored per list: the page shows 6, the API and the CLI 10 unless asked for more
NEIGHBOURS = 20  # a new paper's nearest papers whose lists are ranked again (it may belong in them)


@dataclass
class SimilarWeights:
    """score = z(cosine) * vector + z(BM25 of distinctive terms) * lexical, z-normalised over the pool."""

    vector: float = 1.0
    lexical: float = 0.3


def distinctive_terms(
    eng, doc: IndexDoc, n: int = QUERY_TERMS, *, doc_freqs: dict | None = None
) -> list[tuple[str, str, float]]:
    """``(field, term, tf-idf)`` of the paper's most distinctive title and abstract terms (``doc_freqs``: a
    cache of document frequencies kept between papers, for the index job)."""
    searcher = eng.lexical.searcher()
    total = max(1, searcher.num_docs)
    out = []
    for field, text, boost in (("title", doc.title, 2.0), ("abstract", doc.abstract, 1.0)):
        tf = Counter(analyze(text))
        for term, count in tf.items():
            if doc_freqs is None:
                df = searcher.doc_freq(field, term)
            elif (df := doc_freqs.get((field, term))) is None:
                df = doc_freqs[(field, term)] = searcher.doc_freq(field, term)
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            out.append((field, term, boost * (1 + math.log(count)) * idf))
    out.sort(key=lambda t: -t[2])
    return out[:n]


def _terms_query(eng, terms: list[tuple[str, str, float]]):
    import tantivy

    Q, Occur = tantivy.Query, tantivy.Occur
    subs = [(Occur.Should, Q.boost_query(Q.term_query(eng.lexical.schema, f, t), w)) for f, t, w in terms]
    return Q.boolean_query(subs) if subs else None


def lexical_scores(
    eng, doc: IndexDoc, candidates: list[str] | None, k: int = CANDIDATES, *, terms: list | None = None
) -> dict[str, float]:
    """BM25 of the paper's distinctive terms (``terms``, when already picked): over ``candidates`` only, or
    the top ``k`` of the corpus."""
    q = _terms_query(eng, distinctive_terms(eng, doc) if terms is None else terms)
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
    *,
    terms: list | None = None,
) -> list[tuple[str, float, str]]:
    """Rank ``candidates`` by similarity to ``doc``: ``[(paper_id, score, why)]``, most similar first."""
    w = weights or SimilarWeights()
    lex = lexical_scores(eng, doc, candidates, terms=terms) if w.lexical > 0 else {}
    cos: dict[str, float] = {}
    if vector is not None and w.vector > 0:
        for pid in candidates:
            v = cand_vectors.get(pid)
            if v is not None:
                cos[pid] = float(np.dot(vector, v))
    zc, zl = zscores(cos, candidates), zscores(lex, candidates)
    out = []
    for pid in candidates:
        score = w.vector * zc.get(pid, 0.0) + w.lexical * zl.get(pid, 0.0)
        why = " + ".join(w for w, on in (("similar topic", pid in cos), ("shared terms", pid in lex)) if on)
        out.append((pid, score, why or "similar"))
    out.sort(key=lambda t: (-t[1], t[0]))
    return out


def zscores(scores: dict[str, float], pool: list[str]) -> dict[str, float]:
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


def similar(store: Store, settings: Settings, paper_id: str, *, limit: int = 10, facet: str | None = None) -> list[Hit]:
    """Papers like ``paper_id`` (never itself, its duplicates, or hidden papers); [] for an unknown id.

    ``facet`` (background, method or result; ``facets.FacetError`` for anything else) ranks them by that
    facet's sentences as well. Without one, the stored list when there is one (see the module docstring)."""
    from . import facets

    facet = facets.check_facet(facet)
    first = stored(store, paper_id, model=model_key(settings.embed_model)) if facet is None else None
    if first is not None and limit <= LIST_SIZE:
        return first[:limit]
    eng = engine(settings)
    eng.refresh(store)
    got = Ranking(store, eng, settings).rank(paper_id, max(CANDIDATES, limit * 3))
    if got is None:
        return []
    if facet is None and first is None:
        keep(store, eng.model, got)
    ranked = got.ranked
    if facet:
        ranked = facets.combine(ranked, _facet_similarity(store, eng, got.doc, got.candidates, facet), facet)
    hits = [Hit(pid, round(score, 6), why) for pid, score, why in ranked[:limit]]
    if first:  # a longer list starts as the stored one does (a larger pool ranks its head a little differently);
        # the rest follow in the larger ranking's order, their scores capped at the stored list's last
        shown, floor = {h.paper_id for h in first}, first[-1].score
        rest = [Hit(h.paper_id, min(h.score, floor), h.why) for h in hits if h.paper_id not in shown]
        hits = (first + rest)[:limit]
    return hits


def stored(store: Store, paper_id: str, *, limit: int = LIST_SIZE, model: str = MODEL_NAME) -> list[Hit] | None:
    """The stored whole-paper list of ``paper_id`` without hidden or deleted papers, or None when there is
    none (no engine is opened: a page that reads it costs two small queries)."""
    with store.read() as conn:
        items = store_lists.get(conn, paper_id, model=model, method=METHOD)
        if items is None:
            return None
        ok = store_vectors.visible(conn, [pid for pid, _, _ in items])
    return [Hit(pid, score, why) for pid, score, why in items if pid in ok][:limit]


def keep(store: Store, model: str, got: Ranked) -> None:
    """Store a list a page ranked, so the next view reads it. Its ``text_hash`` is left empty: the index job
    ranks it again (and tells its neighbours) as it would a new paper. A failed write only costs the next
    view the ranking again."""
    try:
        with store.transaction() as conn:
            store_lists.save(conn, [(got.doc.id, "", got.items())], model=model, method=METHOD)
    except SQLAlchemyError as exc:
        log.warning("similar papers of %s not stored: %s", got.doc.id, exc)


@dataclass
class Ranked:
    """A paper's whole-paper ranking, its candidates, and its nearest papers (whose lists it may enter)."""

    doc: IndexDoc
    candidates: list[str]
    ranked: list[tuple[str, float, str]]
    neighbours: list[str]

    def items(self, n: int = LIST_SIZE) -> list[tuple[str, float, str]]:
        return [(pid, round(score, 6), why) for pid, score, why in self.ranked[:n]]


class Ranking:
    """Whole-paper similarity over one engine. ``cache`` (the index job, one paper after another) keeps
    document frequencies and candidate vectors between papers instead of asking for them again."""

    def __init__(self, store: Store, eng, settings: Settings, *, cache: bool = False):
        self.store, self.eng, self.weights = store, eng, shipped_weights(settings)
        self.doc_freqs: dict | None = {} if cache else None
        self.vectors: dict[str, np.ndarray] | None = {} if cache else None

    def _vectors(self, conn, ids: list[str]) -> dict[str, np.ndarray]:
        if self.vectors is None:
            return {pid: _vec(b) for pid, b in store_vectors.get_vectors(conn, self.eng.model, ids).items()}
        missing = [pid for pid in ids if pid not in self.vectors]
        self.vectors.update((p, _vec(b)) for p, b in store_vectors.get_vectors(conn, self.eng.model, missing).items())
        return {pid: self.vectors[pid] for pid in ids if pid in self.vectors}

    def rank(self, paper_id: str, k: int = CANDIDATES) -> Ranked | None:
        """``paper_id``'s candidates (``k`` nearest vectors and ``k`` best BM25 matches) ranked; None for an
        unknown paper."""
        eng = self.eng
        with self.store.read() as conn:
            docs = store_vectors.get_docs(conn, [paper_id])
            if not docs:
                return None
            doc = docs[0]
            vector = self._vectors(conn, [paper_id]).get(paper_id)
        terms = distinctive_terms(eng, doc, doc_freqs=self.doc_freqs)
        near = [pid for pid, _ in eng.vectors.search(vector, k + 1)] if vector is not None else []
        seen: set[str] = set()
        cands = [p for p in near + list(lexical_scores(eng, doc, None, k, terms=terms))
                 if p != paper_id and not (p in seen or seen.add(p))]  # fmt: skip
        with self.store.read() as conn:
            ok = store_vectors.visible(conn, cands)
            cands = [p for p in cands if p in ok]
            cand_vectors = self._vectors(conn, cands)
        dupes = _same_title(eng, doc.title)
        if vector is not None:
            dupes |= {pid for pid, v in cand_vectors.items() if float(np.dot(vector, v)) > DUPLICATE_COSINE}
        cands = [p for p in cands if p not in dupes]
        ranked = pair_scores(eng, doc, vector, cands, cand_vectors, self.weights, terms=terms)
        neighbours = [p for p in near if p in ok and p != paper_id and p not in dupes][:NEIGHBOURS]
        return Ranked(doc, cands, ranked, neighbours)


class ListRanker:
    """What the index job ranks the stored lists with (``index/job.py``'s ``similar`` step, given by
    ``paperfeed index`` and the scheduler): ``rank(ids)`` -> ``[(paper_id, items, neighbours)]``."""

    method = METHOD

    def __init__(self, store: Store, settings: Settings):
        self.store, self.settings = store, settings
        self._ranking: Ranking | None = None

    def rank(self, ids: list[str]) -> list[tuple[str, list[tuple[str, float, str]], list[str]]]:
        eng = engine(self.settings)  # the job's own (a --rebuild opens a new one)
        if self._ranking is None or self._ranking.eng is not eng:
            self._ranking = Ranking(self.store, eng, self.settings, cache=True)
        elif len(self._ranking.vectors or ()) > 200_000:  # ~300 MB of candidate vectors: start again
            self._ranking.vectors = {}
        out = []
        for pid in ids:
            got = self._ranking.rank(pid)
            if got is not None:
                out.append((pid, got.items(), got.neighbours))
        return out


def _facet_similarity(store: Store, eng, doc: IndexDoc, cands: list[str], facet: str) -> dict[str, float]:
    """The sentence match of ``doc``'s ``facet`` sentences with each candidate's stored sentences."""
    from . import facets

    with store.read() as conn:
        stored = facets.unpack_all(store_sentences.get(conn, eng.model, [doc.id, *cands]))
    own = stored.pop(doc.id, None)
    if own is None or not own[0]:  # not indexed yet: embed its few sentences now
        encoder = eng.query_encoder()
        if encoder is None or not stored:
            return {}
        own = facets.sentences_now(encoder, doc.title, doc.abstract)
    return facets.facet_similarity(own, stored, facet)


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
