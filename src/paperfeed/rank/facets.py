"""Faceted similar papers: papers like this one in what they set out to do (background), in how they do it
(method), or in what they find (result).

    similar(store, settings, "2401.01234", facet="method")     # rank/similar.py, with a facet

The candidates are those of whole-paper similarity (the paper's nearest vectors and the best matches of its
distinctive terms). Each is scored by the whole-paper score (``similar.pair_scores``) plus
``FACET_WEIGHT`` x the z-score, over the pool, of a sentence match: for each of the paper's sentences of
that facet (labelled by ``index/sentences.py``), its best cosine to one of the candidate's sentences of the
same facet or its title, averaged. Before the cosines, every sentence vector has the mean vector of its
facet over the pool's sentences taken off (and is normalised again): what all method sentences share
("we propose a novel approach") stops counting, what this one says remains. So the topic still counts,
and among papers on the topic those whose method (or background, or result) sentences say what this
paper's say come first. ``bench/eval_facets.py`` measures it on CSFCube's per-facet queries
(docs/benchmarks.md); the method, the variants measured and how this one was chosen are in docs/search.md
("Faceted similar papers").

A paper with no sentence of the facet (a one-sentence abstract) uses all its sentences; a candidate with
no stored sentences yet counts as average on the facet (z = 0: while the index job embeds a corpus's
sentences, the tabs do not favour the papers it got to first); the paper's own sentences, when the index job
has not stored them yet, are embedded on the spot by the query encoder (a few milliseconds a sentence).
"""

from __future__ import annotations

import numpy as np

from ..errors import PaperfeedError
from ..index import sentences as S
from .similar import zscores

FACETS = S.FACETS
FACET_WEIGHT = 1.0  # set before measuring (equal to the whole-paper cosine's weight), not tuned on CSFCube


class FacetError(PaperfeedError):
    """A facet that is not one of background, method, result (the CLI exits 2, as for a bad query)."""

    exit_code = 2


def check_facet(value: str | None) -> str | None:
    """``value`` as a facet name (None or "" for whole-paper similarity); a clear error otherwise."""
    if value is None or not value.strip():
        return None
    facet = value.strip().lower()
    if facet not in FACETS:
        raise FacetError(f"unknown facet {value[:40]!r}: use background, method or result")
    return facet


CENTRE_MIN = 8  # sentences of a facet the pool needs before its mean is taken off (fewer: left as they are)


def facet_rows(letters: str, vectors: np.ndarray, facet: str) -> np.ndarray:
    """The rows of ``vectors`` whose sentence has ``facet``; all abstract sentences (else all rows) when none."""
    want = S.LETTER[facet]
    rows = [i for i, c in enumerate(letters) if c == want]
    if not rows:
        rows = [i for i, c in enumerate(letters) if c != S.LETTER[S.TITLE]] or list(range(len(letters)))
    return vectors[rows]


def target_rows(letters: str, vectors: np.ndarray, facet: str) -> np.ndarray:
    """What a candidate's sentences are matched on: those of ``facet`` and its title (all when none)."""
    keep = {S.LETTER[facet], S.LETTER[S.TITLE]}
    rows = [i for i, c in enumerate(letters) if c in keep]
    return vectors[rows] if rows else vectors


def facet_means(candidates) -> dict[str, np.ndarray]:
    """``{facet letter: mean sentence vector}`` over the candidates' ``(letters, vectors)``, for the letters
    with at least ``CENTRE_MIN`` sentences."""
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for letters, vecs in candidates:
        for c, row in zip(letters, vecs, strict=True):
            sums[c] = sums[c] + row if c in sums else row.astype(np.float64)
            counts[c] = counts.get(c, 0) + 1
    return {c: (sums[c] / n).astype(np.float32) for c, n in counts.items() if n >= CENTRE_MIN}


def centred(letters: str, vectors: np.ndarray, means: dict[str, np.ndarray]) -> np.ndarray:
    """Each row minus the mean of its facet (``facet_means``), normalised again."""
    if not len(vectors) or not means:
        return vectors
    zero = np.zeros(vectors.shape[1], dtype=np.float32)
    x = vectors - np.stack([means.get(c, zero) for c in letters])
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def sentence_match(query: np.ndarray, candidate: np.ndarray) -> float:
    """Mean over the query's sentences of the best cosine to one of the candidate's sentences."""
    if not len(query) or not len(candidate):
        return float("nan")
    return float((query @ candidate.T).max(axis=1).mean())


def facet_similarity(
    query: tuple[str, np.ndarray], candidates: dict[str, tuple[str, np.ndarray]], facet: str
) -> dict[str, float]:
    """``{candidate: sentence match}``: the query's ``facet`` sentences against each candidate's sentences
    of that facet and its title, all centred on the pool's facet means (candidates without sentences are
    left out)."""
    means = facet_means(candidates.values())
    q = facet_rows(query[0], centred(*query, means), facet)
    out = {}
    for pid, (letters, vecs) in candidates.items():
        m = sentence_match(q, target_rows(letters, centred(letters, vecs, means), facet))
        if m == m:  # not NaN
            out[pid] = m
    return out


def combine(
    whole: list[tuple[str, float, str]], similarity: dict[str, float], facet: str, weight: float = FACET_WEIGHT
) -> list[tuple[str, float, str]]:
    """The whole-paper ranking ``[(paper_id, score, why)]`` re-scored with ``weight`` x z(sentence match),
    the z-scores over the candidates that have sentences; one without them yet (the index job has not got
    to it) counts as average on the facet and keeps its whole-paper score."""
    z = zscores(similarity, [pid for pid, _, _ in whole if pid in similarity])
    out = []
    for pid, score, why in whole:
        reason = f"similar {facet}" + (f" + {why}" if why else "") if pid in similarity else why
        out.append((pid, score + weight * z.get(pid, 0.0), reason))
    out.sort(key=lambda t: (-t[1], t[0]))
    return out


def unpack_all(rows: dict[str, tuple[str, bytes]]) -> dict[str, tuple[str, np.ndarray]]:
    """Stored ``{paper_id: (facet letters, int8 bytes)}`` as ``(letters, unit float32 rows)``."""
    return {pid: (letters, S.unpack(blob)) for pid, (letters, blob) in rows.items()}


def sentences_now(encoder, title: str, abstract: str) -> tuple[str, np.ndarray]:
    """A paper's labelled sentences embedded on the spot (its stored ones are not there yet)."""
    sents, labels = S.labelled(title, abstract)
    vecs = encoder.encode(sents) if sents else np.zeros((0, S.DIM), dtype=np.float32)
    return S.letters(labels), np.asarray(vecs, dtype=np.float32)
