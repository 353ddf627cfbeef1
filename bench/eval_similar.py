"""Similar papers on CSFCube: NDCG@20 and MAP of the product's similar-paper scoring.

    D=../shared/data/csfcube-dev
    .venv/bin/python bench/eval_similar.py --fold $D --corpus $D/corpus.jsonl.gz [--method bm25|vectors|shipped]

Loads the corpus into a paperfeed store (SQLite in --workdir, kept between runs so the ~4,200 embeddings
are computed once), builds the indexes with the product's own job, then ranks each query's judged pool
with ``paperfeed.rank.similar.pair_scores`` -- the function ``similar()`` ranks its candidates with -- and
prints one JSON line: {"ndcg@20": x, "map": y, "queries": n, "method": ...}. Metrics: the exact
definitions of ``../shared/tools/ir_metrics.py``. ``bm25`` and ``vectors`` are the shipped scoring with
one of its two signals weighted zero.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def load_metrics(fold: Path):
    for cand in (fold.parent.parent / "tools", ROOT.parent / "shared" / "tools"):
        if (cand / "ir_metrics.py").exists():
            sys.path.insert(0, str(cand))
            break
    from ir_metrics import average_precision, ndcg

    return ndcg, average_precision


def load_fold(fold: Path) -> tuple[list[dict], dict[str, list[str]], dict[str, dict[str, int]]]:
    """A CSFCube fold: its queries, each query's candidate pool and graded judgments."""
    queries = [json.loads(line) for line in open(fold / "queries.jsonl")]
    pools = json.load(open(fold / "pools.json"))
    qrels: dict[str, dict[str, int]] = {}
    for line in open(fold / "qrels.tsv"):
        qid, pid, grade = line.split("\t")
        qrels.setdefault(qid, {})[pid] = int(grade)
    return queries, pools, qrels


def fake_id(n: int) -> str:
    # CSFCube ids are Semantic Scholar numbers; the store wants arXiv-style ids (titles repeat in the corpus)
    return f"0701.{n:05d}"


def build(workdir: Path, corpus: Path, *, embed: bool = True):
    from paperfeed.index import job
    from paperfeed.ingest import import_items
    from paperfeed.records import PaperRecord
    from paperfeed.settings import Settings
    from paperfeed.store import Store

    settings = Settings(data_dir=workdir, search_refresh_seconds=3600)
    store = Store.open(settings.db_url)
    rows = [json.loads(line) for line in gzip.open(corpus, "rt")]
    ids = {r["paper_id"]: fake_id(i) for i, r in enumerate(rows)}
    marker = workdir / "loaded.json"
    if not marker.exists():
        records = [
            PaperRecord(title=r["title"], abstract=r["abstract"], arxiv_id=ids[r["paper_id"]], source="csfcube")
            for r in rows
        ]
        import_items(store, records)
        marker.write_text(json.dumps({"papers": len(records)}))
    t = time.perf_counter()
    report = job.run(store, settings, embed=embed, keywords=False)  # similarity does not read keyphrases
    if report.embedded:
        print(
            f"# embedded {report.embedded} papers in {time.perf_counter() - t:.0f} s ({report.device})",
            file=sys.stderr,
        )
    return store, settings, ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fold", type=Path, required=True, help="folder with queries.jsonl, qrels.tsv, pools.json")
    ap.add_argument("--corpus", type=Path, required=True, help="corpus.jsonl.gz")
    ap.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "paperfeed-csfcube")
    ap.add_argument("--method", choices=["shipped", "bm25", "vectors"], default="shipped")
    args = ap.parse_args()

    import numpy as np

    from paperfeed.index import engine
    from paperfeed.rank.similar import SimilarWeights, pair_scores, shipped_weights
    from paperfeed.store import vectors as store_vectors

    ndcg, average_precision = load_metrics(args.fold)
    store, settings, ids = build(args.workdir, args.corpus)
    back = {v: k for k, v in ids.items()}
    eng = engine(settings)
    eng.refresh(store, force=True)
    queries, pools, qrels = load_fold(args.fold)

    weights = shipped_weights(settings)
    if args.method == "bm25":
        weights = SimilarWeights(**{**weights.__dict__, "vector": 0.0})
    elif args.method == "vectors":
        weights = SimilarWeights(**{**weights.__dict__, "lexical": 0.0})

    nd, ap_ = [], []
    with store.read() as conn:
        for q in queries:
            qid = q["query_id"]
            pid = ids[q["paper_id"]]
            cands = [ids[c] for c in pools[qid] if c in ids and c != q["paper_id"]]
            doc = store_vectors.get_docs(conn, [pid])[0]
            vecs = {
                k: np.frombuffer(b, dtype="<f4")
                for k, b in store_vectors.get_vectors(conn, eng.model, [pid, *cands]).items()
            }
            ranked = pair_scores(eng, doc, vecs.get(pid), cands, vecs, weights)
            order = [back[p] for p, _, _ in ranked]
            grades = qrels.get(qid, {})
            nd.append(ndcg(order, grades, k=20))
            ap_.append(average_precision(order, grades))
    print(
        json.dumps(
            {
                "ndcg@20": round(float(np.mean(nd)), 4),
                "map": round(float(np.mean(ap_)), 4),
                "queries": len(nd),
                "method": args.method,
            }
        )
    )


if __name__ == "__main__":
    main()
