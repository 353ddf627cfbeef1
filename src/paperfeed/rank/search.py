"""Search: lexical (BM25, tantivy) and semantic (MiniLM vectors) rankings, fused; exact matches first.

    search(store, settings, "diffusion transformers -survey cat:cs.CV", date_from=date(2026, 1, 1))

1. The query is parsed and built (``index.query``) into term and phrase queries with the index's analyzers.
2. Relevance: BM25 top-k (title > authors > abstract; pruned by block-max WAND when there are no filters,
   see ``lexical_top``) and vector top-k (the query embedded by the bundled model) are fused by reciprocal
   rank (``rank.fusion``). Vector candidates obey the same filters, phrases, field terms and exclusions as
   lexical ones. An exact arXiv id, then an exact title, are pinned first.
   Sorting by newest or upvotes lists every paper that has all the words, in that order.
3. The page is checked against the database, so a hidden or deleted paper never shows even when an index
   lags. Papers without a vector yet are still found by their words; the result counts them
   (``not_embedded``), and says when nothing could match by meaning (``lexical_only``: no vectors yet).

The fused ranking of the last ``RANKING_CACHE_SIZE`` relevance searches is kept (until the indexes change;
``RANKING_CACHE_PLACES`` places in all, as rankings for deep pages are long), so the next page of the same
search (``p=2``, a crawler following "next") only checks and shows its papers; a page asked for while its
search is being ranked waits for that ranking instead of ranking it again. Pages past the fused candidates
come from deeper fusions that keep the shallower one's places (``_ranking``): paging shows each paper once.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np

from .. import metrics
from ..ids import parse_arxiv_id
from ..index import engine
from ..index.query import ParsedQuery, QueryBuilder, QueryError, parse
from ..index.text import title_key
from ..records import filled
from ..settings import Settings
from ..store import Store
from ..store import keywords as store_keywords
from ..store import vectors as store_vectors
from .fusion import rrf
from .sorts import SEARCH as SORTS  # the names of every surface

__all__ = ["Hit", "SearchResult", "QueryError", "search", "SORTS", "MAX_OFFSET", "NARROW"]

MAX_LIMIT = 200
MAX_OFFSET = 10_000
NARROW = "narrow the query (more words, a category, an author or dates) to reach the papers after them"


@dataclass
class Hit:
    paper_id: str
    score: float
    why: str = ""  # short reason: "exact id", "exact title", "keywords", "semantic", "keywords + semantic"


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int  # matches: exact, or a lower bound (a relevance ranking that did not run out before its depth)
    lexical_only: bool  # nothing matched by meaning: no paper has a vector yet (or the vector weight is 0)
    not_embedded: int  # papers without a vector for the current model: they match by their words only
    total_is_estimate: bool = False  # ``total`` is a lower bound (shown as "about N results")


def _looks_like_id(raw: str) -> bool:
    raw = raw.strip()
    return bool(raw) and ((" " not in raw and raw.startswith(("http://", "https://"))) or bool(_named_ids(raw)))


def _named_ids(raw: str) -> list[str]:
    """The paper ids a query consists of: one arXiv id or URL, or a list of them (``2401.00001 2401.00002``,
    commas allowed), or paperfeed's own ``pf-`` ids; [] when any part is something else."""
    out = []
    for part in re.split(r"[\s,;]+", raw.strip()):
        if not part:
            continue
        parsed = parse_arxiv_id(part)
        if parsed is not None:
            out.append(parsed[0])
        elif re.fullmatch(r"pf-[0-9a-f]{12}", part):
            out.append(part)
        else:
            return []
    return list(dict.fromkeys(out))


def _pins(eng, qb: QueryBuilder, parsed: ParsedQuery, filt) -> list[tuple[str, str]]:
    """Papers the query names exactly: its arXiv ids (in the order given), or its exact title."""
    raw = parsed.raw.strip()
    ids = _named_ids(raw)
    allowed = eng.lexical.ids_matching(ids, filt) if ids else set()
    out: list[tuple[str, str]] = [(pid, "exact id") for pid in ids if pid in allowed]
    pid = ids[0] if len(ids) == 1 else None
    key = title_key(raw)
    if key and len(key) >= 4:
        q = qb.Q.boolean_query([(qb.O.Must, qb.Q.term_query(qb.schema, "tkey", key)), (qb.O.Must, filt)])
        hits, _ = eng.lexical.search(q, limit=20)
        out.extend((h.paper_id, "exact title") for h in sorted(hits, key=lambda h: h.paper_id) if h.paper_id != pid)
    return out


def search(
    store: Store,
    settings: Settings,
    q: str,
    *,
    category: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    author: str | None = None,
    has_code: bool = False,
    keyword: str | None = None,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> SearchResult:
    """Search the papers; raises ``QueryError`` for a query that cannot be run (the web answers 400)."""
    if sort not in SORTS:
        raise QueryError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise QueryError("offset must be 0 or more")
    if offset > MAX_OFFSET:
        raise QueryError(f"search results stop at offset {MAX_OFFSET:,} (asked: {offset:,}): {NARROW}")
    # a blank filter (an author of spaces) filters nothing: it is not a search of every paper
    category, author, keyword = filled(category), filled(author), filled(keyword)
    parsed = parse(q)
    eng = engine(settings)
    eng.refresh(store)
    qb = QueryBuilder(eng.lexical)
    must, must_not = qb.filters(
        parsed, category=category, date_from=date_from, date_to=date_to, author=author, has_code=has_code
    )
    if keyword:  # papers with this extracted keyword (store/keywords.py): a set of ids the index must match
        with store.read() as conn:
            keyword_ids = store_keywords.paper_ids(conn, keyword)
        if not keyword_ids:
            return SearchResult([], 0, lexical_only=False, not_embedded=eng.not_embedded())
        must.append(qb.Q.term_set_query(qb.schema, "id", keyword_ids))
    words = qb.words(parsed)
    has_filters = bool(category or date_from or date_to or author or has_code or keyword)
    if not words and not must and not has_filters:  # nothing was asked
        if not parsed.raw:
            raise QueryError("empty query: type some words to search for")
        raise QueryError(f"nothing to search for in {parsed.raw[:80]!r}: use words, not only symbols or exclusions")
    not_embedded = eng.not_embedded()
    # nothing here can match by meaning: no paper has a vector yet, or the vector weight is 0
    no_meaning = len(eng.vectors) == 0 or settings.search_vector_weight <= 0
    weights = (settings.search_lexical_weight, settings.search_vector_weight, settings.search_rrf_k,
               settings.search_min_similarity)  # fmt: skip
    key = (parsed.raw, category, date_from, date_to, author, has_code, keyword, weights, eng.lexical.watermark,
           len(eng.vectors))  # fmt: skip
    if sort == "relevance" and (words or parsed.semantic_text):
        depths = ranking_depths(settings.search_candidates, offset + limit)
        ranked, total, exact = _ranking(
            key, depths, lambda k: _rank(store, settings, eng, qb, parsed, must, must_not, k)
        )
        started = time.perf_counter()
        page = _visible_page(store, ranked, offset, limit)
        metrics.SEARCH_SECONDS.labels("page").observe(time.perf_counter() - started)
        return SearchResult(page, total, lexical_only=no_meaning, not_embedded=not_embedded,
                            total_is_estimate=not exact)  # fmt: skip

    # sorted by newest or upvotes: every paper with all the words (without words: every paper that passes
    # the filters), paged by the index
    query = qb.combine(must + words, [], must_not)
    order_by = {"newest": "day", "upvotes": "upvotes"}.get(sort, "day")
    started = time.perf_counter()
    hits, total = eng.lexical.search(query, limit=limit + 10, offset=offset, order_by=order_by, count=True)
    ranked = [(h.paper_id, float(h.score), "keywords") for h in hits]
    page = _visible_page(store, ranked, 0, limit)
    metrics.SEARCH_SECONDS.labels("sorted_total").observe(time.perf_counter() - started)
    return SearchResult(page, total or 0, lexical_only=no_meaning, not_embedded=not_embedded)


def ranking_depths(candidates: int, needed: int) -> list[int]:
    """The depths of fused ranking a page ending at ``needed`` stands on: ``candidates``, doubled until the
    page is reached (at most what the deepest page can need)."""
    depths = [candidates]
    while depths[-1] < needed:
        depths.append(min(depths[-1] * 2, MAX_OFFSET + MAX_LIMIT))
    return depths


def _ranking(key: tuple, depths: list[int], rank) -> tuple[list[tuple[str, float, str]], int, bool]:
    """The ranking ``rank(depths[-1])`` as pages show it, kept (``_rankings``) and consistent with the
    shallower ones: its first ``depths[-2]`` places are those of the ranking at that depth, and the deeper
    fusion's other papers follow. Fusing more candidates moves papers near the end of the shallower
    ranking, so without this, pages past the first depth (page 4 of 30 a page) would show papers that
    pages 1-3 showed and leave out others."""
    depth = depths[-1]
    kept = _rankings.get((*key, depth), claim=True)
    if kept is not None:
        return kept
    try:
        ranked, total, exact = rank(depth)
        if len(depths) > 1:
            head = _ranking(key, depths[:-1], rank)[0][: depths[-2]]
            seen = {pid for pid, _, _ in head}
            floor = head[-1][1] if head else float("inf")  # scores never rise down the list
            ranked = head + [(pid, min(score, floor), why) for pid, score, why in ranked if pid not in seen]
        # the pages this depth serves end by its last place; past it, only the slack of the last page
        kept = (ranked[: depth + VISIBLE_SLACK], max(total, len(ranked)), exact)
        _rankings.put((*key, depth), kept)
        return kept
    finally:
        _rankings.release((*key, depth))


def _rank(store: Store, settings: Settings, eng, qb: QueryBuilder, parsed: ParsedQuery, must: list, must_not: list,
          k: int) -> tuple[list[tuple[str, float, str]], int, bool]:  # fmt: skip
    """The fused relevance ranking (up to ``k`` of each kind, pins first): ``(ranked, total, exact)``,
    where ``ranked`` holds ``(paper id, score, why)`` and ``total`` is exact or a lower bound."""
    # an id or a URL has no meaning to embed: its own paper is pinned, the words search the rest
    semantic = parsed.semantic_text if not _looks_like_id(parsed.raw) else ""
    encoder = eng.query_encoder() if semantic and settings.search_vector_weight > 0 else None
    filtered = bool(must or must_not)
    # the query is embedded and its nearest vectors found on another core while tantivy searches
    # (onnxruntime and usearch release the GIL)
    pending = None
    if encoder is not None:
        pending = nearest(eng, encoder, semantic, k * 4 if filtered else k, floor=settings.search_min_similarity)

    started = time.perf_counter()
    lex_hits, lex_total, lex_exact = lexical_top(eng, qb, parsed, must, must_not, k)
    lex_ids = [h.paper_id for h in lex_hits]
    pins = _pins(eng, qb, parsed, qb.combine(must, [], must_not))
    lexical_done = time.perf_counter()
    metrics.SEARCH_SECONDS.labels("lexical").observe(lexical_done - started)

    vec_ids: list[str] = []
    vectors_done = True  # every paper that matches by meaning is in vec_ids (or none can)
    if pending is not None:
        cands = pending.result()  # embedding + nearest vectors ran beside the lexical search
        metrics.SEARCH_SECONDS.labels("vector_wait").observe(time.perf_counter() - lexical_done)
        vectors_done = len(cands) < (k * 4 if filtered else k)  # the nearest ran out above the floor
        if filtered:
            allowed = eng.lexical.ids_matching(cands, qb.combine(must, [], must_not))
            cands = [pid for pid in cands if pid in allowed]
        # unfiltered: hidden or deleted papers are dropped by the database check of the page
        vectors_done = vectors_done and len(cands) <= k
        vec_ids = cands[:k]

    fused = rrf(
        [(lex_ids, settings.search_lexical_weight), (vec_ids, settings.search_vector_weight)], k=settings.search_rrf_k
    )
    lex_set, vec_set = set(lex_ids), set(vec_ids)
    pinned = {pid for pid, _ in pins}
    top = fused[0][1] if fused else 1.0
    ranked = [(pid, top + 1.0 + (len(pins) - i), why) for i, (pid, why) in enumerate(pins)]
    for pid, score in fused:
        if pid in pinned:
            continue
        why = (
            "keywords + semantic" if pid in lex_set and pid in vec_set else "keywords" if pid in lex_set else "semantic"
        )
        ranked.append((pid, score, why))
    metrics.SEARCH_SECONDS.labels("hybrid_total").observe(time.perf_counter() - started)
    if lex_exact and len(lex_ids) >= lex_total and vectors_done:  # every match is ranked: count them
        return ranked, len(ranked), True
    # the word matches are counted (filters) or estimated; papers found by meaning alone add to them,
    # unless the query has no free word: then every paper that passes its filters is a word match
    meaning_adds = bool(qb.words(parsed)) and not (vectors_done and vec_set <= lex_set)
    return ranked, max(lex_total, len(ranked)), lex_exact and not meaning_adds


def lexical_top(
    eng, qb: QueryBuilder, parsed: ParsedQuery, must: list, must_not: list, k: int
) -> tuple[list, int, bool]:
    """The BM25 top ``k`` for relevance (every free word in every field, a hyphenated word as a phrase),
    the number of matches and whether that number is exact (else it is a lower bound).

    With filters: one query, counted exactly. Without: the words are a flat disjunction of term queries,
    which tantivy prunes with block-max WAND instead of scoring every paper that has a common word (at 1M
    papers, most of them). A phrase cannot be pruned, so a hyphenated word (or a URL, "MVD^2") enters that
    disjunction by its parts, and the top ``k`` it finds is re-scored: the parts' scores taken off, the
    phrase's put on (both computed over those ``k`` papers only), which is the score the filtered query
    gives. The total is the commonest one-word term's paper count (each of those papers matches), never
    a part's: most papers with "https", "2" or "text" lack the phrase (counting them promised 33 pages of
    results to a URL that matched one paper). When the disjunction runs out before ``k``, every match is
    among the hits, and they are the count.
    """
    terms, phrases = qb.terms(parsed), qb.phrases(parsed)
    words = qb.disjunction(terms)
    if must or must_not:
        hits, count = eng.lexical.search(qb.combine(must, words + phrases, must_not), limit=k, count=True)
        return _ranked(hits), count or 0, True
    part_queries = qb.disjunction(qb.terms(parsed, parts=True))
    hits, _ = eng.lexical.search(qb.combine([], words + part_queries, []), limit=k)
    ran_out = len(hits) < k
    if hits and phrases:
        minus, plus = _scores_among(eng, qb, hits, part_queries), _scores_among(eng, qb, hits, phrases)
        for h in hits:
            h.score += plus.get(h.paper_id, 0.0) - minus.get(h.paper_id, 0.0)
        hits = [h for h in hits if h.score > 1e-6]
    hits = _ranked(hits)
    if ran_out:
        return hits, len(hits), True
    return hits, max(eng.lexical.max_doc_freq(terms), len(hits)), False


def _ranked(hits: list) -> list:
    """Best first, papers whose scores agree to 4 decimals in id order: a re-scored hit's BM25 (summed in
    another order) differs from the exact query's in its last bits, which flipped ties between the two."""
    return sorted(hits, key=lambda h: (-round(h.score, 4), h.paper_id))


def _scores_among(eng, qb: QueryBuilder, hits: list, should: list) -> dict[str, float]:
    """BM25 of the disjunction ``should`` for the papers of ``hits`` only."""
    Q, occ = qb.Q, qb.O
    ids = Q.const_score_query(Q.term_set_query(qb.schema, "id", [h.paper_id for h in hits]), 0.0)  # adds 0
    found, _ = eng.lexical.search(
        Q.boolean_query([(occ.Must, ids), (occ.Must, qb.combine([], should, []))]), limit=len(hits)
    )
    return {h.paper_id: h.score for h in found}


class _Recent:
    """A small thread-safe LRU cache (recent rankings of searches) that computes each value once: a thread
    that ``claim``s a missing key computes it, and others asking for it meanwhile wait for its ``put``
    (a crawler asks for pages 1 and 2 of a search at the same moment)."""

    wait_seconds = 30.0  # a computing thread that never came back stops holding the others after this

    def __init__(self, size: int, max_weight: int | None = None, weight=lambda value: 1):
        """At most ``size`` values, and values of at most ``max_weight`` in all (``weight(value)``)."""
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()
        self.max_weight, self.weight, self._weight = max_weight, weight, 0
        self._computing: dict = {}  # key -> Event set when its value is put or given up

    def get(self, key, *, claim: bool = False):
        """The value, or None. With ``claim``: while another thread computes the key, wait for it; a None
        then makes the caller its computer, who must ``put`` it and then ``release`` the key."""
        while True:
            with self._lock:
                value = self._items.get(key)
                if value is not None:
                    self._items.move_to_end(key)
                    return value
                if not claim:
                    return None
                busy = self._computing.get(key)
                if busy is None:
                    self._computing[key] = threading.Event()
                    return None
            if not busy.wait(self.wait_seconds):
                return None  # the computing thread is stuck: compute it here as well
            # put (found next round), or given up (claimed next round, unless another thread was quicker)

    def put(self, key, value) -> None:
        with self._lock:
            if key in self._items:
                self._weight -= self.weight(self._items[key])
            self._items[key] = value
            self._items.move_to_end(key)
            self._weight += self.weight(value)
            while len(self._items) > self.size or (
                self.max_weight is not None and self._weight > self.max_weight and len(self._items) > 1
            ):
                self._weight -= self.weight(self._items.popitem(last=False)[1])

    def release(self, key) -> None:
        """The claimed key is put or given up (an error): whoever waits for it goes on."""
        with self._lock:
            busy = self._computing.pop(key, None)
        if busy is not None:
            busy.set()


RANKING_CACHE_SIZE = 256  # fused rankings (~200 places each) of recent relevance searches, per process
RANKING_CACHE_PLACES = 400_000  # and ~30 MB of places in all (77 bytes a place): page 333 needs 23,060
_rankings = _Recent(RANKING_CACHE_SIZE, RANKING_CACHE_PLACES, weight=lambda kept: len(kept[0]))
VISIBLE_SLACK = 20  # places past a page looked at, to fill it when the database says some are hidden
_embedder: ThreadPoolExecutor | None = None
_embedder_lock = threading.Lock()
VECTOR_CACHE_SIZE = 1024  # recent query vectors (1.5 kB each): paging and repeated queries embed once
_query_vectors = _Recent(VECTOR_CACHE_SIZE)


def query_vector(encoder, text: str) -> np.ndarray:
    """The query's vector, from the cache of recent queries or embedded now."""
    key = (id(encoder), text)
    v = _query_vectors.get(key)
    if v is None:
        v = encoder.encode([text])[0]
        _query_vectors.put(key, v)
    return v


def nearest(eng, encoder, text: str, k: int, *, floor: float = -1.0) -> Future:
    """The ``k`` papers nearest to the query's meaning with a cosine similarity of at least ``floor`` (a
    query about nothing the corpus holds matches nothing), computed on the embedding thread: a future of
    ids."""
    global _embedder
    if _embedder is None:
        with _embedder_lock:
            if _embedder is None:
                _embedder = ThreadPoolExecutor(max_workers=2, thread_name_prefix="paperfeed-embed")
    return _embedder.submit(
        lambda: [pid for pid, sim in eng.vectors.search(query_vector(encoder, text), k) if sim >= floor]
    )


def _visible_page(store: Store, ranked: list[tuple[str, float, str]], offset: int, limit: int) -> list[Hit]:
    """The page ``offset:offset+limit`` of ``ranked`` after dropping what the database says is hidden."""
    window = ranked[: offset + limit + VISIBLE_SLACK]
    with store.read() as conn:
        ok = store_vectors.visible(conn, [pid for pid, _, _ in window])
    shown = [w for w in window if w[0] in ok][offset : offset + limit]
    return [Hit(pid, round(score, 6), why) for pid, score, why in shown]
