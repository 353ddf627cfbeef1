"""Fusing ranked lists: weighted reciprocal-rank fusion.

    score(d) = sum over lists L of  w_L / (k + rank_L(d))        (rank from 1)

RRF needs no score calibration between BM25 and cosine, which differ in scale per query; the weights
and ``k`` are settings, tuned on bench/eval_search.py (docs/search.md).
"""

from __future__ import annotations

from collections.abc import Sequence


def rrf(lists: Sequence[tuple[Sequence[str], float]], k: float = 60.0) -> list[tuple[str, float]]:
    """``[(ids best first, weight), ...]`` -> ``[(id, fused score)]`` best first (ties by id)."""
    scores: dict[str, float] = {}
    for ids, weight in lists:
        if weight <= 0:
            continue
        for rank, pid in enumerate(ids, start=1):
            scores[pid] = scores.get(pid, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
