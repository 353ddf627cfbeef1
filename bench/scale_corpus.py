"""Synthetic papers generated from the real corpus, for the 1M-paper search benchmarks (with their vectors).

    .venv/bin/python bench/scale_corpus.py --corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz \\
        --vectors /work/bench-data/arxiv75k-vectors.npy --ids /work/bench-data/arxiv75k-ids.txt \\
        --count 925272 --out /tmp/pf1m/synthetic

Paper j mixes two real papers a (j-th in turn) and b (random): a's title with its last words taken from
b, the first half of a's abstract then the second half of b's, a's authors, categories and dates, and a
fresh arXiv-style id (2030-2038, never a real one). Its vector is a perturbation of the real ones,
``normalise(v_a + 0.5 v_b + noise)``, so the HNSW graph sees realistic geometry and near neighbours.
Writes ``OUT.jsonl.gz`` (the corpus's own format, imported by ``paperfeed import``), ``OUT-vectors.npy``
(float16) and ``OUT-ids.txt`` for ``bench/load_vectors.py``. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from pathlib import Path

import numpy as np

SENTENCE = re.compile(r"(?<=[.!?])\s+")


def synthetic_id(j: int) -> str:
    block, num = divmod(j, 99_999)
    year, month = divmod(block, 12)
    return f"{30 + year:02d}{month + 1:02d}.{num + 1:05d}"


def mix(a: dict, b: dict, j: int) -> dict:
    ta, tb = a["title"].split(), b["title"].split()
    cut = max(1, len(ta) - max(1, len(tb) // 3))
    sa, sb = SENTENCE.split(a["summary"].strip()), SENTENCE.split(b["summary"].strip())
    abstract = " ".join(sa[: max(1, len(sa) // 2)] + sb[len(sb) // 2 :])
    row = {k: a.get(k) for k in ("authors", "categories", "published", "updated", "comment")}
    pid = synthetic_id(j)
    row.update(
        id=pid,
        title=" ".join(ta[:cut] + tb[-max(1, len(tb) // 3) :]),
        summary=abstract,
        abs=f"https://arxiv.org/abs/{pid}",
        pdf=f"https://arxiv.org/pdf/{pid}",
    )
    return {k: v for k, v in row.items() if v is not None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--vectors", type=Path, required=True, help="real vectors, rows in --ids order")
    ap.add_argument("--ids", type=Path, required=True)
    ap.add_argument("--count", type=int, required=True, help="synthetic papers to write")
    ap.add_argument("--out", type=Path, required=True, help="path prefix of the three files")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    rows = [json.loads(line) for line in gzip.open(args.corpus, "rt")]
    ids = [line.strip() for line in args.ids.read_text().splitlines() if line.strip()]
    real = np.load(args.vectors, mmap_mode="r")
    row_of = {pid: i for i, pid in enumerate(ids)}
    rows = [r for r in rows if r["id"] in row_of]
    vec_rows = np.array([row_of[r["id"]] for r in rows])
    rng = np.random.default_rng(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    vec_path = args.out.with_name(args.out.name + "-vectors.npy")
    out_vecs = np.lib.format.open_memmap(vec_path, mode="w+", dtype=np.float16, shape=(args.count, real.shape[1]))
    out_ids = []
    with gzip.open(args.out.with_name(args.out.name + ".jsonl.gz"), "wt", compresslevel=1) as f:
        for start in range(0, args.count, 10_000):
            n = min(10_000, args.count - start)
            js = np.arange(start, start + n)
            ia, ib = js % len(rows), rng.integers(len(rows), size=n)
            va = np.asarray(real[vec_rows[ia]], np.float32)
            vb = np.asarray(real[vec_rows[ib]], np.float32)
            v = va + 0.5 * vb + rng.normal(0, 0.03, va.shape).astype(np.float32)
            out_vecs[start : start + n] = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float16)
            for j, a, b in zip(js, ia, ib, strict=True):
                row = mix(rows[a], rows[b], int(j))
                out_ids.append(row["id"])
                f.write(json.dumps(row) + "\n")
    out_vecs.flush()
    args.out.with_name(args.out.name + "-ids.txt").write_text("\n".join(out_ids) + "\n")
    print(json.dumps({"papers": args.count, "out": str(args.out)}))


if __name__ == "__main__":
    main()
