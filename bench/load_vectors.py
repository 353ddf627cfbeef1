"""Load precomputed MiniLM vectors (e.g. embedded on a GPU) into a benchmark database, then fill the rest.

    .venv/bin/python bench/load_vectors.py --db sqlite:////tmp/pfbench/sqlite/paperfeed.db \\
        --npy /work/bench-data/arxiv75k-vectors.npy --ids /work/bench-data/arxiv75k-ids.txt [--fill-synthetic]

``--npy`` holds one row per id of ``--ids`` (float16 or float32, in that order). Vectors are stored with the
store's own ``save_vectors`` under the product's model name, so ``paperfeed index`` and the search use them
as if the job had computed them; the text hash recorded is the paper's real one (the job does not embed
them again). ``--fill-synthetic`` gives every paper still without a vector a synthetic one (a normalised
mix of two loaded vectors plus noise): benchmarks of latency need every paper in the graph, and the count
of real vectors is printed so a figure always says how many were real. Used by ``bench/search_latency.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

BATCH = 5_000


def _papers(conn) -> dict[str, str]:
    """paper id -> text hash of every paper in the store."""
    from sqlalchemy import select

    from paperfeed.index.text import text_hash
    from paperfeed.store.models import papers

    rows = conn.execute(select(papers.c.id, papers.c.title, papers.c.abstract)).all()
    return {pid: text_hash(title, abstract) for pid, title, abstract in rows}


def load(store, npy: Path | None, ids_file: Path | None, *, fill_synthetic: bool, seed: int = 0) -> dict:
    """Store the vectors of ``npy`` (rows named by ``ids_file``) and optionally synthetic ones for the rest.

    Returns ``{"real": n, "synthetic": m, "unknown_ids": k}``.
    """
    from paperfeed.index.embed import DIM, MODEL_NAME
    from paperfeed.store import vectors as sv

    with store.read() as conn:
        hashes = _papers(conn)
        have = set()
        for page in sv.iter_vectors(conn, MODEL_NAME):
            have.update(pid for pid, _, _ in page)
    real_rows: list[tuple[str, str, bytes]] = []
    pool = np.zeros((0, DIM), np.float32)
    unknown = 0
    if npy is not None:
        vecs = np.load(npy, mmap_mode="r")
        ids = [line.strip() for line in Path(ids_file).read_text().splitlines() if line.strip()]
        if len(ids) != len(vecs) or vecs.shape[1] != DIM:
            raise SystemExit(f"{npy}: {vecs.shape} does not match {len(ids)} ids x {DIM}")
        keep = [i for i, pid in enumerate(ids) if pid in hashes]
        unknown = len(ids) - len(keep)
        block = np.asarray(vecs[keep], dtype=np.float32)
        block /= np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)
        real_rows = [(ids[i], hashes[ids[i]], block[j].astype("<f4").tobytes()) for j, i in enumerate(keep)]
        pool = block[:20_000]
    _save(store, MODEL_NAME, real_rows)
    have.update(r[0] for r in real_rows)
    synthetic = 0
    if fill_synthetic:
        if not len(pool):
            with store.read() as conn:
                pages = [p for p in sv.iter_vectors(conn, MODEL_NAME)]
            got = [np.frombuffer(b, dtype="<f4") for page in pages for _, b, _ in page][:20_000]
            if not got:
                raise SystemExit("no real vectors to draw synthetic ones from: load some first")
            pool = np.stack(got)
        rng = np.random.default_rng(seed)
        rows = []
        for pid in sorted(set(hashes) - have):
            a, b = pool[rng.integers(len(pool), size=2)]
            v = a + 0.5 * b + rng.normal(0, 0.03, DIM).astype(np.float32)
            v /= np.linalg.norm(v)
            rows.append((pid, "bench-synthetic", v.astype("<f4").tobytes()))
        _save(store, MODEL_NAME, rows)
        synthetic = len(rows)
    return {"real": len(real_rows), "synthetic": synthetic, "unknown_ids": unknown}


def _save(store, model: str, rows: list) -> None:
    from paperfeed.store import vectors as sv

    for i in range(0, len(rows), BATCH):
        with store.transaction() as conn:
            sv.save_vectors(conn, model, rows[i : i + BATCH])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="database URL of the benchmark store")
    ap.add_argument("--npy", type=Path, help="vectors, one row per id (float16/float32, 384 columns)")
    ap.add_argument("--ids", type=Path, help="paper ids, one a line, in the order of --npy")
    ap.add_argument("--fill-synthetic", action="store_true", help="synthetic vectors for the papers left")
    args = ap.parse_args()
    if (args.npy is None) != (args.ids is None):
        ap.error("--npy and --ids go together")
    from paperfeed.store import Store

    store = Store.open(args.db)
    print(load(store, args.npy, args.ids, fill_synthetic=args.fill_synthetic))


if __name__ == "__main__":
    main()
