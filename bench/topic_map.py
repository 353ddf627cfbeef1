"""Topic map of a month of the arXiv corpus: layouts (PCA, t-SNE, UMAP) and clusterings compared, timed.

    OMP_NUM_THREADS=2 .venv/bin/python bench/topic_map.py [--month 2025-12] [--vectors month.npy]

The month's papers (``first_listed``) of ../shared/data/arxiv-cs-2025-2026.jsonl.gz are embedded with the
bundled model (or ``--vectors``: a .npy with one row per paper of the month, in file order). Then, timed:

- clusterings on the 384-d vectors: k-means (shipped), Ward agglomerative, HDBSCAN; silhouette (cosine);
- layouts: PCA, the shipped t-SNE (``rank.topics.layout``), UMAP (when umap-learn is installed), each
  judged by trustworthiness@10 (are 2-D neighbours real neighbours), the silhouette of the k-means
  clusters in 2-D and the share of each point's 10 nearest 2-D neighbours in its own cluster;
- the shipped cluster labels (c-TF-IDF over each paper's frequent phrases; the index job's keyphrases
  are not in this file, so labels here use text phrases only).
Prints one JSON line per measurement. Set OMP_NUM_THREADS=2 to measure what 2 cores give.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
CORPUS = ROOT.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"


def emit(name: str, **fields) -> None:
    print(json.dumps({"measure": name, **fields}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--month", default="2025-12")
    ap.add_argument("--vectors", type=Path, help="precomputed vectors of the month's papers (.npy, file order)")
    args = ap.parse_args()

    from sklearn.cluster import HDBSCAN, AgglomerativeClustering
    from sklearn.decomposition import PCA
    from sklearn.manifold import trustworthiness
    from sklearn.metrics import silhouette_score
    from sklearn.neighbors import NearestNeighbors

    from paperfeed.index.text import embed_text
    from paperfeed.rank import topics

    with gzip.open(CORPUS, "rt") as f:
        rows = [r for r in map(json.loads, f) if r["first_listed"][:7] == args.month]
    if args.vectors:
        X = np.load(args.vectors).astype(np.float32)
    else:
        from paperfeed.index.embed import DocEncoder

        t = time.perf_counter()
        X = DocEncoder().encode([embed_text(r["title"], r["summary"]) for r in rows])
        emit("embed", papers=len(rows), s=round(time.perf_counter() - t, 1))
    assert len(X) == len(rows), "one vector per paper of the month"
    k = topics.n_clusters(len(X))

    def timed(fn):
        t = time.perf_counter()
        out = fn()
        return out, round(time.perf_counter() - t, 2)

    km, s = timed(lambda: topics.cluster(X))
    emit("kmeans", papers=len(X), k=k, s=s, silhouette_cos=round(float(silhouette_score(X, km, metric="cosine")), 4))
    ag, s = timed(lambda: AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(X))
    emit("agglomerative", k=k, s=s, silhouette_cos=round(float(silhouette_score(X, ag, metric="cosine")), 4))
    hd, s = timed(lambda: HDBSCAN(min_cluster_size=30).fit_predict(X))
    emit("hdbscan", clusters=int(hd.max() + 1), noise=round(float((hd < 0).mean()), 3), s=s)

    def judge(name: str, xy: np.ndarray, s: float) -> None:
        idx = NearestNeighbors(n_neighbors=11).fit(xy).kneighbors(xy, return_distance=False)[:, 1:]
        emit(
            name,
            s=s,
            trustworthiness_10=round(float(trustworthiness(X, xy, n_neighbors=10, metric="cosine")), 4),
            silhouette_2d=round(float(silhouette_score(xy, km)), 4),
            knn10_same_cluster=round(float((km[idx] == km[:, None]).mean()), 4),
        )

    judge("pca", *timed(lambda: PCA(n_components=2, random_state=0).fit_transform(X)))
    judge("tsne_shipped", *timed(lambda: topics.layout(X)))
    try:
        import umap
    except ImportError:
        emit("umap", skipped="umap-learn is not installed")
    else:
        umap.UMAP(n_components=2, metric="cosine", random_state=0).fit_transform(X[:200])  # JIT compile
        judge("umap", *timed(lambda: umap.UMAP(n_components=2, metric="cosine", random_state=0).fit_transform(X)))
    terms = [topics.paper_terms([], r["title"], r["summary"]) for r in rows]
    names, s = timed(lambda: topics.label_clusters(km, terms))
    sizes = np.bincount(km)
    emit("labels", s=s, clusters=[{"size": int(sizes[c]), "terms": names[c]} for c in np.argsort(-sizes)])


if __name__ == "__main__":
    main()
