"""For you: the new papers of the last days, ranked for one user by a model of their taste.

    for_you(store, settings, user_id, limit=30)     # ForYou(picks=[Pick(paper, score, reasons)], ...)
    rank_users(store, settings, user_ids)           # the same for many users at once (digests)
    train_users(store, settings)                    # (re)train every model whose signals changed

1. Signals (``store.signals``): upvotes and saves are positives, "not interested" votes negatives; a
   logistic regression over the paper vectors is trained per user (``rank.usermodel``) and kept in
   ``user_models``, so any worker ranks with it. It is retrained only when the signals' hash changes
   (``train_users``, or on demand when a page finds it stale).
2. Candidates: papers listed in the last ``days`` days (an archive with nothing that recent uses its
   newest days, as trending does), never one the user voted on, saved or got in a digest.
3. Score: the model's score standardised over the candidates, plus a boost for a followed author or
   category. Without positives (cold start) popularity (log upvotes) stands in for the model.
4. Diversity: maximal marginal relevance over the vectors picks the page from the best candidates,
   so one topic does not fill it (``recommend_diversity``).
5. Reasons name real signals: the closest upvoted or saved paper, the followed author or category.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from ..ids import author_key
from ..index.embed import DIM, model_key
from ..settings import Settings
from ..store import Store
from ..store import cards as store_cards
from ..store import papers as store_papers
from ..store import signals as store_signals
from ..store.cards import Card
from ..store.papers import PaperView
from ..store.signals import Signals, StoredModel
from . import usermodel

AUTHOR_BOOST = 1.5  # in standard deviations of the model's score
CATEGORY_BOOST = 0.5
POPULARITY_WEIGHT = 0.1  # cold start: popularity orders the page, any follow outweighs it
CLOSE_COSINE = 0.35  # "close to <paper>" only when the pick is at least this similar to it
NEGATIVE_POOL_DAYS = 90  # random negatives come from papers listed in this many days before the candidates
NEGATIVE_POOL_SIZE = 5_000
MAX_LIMIT = 200
MAX_DAYS = 90
USER_BLOCK = 1_000  # users scored per matrix product


@dataclass
class Pick:
    paper: PaperView | Card
    score: float
    reasons: list[str]


@dataclass
class ForYou:
    picks: list[Pick]
    cold_start: bool  # no positive signal: picks are followed authors/categories and popular papers
    trained_at: datetime | None
    positives: int
    negatives: int
    since: date | None = None
    until: date | None = None


@dataclass
class Ranked:
    """One user's ranking before papers are loaded: ``items`` are ``(paper_id, score, reasons)``."""

    items: list[tuple[str, float, list[str]]]
    cold_start: bool
    model: StoredModel | None
    since: date | None
    until: date | None


@dataclass
class TrainReport:
    users: int = 0
    trained: int = 0
    unchanged: int = 0  # signals hash unchanged: kept
    no_positives: int = 0  # cold start: nothing to learn yet
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Candidates:
    """The papers one run ranks, shared by every user of the run."""

    ids: list[str]
    index: dict[str, int]
    vectors: np.ndarray  # (N, dim); zero rows for papers without a vector
    has_vector: np.ndarray  # (N,) bool
    popularity: np.ndarray  # (N,) log1p(upvotes)
    upvotes: list[int]
    authors: list[set[str]]  # ids.author_key: case and accents folded
    categories: list[set[str]]
    category_names: list[list[str]]  # as written, for "new in cs.LG"
    since: date | None
    until: date | None
    by_author: dict[str, list[int]] = field(default_factory=dict)  # author_key -> candidate rows
    by_category: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, (names, cats) in enumerate(zip(self.authors, self.categories, strict=True)):
            for a in names:
                self.by_author.setdefault(a, []).append(i)
            for c in cats:
                self.by_category.setdefault(c, []).append(i)


def window(conn, days: int, now: datetime | None) -> tuple[date, date]:
    """The days whose papers compete: the last ``days`` up to today, or up to the newest listed day."""
    today = (now or datetime.now(UTC)).date()
    latest = store_signals.latest_listed_day(conn, on_or_before=today)
    until = today if latest is None or latest > today - timedelta(days=days) else latest
    return until - timedelta(days=days - 1), until


def load_candidates(conn, model: str, *, days: int, now: datetime | None) -> Candidates:
    since, until = window(conn, days, now)
    fresh = store_papers.fresh_papers(conn, since=since, until=until)
    ids = sorted(fresh, key=lambda p: (fresh[p].day, p), reverse=True)
    have, mat = store_signals.vectors_of(conn, model, ids, DIM)
    vectors = np.zeros((len(ids), DIM), dtype=np.float32)
    index = {p: i for i, p in enumerate(ids)}
    rows = [index[p] for p in have]
    vectors[rows] = mat
    has_vector = np.zeros(len(ids), dtype=bool)
    has_vector[rows] = True
    authors = store_papers.authors_of(conn, ids)
    cats = store_papers.categories_of(conn, ids)
    ups = [fresh[p].upvotes for p in ids]
    return Candidates(
        ids=ids, index=index, vectors=vectors, has_vector=has_vector,
        popularity=np.log1p(np.asarray(ups, dtype=np.float32)), upvotes=ups,
        authors=[{author_key(a) for a in authors.get(p, ())} for p in ids],
        categories=[{c.lower() for c in cats.get(p, ())} for p in ids],
        category_names=[sorted(cats.get(p, ())) for p in ids], since=since, until=until,
    )  # fmt: skip


# --- training -----------------------------------------------------------------------------------------


def _negative_pool(conn, model: str, now: datetime) -> tuple[list[str], np.ndarray]:
    """Papers listed in the ``NEGATIVE_POOL_DAYS`` up to now (or up to the newest listed day of an archive)."""
    _, until = window(conn, NEGATIVE_POOL_DAYS, now)
    recent = store_papers.fresh_papers(conn, since=until - timedelta(days=NEGATIVE_POOL_DAYS), until=until)
    ids = sorted(recent)
    if len(ids) > NEGATIVE_POOL_SIZE:
        rng = np.random.default_rng(until.toordinal())
        ids = sorted(rng.choice(ids, NEGATIVE_POOL_SIZE, replace=False).tolist())
    return store_signals.vectors_of(conn, model, ids, DIM)


def _train(
    store: Store, settings: Settings, signals: dict[int, Signals], *, now: datetime, workers: int = 2,
    progress: Callable[[int], None] | None = None,
) -> list[StoredModel]:  # fmt: skip
    """Fit a model for each user with positives; store them; return them."""
    todo = [s for s in signals.values() if s.positives]
    if not todo:
        return []
    model = model_key(settings.embed_model)
    with store.read() as conn:
        pool_ids, pool = _negative_pool(conn, model, now)
        wanted = {p for s in todo for p in s.positives[: usermodel.MAX_POSITIVES] + s.downvoted}
        have, mat = store_signals.vectors_of(conn, model, wanted, DIM)
    row = {p: i for i, p in enumerate(have)}

    def one(s: Signals) -> StoredModel | None:
        pos = [row[p] for p in s.positives[: usermodel.MAX_POSITIVES] if p in row]
        down = [row[p] for p in s.downvoted if p in row]
        digest = s.digest(model, usermodel.RECIPE)
        n_random = max(0, settings.recommend_negatives - len(down))
        rand = usermodel.random_negatives(pool_ids, pool, set(s.positives) | set(s.downvoted), n_random, digest)
        data = usermodel.TrainingSet(mat[pos], mat[down], rand)
        weights = usermodel.fit(data, downvote_weight=settings.recommend_downvote_weight)
        if progress:
            progress(1)
        if weights is None:
            return None
        return StoredModel(s.user_id, model, weights, digest, len(pos), len(down) + len(rand), now)

    if workers > 1 and len(todo) > 50:
        with ThreadPoolExecutor(workers) as ex:
            models = list(ex.map(one, todo, chunksize=64))
    else:
        models = [one(s) for s in todo]
    models = [m for m in models if m is not None]
    store_signals.save_models_safely(store, models)
    return models


def train_users(
    store: Store, settings: Settings, user_ids: Iterable[int] | None = None, *, force: bool = False,
    workers: int = 2, progress: Callable[[int], None] | None = None, now: datetime | None = None,
) -> TrainReport:  # fmt: skip
    """Retrain the models of ``user_ids`` (default: every user with signals) whose signals changed."""
    t0 = time.perf_counter()
    report = TrainReport()
    model = model_key(settings.embed_model)
    with store.read() as conn:
        ids = list(user_ids) if user_ids is not None else store_signals.users_with_signals(conn)
        signals = store_signals.signals_for(conn, ids)
        stored = store_signals.get_models(conn, ids, model)
    report.timings["signals"] = time.perf_counter() - t0
    report.users = len(signals)
    stale: dict[int, Signals] = {}
    for uid, s in signals.items():
        if not s.positives:
            report.no_positives += 1
        elif not force and uid in stored and stored[uid].signals == s.digest(model, usermodel.RECIPE):
            report.unchanged += 1
            if progress:
                progress(1)
        else:
            stale[uid] = s
    gone = [uid for uid, s in signals.items() if not s.positives and uid in stored]
    if gone:
        with store.transaction() as conn:
            store_signals.delete_models(conn, gone)
    if progress and report.no_positives:
        progress(report.no_positives)
    t = time.perf_counter()
    report.trained = len(_train(store, settings, stale, now=now or datetime.now(UTC), workers=workers,
                                progress=progress))  # fmt: skip
    report.timings["train"] = time.perf_counter() - t
    report.seconds = time.perf_counter() - t0
    return report


# --- ranking ------------------------------------------------------------------------------------------


def _mmr(scores: np.ndarray, vectors: np.ndarray, has_vector: np.ndarray, k: int, diversity: float) -> list[int]:
    """Maximal marginal relevance: each next pick trades its score against its likeness to those picked.

    Only finite scores compete (seen papers are -inf); the pool is the best ``5 k`` (at least 50).
    """
    ok = np.flatnonzero(np.isfinite(scores))
    order = ok[np.argsort(-scores[ok], kind="stable")]
    if diversity <= 0 or k <= 0:
        return order[:k].tolist()
    return _mmr_pool(order[: max(k * 5, 50)], scores, vectors, has_vector, k, diversity)


def _mmr_pool(pool, scores, vectors, has_vector, k: int, diversity: float) -> list[int]:
    rel = scores[pool].astype(np.float64)
    span = rel.max() - rel.min() if len(rel) else 0.0
    rel = (rel - rel.min()) / span if span > 0 else np.zeros_like(rel)
    v = vectors[pool] * has_vector[pool, None]
    picked: list[int] = []
    closest = np.zeros(len(pool), dtype=np.float32)
    base = (1 - diversity) * rel
    for _ in range(min(k, len(pool))):
        gain = base - diversity * closest
        gain[picked] = -np.inf
        i = int(np.argmax(gain))
        picked.append(i)
        np.maximum(closest, v @ v[i], out=closest)  # one row of similarities per pick, not the whole matrix
    return [int(pool[i]) for i in picked]


def _user_scores(
    cands: Candidates, s: Signals, base: np.ndarray, exclude: set[str]
) -> tuple[np.ndarray, dict[int, list[str]]]:
    """``base`` plus follow boosts, seen papers at -inf; and the follow reasons of each boosted paper."""
    scores = base.copy()
    reasons: dict[int, list[str]] = {}
    by_author: dict[int, list[str]] = {}
    by_cat: dict[int, list[str]] = {}
    for kind, value in s.follows:
        index, into = (cands.by_author, by_author) if kind == "author" else (cands.by_category, by_cat)
        for i in index.get(author_key(value) if kind == "author" else value.lower(), ()):
            into.setdefault(i, []).append(value)
    for i, names in by_author.items():
        scores[i] += AUTHOR_BOOST
        reasons[i] = [f"by {a}, whom you follow" for a in sorted(names)[:2]]
    for i, cats in by_cat.items():
        scores[i] += CATEGORY_BOOST
        reasons.setdefault(i, []).append(f"in {sorted(cats)[0]}, which you follow")
    for pid in s.seen | exclude:
        i = cands.index.get(pid)
        if i is not None:
            scores[i] = -np.inf
    return scores, reasons


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 0 else x - x.mean()


def rank_users(
    store: Store, settings: Settings, user_ids: Iterable[int], *, limit: int = 30, days: int | None = None,
    now: datetime | None = None, exclude: dict[int, set[str]] | None = None,
) -> dict[int, Ranked]:  # fmt: skip
    """Rank the candidates for each user (training missing or stale models first): ``{user_id: Ranked}``."""
    now = now or datetime.now(UTC)
    days = days or settings.recommend_days
    ids = sorted(set(user_ids))
    model = model_key(settings.embed_model)
    with store.read() as conn:
        signals = store_signals.signals_for(conn, ids)
        models = store_signals.get_models(conn, ids, model)
        cands = load_candidates(conn, model, days=days, now=now)
    stale = {
        uid: s for uid, s in signals.items()
        if s.positives and (uid not in models or models[uid].signals != s.digest(model, usermodel.RECIPE))
    }  # fmt: skip
    if stale:
        models.update({m.user_id: m for m in _train(store, settings, stale, now=now)})
    out: dict[int, Ranked] = {}
    if not cands.ids:
        return {uid: Ranked([], uid not in models, models.get(uid), cands.since, cands.until) for uid in ids}
    pop = POPULARITY_WEIGHT * _z(cands.popularity)
    warm = [uid for uid in ids if uid in models and signals[uid].positives]
    for b in range(0, len(warm), USER_BLOCK):
        block = warm[b : b + USER_BLOCK]
        w = np.stack([models[u].weights[:DIM] for u in block])  # (U, dim)
        raw = cands.vectors @ w.T  # (N, U)
        for j, uid in enumerate(block):
            base = raw[:, j].copy()
            floor = base[cands.has_vector].min() if cands.has_vector.any() else 0.0
            base[~cands.has_vector] = floor
            out[uid] = _finish(cands, signals[uid], _z(base), models[uid], limit, settings, exclude, now=now)
    for uid in ids:
        if uid not in out:
            out[uid] = _finish(cands, signals[uid], pop, None, limit, settings, exclude, now=now)
    _explain(store, model, cands, signals, out)
    return out


def _finish(cands, s: Signals, base, model, limit, settings, exclude, *, now) -> Ranked:
    scores, reasons = _user_scores(cands, s, base, (exclude or {}).get(s.user_id, set()))
    picked = _mmr(scores, cands.vectors, cands.has_vector, limit, settings.recommend_diversity)
    items = []
    for i in picked:
        why = list(reasons.get(i, []))
        if model is None and cands.upvotes[i] and not why:
            why.append(f"popular: {cands.upvotes[i]} upvote{'s' if cands.upvotes[i] != 1 else ''}")

        items.append((cands.ids[i], round(float(scores[i]), 4), why))
    return Ranked(items, model is None, model, cands.since, cands.until)


def _explain(store: Store, model: str, cands: Candidates, signals: dict[int, Signals], out: dict[int, Ranked]) -> None:
    """Prepend "close to <the nearest upvoted or saved paper>" to each pick of a trained model."""
    need = {p for uid, r in out.items() if r.model is not None for p in signals[uid].positives[:200]}
    with store.read() as conn:
        have, mat = store_signals.vectors_of(conn, model, need, DIM)
        row = {p: i for i, p in enumerate(have)}
        nearest: dict[tuple[int, str], str] = {}
        for uid, r in out.items():
            if r.model is None or not r.items:
                continue
            pos = [p for p in signals[uid].positives[:200] if p in row]
            picks = [cands.index[p] for p, _, _ in r.items]
            if not pos:
                continue
            sims = cands.vectors[picks] @ mat[[row[p] for p in pos]].T
            for (pid, _, _), best, row_sims in zip(r.items, sims.argmax(axis=1), sims, strict=True):
                if row_sims[best] >= CLOSE_COSINE:
                    nearest[(uid, pid)] = pos[int(best)]
        titles = store_signals.titles_of(conn, set(nearest.values()))
    for uid, r in out.items():
        if r.model is None:
            continue
        upvoted = set(signals[uid].upvoted)
        for pid, _, why in r.items:
            near = nearest.get((uid, pid))
            if near is not None and near in titles:
                title = titles[near] if len(titles[near]) <= 90 else titles[near][:89].rstrip() + "…"
                how = "upvoted" if near in upvoted else "saved"
                why.insert(0, f"close to “{title}”, which you {how}")
            elif not why and cands.category_names[cands.index[pid]]:
                why.append(f"new in {cands.category_names[cands.index[pid]][0]}")
            elif not why:  # no paper close to it, no category: what the model learned from all of them
                why.append("like your upvotes and saves taken together")


def for_you(
    store: Store, settings: Settings, user_id: int, *, limit: int = 30, days: int | None = None,
    now: datetime | None = None, cards: bool = False,
) -> ForYou:  # fmt: skip
    """One user's page: the ranked picks with their papers (views, or with ``cards`` what their cards show:
    the page), reasons and the model's state."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    r = rank_users(store, settings, [user_id], limit=limit, days=days, now=now)[user_id]
    ids = [p for p, _, _ in r.items]
    with store.read() as conn:  # the visible ones
        if cards:
            read: list = store_cards.cards(conn, ids)
        else:
            read = [v for v in store_papers.get_papers(conn, ids) if not v.hidden]
    views = {v.id: v for v in read}
    picks = [Pick(views[p], score, why) for p, score, why in r.items if p in views]
    m = r.model
    return ForYou(picks, r.cold_start, m.trained_at if m else None, m.positives if m else 0,
                  m.negatives if m else 0, r.since, r.until)  # fmt: skip
