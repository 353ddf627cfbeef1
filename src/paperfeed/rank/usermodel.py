"""Training one user's model: logistic regression over paper vectors (the Scholar Inbox recipe).

Positives are the user's upvoted and saved papers (an imported library is a collection, so it counts).
Negatives are the "not interested" votes, weighted ``downvote_weight`` times, topped up with random
recent papers when there are fewer than ``negatives`` of them (arxiv-sanity and Scholar Inbox both train
against the rest of the corpus this way: most papers are not for you). Classes are balanced, so ten
upvotes weigh as much as a hundred random papers. scikit-learn's liblinear solver in its dual form (few
samples, 384 features) trains a user in a few milliseconds and releases the GIL, so threads share cores.

A model is a float32 vector: the weights, then the bias. Only its direction ranks papers; the bias says
how likely "for you" a paper is, and is kept for completeness.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass

import numpy as np

RECIPE = "logreg-v1"  # part of the signals hash: changing the recipe retrains every model
C = 1.0  # inverse L2 regularisation (bench/eval_recs.py)
MAX_POSITIVES = 500  # the most recent ones; older taste counts less than current taste


@dataclass(frozen=True)
class TrainingSet:
    positives: np.ndarray  # (P, dim)
    downvotes: np.ndarray  # (D, dim)
    random: np.ndarray  # (R, dim)


def random_negatives(pool_ids: list[str], pool: np.ndarray, exclude: set[str], n: int, seed: str) -> np.ndarray:
    """``n`` rows of ``pool`` drawn without replacement, never one of ``exclude``, reproducibly per ``seed``."""
    if n <= 0 or len(pool_ids) == 0:
        return pool[:0]
    rng = np.random.default_rng(int.from_bytes(hashlib.sha1(seed.encode()).digest()[:8], "little"))
    draw = rng.choice(len(pool_ids), size=min(len(pool_ids), n + len(exclude)), replace=False)
    picked = [int(i) for i in draw if pool_ids[i] not in exclude][:n]
    return pool[np.sort(np.asarray(picked, dtype=np.int64))] if picked else pool[:0]


def fit(data: TrainingSet, *, downvote_weight: float = 3.0, c: float = C) -> np.ndarray | None:
    """The model (weights then bias, float32), or None without positives or negatives."""
    from sklearn.linear_model import LogisticRegression

    n_pos, n_down, n_rand = len(data.positives), len(data.downvotes), len(data.random)
    if n_pos == 0 or n_down + n_rand == 0:
        return None
    x = np.vstack([data.positives, data.downvotes, data.random]).astype(np.float64)
    y = np.r_[np.ones(n_pos), np.zeros(n_down + n_rand)]
    neg_weight = n_down * downvote_weight + n_rand
    w = np.r_[np.full(n_pos, neg_weight / n_pos), np.full(n_down, downvote_weight), np.ones(n_rand)]
    w *= len(w) / w.sum()
    # tol 1e-2: the ranking needs the direction of the weights, which is stable to 1e-8 by then (2x faster)
    clf = LogisticRegression(C=c, solver="liblinear", dual=True, tol=1e-2, max_iter=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # liblinear's "did not converge" on tiny sets: the ranking is fine
        clf.fit(x, y, sample_weight=w)
    return np.r_[clf.coef_[0], clf.intercept_[0]].astype(np.float32)
