"""Topic maps: a set of papers placed in 2D from their vectors, clustered, each cluster labelled (docs/topics.md).

    topic_map(store, settings, paper_ids)  ->  TopicMap(points, clusters, missing)

1. vectors: the papers' stored MiniLM vectors; papers without one are left out and counted (``missing``);
2. clusters: k-means on the 384-d vectors (not on the picture, which distorts distances),
   ``k = sqrt(n / 2)`` clamped to 2..14;
3. layout: t-SNE (scikit-learn, PCA to 50 dimensions first, PCA initialisation, a fixed seed: the same
   papers always give the same picture); PCA alone for fewer than ``TSNE_MIN`` papers;
4. labels: c-TF-IDF (BERTopic's class-based tf-idf) over each cluster's terms: its papers' keyphrases
   (``paper_keywords``) and most frequent phrases: the three terms most particular to the cluster.

Steps 2-3 are the cost (seconds for a month) and are cached in ``data_dir/topics`` keyed by the model, the
method and the exact vectors: derived data, never required (a lost file is recomputed).
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

from .. import periods
from ..errors import PaperfeedError
from ..settings import Settings
from ..store import Store, community
from ..store import keywords as store_keywords
from ..store import maps as store_maps

LAYOUT_VERSION = "tsne-1"
TSNE_MIN = 40  # below this t-SNE has too few neighbours to mean anything: PCA
MAX_PAPERS = 20_000
LABEL_TERMS = 3
LEXICAL_TERMS = 12  # frequent phrases of each paper's text added to its keyphrases for labelling
SEARCH_PAPERS = 600  # a search result's map shows its best 600 papers
# cluster colours, by cluster id modulo its length: the web map and `paperfeed map` draw alike
PALETTE = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b", "#17becf", "#bcbd22",
]  # fmt: skip
Progress = Callable[[str], None]


@dataclass
class Point:
    paper_id: str
    title: str
    x: float  # 0..1, left to right
    y: float  # 0..1, top to bottom
    cluster: int


@dataclass
class Cluster:
    id: int
    terms: list[str]
    size: int
    x: float
    y: float

    @property
    def label(self) -> str:
        return ", ".join(self.terms) or f"cluster {self.id + 1}"


@dataclass
class TopicMap:
    points: list[Point]
    clusters: list[Cluster]
    missing: int  # papers of the set without a vector, left out
    method: str = LAYOUT_VERSION
    cached: bool = False
    highlight: set[str] = field(default_factory=set)


def n_clusters(n: int) -> int:
    return max(2, min(14, round(math.sqrt(n / 2)))) if n >= 4 else 1


def cluster(vectors: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """k-means labels on the (normalised) high-dimensional vectors."""
    n = len(vectors)
    k = n_clusters(n)
    if k == 1:
        return np.zeros(n, dtype=int)
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(vectors).astype(int)


def layout(vectors: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """2-D positions scaled to 0..1 (t-SNE, or PCA for few papers); deterministic for the same input."""
    n = len(vectors)
    if n == 0:
        return np.zeros((0, 2))
    if n < 3:
        xy = np.array([[0.5, 0.5], [0.25, 0.75], [0.75, 0.25]][:n])
        return xy
    from sklearn.decomposition import PCA

    if n < TSNE_MIN:
        xy = PCA(n_components=2, random_state=seed).fit_transform(vectors)
    else:
        from sklearn.manifold import TSNE

        reduced = PCA(n_components=min(50, n - 1, vectors.shape[1]), random_state=seed).fit_transform(vectors)
        perplexity = float(min(30, (n - 1) / 3))
        xy = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(reduced)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi - lo > 1e-9, hi - lo, 1.0)
    return 0.04 + 0.92 * (xy - lo) / span


def paper_terms(keyphrases: Sequence[str], title: str, abstract: str) -> list[str]:
    """What a paper contributes to its cluster's label: its keyphrases and its most frequent phrases."""
    from ..index.keywords import candidates

    return list(dict.fromkeys([*keyphrases, *candidates(title, abstract, limit=LEXICAL_TERMS)]))


def label_clusters(labels: np.ndarray, terms: Sequence[Sequence[str]], *, top: int = LABEL_TERMS) -> list[list[str]]:
    """c-TF-IDF: per cluster, the terms frequent in it and rare elsewhere (each paper counts a term once)."""
    from sklearn.feature_extraction.text import CountVectorizer

    k = int(labels.max()) + 1 if len(labels) else 0
    docs = [[] for _ in range(k)]
    for c, ts in zip(labels, terms, strict=True):
        docs[int(c)].extend(dict.fromkeys(t.lower() for t in ts))
    if not any(docs):
        return [[] for _ in range(k)]
    cv = CountVectorizer(analyzer=lambda d: d, lowercase=False)
    tf = cv.fit_transform(docs).toarray().astype(float)
    vocab = cv.get_feature_names_out()
    avg = tf.sum() / k
    weight = tf * np.log(1.0 + avg / np.maximum(tf.sum(axis=0), 1.0))
    out: list[list[str]] = [[] for _ in range(k)]
    used: set[str] = set()  # terms of bigger clusters' labels: a smaller cluster says what else it is about
    for c in np.argsort(-np.bincount(labels, minlength=k), kind="stable"):
        picked: list[str] = []
        order = np.argsort(-weight[c], kind="stable")
        for min_tf, fresh in ((2, True), (2, False), (1, False)):  # shared by several papers, then any
            for j in order:
                t = str(vocab[j])
                if len(picked) >= top or tf[c, j] < min_tf or (fresh and t in used) or t in picked:
                    continue
                if any(t in p or p in t for p in picked):
                    continue
                picked.append(t)
        out[c] = picked[:top]
        used.update(out[c])
    return out


def spread_labels(
    boxes: Sequence[tuple[float, float, float, float]], *, margin: float = 0.01
) -> list[tuple[float, float]]:
    """Label centres that do not overlap, for boxes ``(x, y, width, height)`` (centre and size, 0..1).

    Greedy, in the given order (biggest cluster first: it keeps its place): a box is pulled inside the
    picture, then, if it overlaps one placed before, moved up or down by whole heights to the nearest free
    row; with none free it stays where it was. Labels keep their column, so each stays over its cluster."""
    placed: list[tuple[float, float, float, float]] = []

    def free(x: float, y: float, w: float, h: float) -> bool:
        inside = margin <= y - h / 2 and y + h / 2 <= 1 - margin
        eps = 1e-9  # boxes that only touch do not overlap
        return inside and all(
            abs(x - px) >= (w + pw) / 2 - eps or abs(y - py) >= (h + ph) / 2 - eps for px, py, pw, ph in placed
        )

    for x, y, w, h in boxes:
        x = min(max(x, margin + w / 2), 1 - margin - w / 2) if w < 1 - 2 * margin else 0.5
        offsets = (k // 2 * h * (1 if k % 2 else -1) for k in range(1, 2 * int(1 / max(h, 1e-3)) + 3))
        spot = next((y + d for d in offsets if free(x, y + d, w, h)), y)  # 0, -h (up), +h, -2h, ...
        placed.append((x, spot, w, h))
    return [(x, y) for x, y, _, _ in placed]


def _cache_path(settings: Settings, key: str) -> Path:
    return settings.data_dir / "topics" / f"{key}.npz"


def _load_cached(path: Path, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    try:
        with np.load(path) as z:
            xy, labels = z["xy"], z["labels"]
    except (OSError, KeyError, ValueError, EOFError):
        return None
    if xy.shape != (n, 2) or labels.shape != (n,):
        return None
    return xy, labels


def _save_cached(path: Path, xy: np.ndarray, labels: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, xy=xy, labels=labels)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only data dir: the map is recomputed next time


class LayoutBusy(PaperfeedError):
    """Every layout slot of this process is taken: a map that is not cached cannot be laid out now."""


class LayoutSlots:
    """``n`` layouts at once in this process, taken in turns by the clients that ask without waiting.

    A client has at most one layout in flight. A client refused for want of a slot is in line for
    ``turn_seconds`` (each refusal renews it, keeping its place): a slot that frees goes to those in
    line, in order, before a client that just had one can take it again. So one client asking for map
    after map cannot keep the others out: each of them gets the next free slot when it tries again.
    """

    turn_seconds = 20.0  # pages say "try again in a few seconds" (Retry-After: 10)
    max_line = 1_000

    def __init__(self, n: int):
        self._free = n
        self._running: set[str] = set()
        self._line: dict[str, float] = {}  # client -> when last refused, in order of arrival
        self._cond = threading.Condition()

    def acquire(self, blocking: bool = True, *, client: str | None = None) -> bool:
        """Take a slot: waiting for one (the command line, warming), or else at once or not at all."""
        return self.take(client, blocking=blocking) is None

    def take(self, client: str | None, *, blocking: bool = False) -> str | None:
        """None when ``client`` got a slot (give it back with ``release``), else why not."""
        with self._cond:
            if blocking:
                self._cond.wait_for(lambda: self._free > 0)
            elif client is not None and client in self._running:
                return "a map you asked for is still being drawn: wait for it before asking for another"
            elif not self._my_turn(client, time.monotonic()):
                return "the topic maps of other searches are being drawn right now: try again in a few seconds"
            self._free -= 1
            if client is not None:
                self._running.add(client)
            return None

    def _my_turn(self, client: str | None, now: float) -> bool:
        self._line = {c: at for c, at in self._line.items() if now - at < self.turn_seconds}
        ahead = list(self._line).index(client) if client in self._line else len(self._line)
        if ahead < self._free:
            self._line.pop(client, None)
            return True
        if client is not None and (client in self._line or len(self._line) < self.max_line):
            self._line[client] = now
        return False

    def release(self, client: str | None = None) -> None:
        with self._cond:
            self._free += 1
            self._running.discard(client)
            self._cond.notify()


_layout_slots: dict[int, LayoutSlots] = {}
_slots_lock = threading.Lock()


def _slots(n: int) -> LayoutSlots:
    """This process's ``n`` concurrent layouts (the ``map_layouts`` setting)."""
    with _slots_lock:
        if n not in _layout_slots:
            _layout_slots[n] = LayoutSlots(n)
        return _layout_slots[n]


def topic_map(
    store: Store,
    settings: Settings,
    paper_ids: Sequence[str],
    *,
    highlight_user: int | None = None,
    progress: Progress | None = None,
    wait: bool = True,
    client: str | None = None,
) -> TopicMap:
    """The topic map of these papers (visible ones; those without a vector are counted in ``missing``).

    A map not in the cache is laid out in one of ``map_layouts`` slots of the process (seconds of CPU each):
    with ``wait=False`` (a web request, for ``client``) a full house, or a layout of the same client's in
    flight, raises ``LayoutBusy`` instead of queueing; turns are fair (``LayoutSlots``)."""
    from ..index.embed import model_key

    model = model_key(settings.embed_model)
    tick = progress or (lambda stage: None)
    ids = list(dict.fromkeys(paper_ids))
    if len(ids) > MAX_PAPERS:
        raise PaperfeedError(f"{len(ids):,} papers are too many for one map (at most {MAX_PAPERS:,})")
    tick("vectors")
    with store.read() as conn:
        raw, texts = store_maps.vectors_and_texts(conn, model, ids)
        placed = sorted(pid for pid in ids if pid in raw)  # the set, not its order, decides the picture
        phrases = store_keywords.top_keywords(conn, placed)
        votes = community.user_votes(conn, highlight_user, placed) if highlight_user is not None else {}
    mine = {pid for pid, v in votes.items() if v == 1}
    missing = sum(1 for pid in ids if pid in texts and pid not in raw)
    if not placed:
        return TopicMap([], [], missing)
    vectors = np.stack([np.frombuffer(raw[pid], dtype="<f4") for pid in placed]).astype(np.float32)
    h = hashlib.sha1(f"{model}\x1f{LAYOUT_VERSION}\x1f".encode())
    for pid in placed:
        h.update(pid.encode() + b"\x1f" + raw[pid])
    path = _cache_path(settings, h.hexdigest()[:24])
    cached = _load_cached(path, len(placed))
    if cached is None:
        slots = _slots(settings.map_layouts)
        refused = slots.take(client, blocking=wait)
        if refused:
            raise LayoutBusy(refused)
        try:
            tick("clusters")
            labels = cluster(vectors)
            tick("layout")
            xy = layout(vectors)
            _save_cached(path, xy, labels)
        finally:
            slots.release(client)
    else:
        xy, labels = cached
    tick("labels")
    terms = [paper_terms([k for k, _ in phrases.get(pid, [])], *texts[pid]) for pid in placed]
    names = label_clusters(labels, terms)
    sizes = Counter(int(c) for c in labels)
    clusters = []
    for c in sorted(sizes, key=lambda c: -sizes[c]):
        members = xy[labels == c]
        cx, cy = np.median(members, axis=0)
        clusters.append(Cluster(c, names[c], sizes[c], float(cx), float(cy)))
    points = [
        Point(pid, texts[pid][0], round(float(x), 5), round(float(y), 5), int(c))
        for pid, (x, y), c in zip(placed, xy, labels, strict=True)
    ]
    return TopicMap(points, clusters, missing, cached=cached is not None, highlight=mine)


def map_subject(
    store: Store, settings: Settings, *, month: str | None, week: str | None, day: str | None, q: str | None
) -> tuple[str, list[str], str]:
    """``(title, paper ids, query string)`` of the papers a map shows; ``ValueError`` for a bad request."""
    given = [(k, v) for k, v in (("month", month), ("week", week), ("day", day), ("q", q)) if v]
    if len(given) > 1:
        raise ValueError("give one of month, week, date or q")
    if given and given[0][0] == "q":
        from .search import search

        ids: list[str] = []
        while len(ids) < SEARCH_PAPERS:
            result = search(store, settings, q or "", limit=200, offset=len(ids))
            ids.extend(h.paper_id for h in result.hits)
            if len(result.hits) < 200:
                break
        return f"Search: {q}", ids, urlencode({"q": q})
    today = datetime.now(UTC).date()
    if given:
        kind, value = given[0]
        period = periods.parse(kind, value, today=today)
    else:
        with store.read() as conn:
            latest = store_maps.latest_day(conn)
        if latest is None:
            raise ValueError("no papers yet: load some with `paperfeed demo` or `paperfeed import`")
        period = periods.month_period(latest)
    with store.read() as conn:
        ids = store_maps.period_ids(conn, period.start, period.end)
    key = "date" if period.kind == "day" else period.kind
    return period.label, ids, urlencode({key: period.key})


WARM_MIN = 200  # smaller periods are drawn on demand in about a second: not worth warming


def warm(store: Store, settings: Settings) -> int:
    """Lay out the maps of the newest week and month ahead of their first view (`paperfeed index` and
    the scheduler call this after new vectors); returns how many maps were computed rather than found in the cache."""
    with store.read() as conn:
        latest = store_maps.latest_day(conn)
    if latest is None:
        return 0
    computed = 0
    for period in (periods.week_period(latest), periods.month_period(latest)):
        with store.read() as conn:
            ids = store_maps.period_ids(conn, period.start, period.end)
        if WARM_MIN <= len(ids) <= MAX_PAPERS:
            computed += not topic_map(store, settings, ids).cached
    return computed
