"""Search latency and memory: 1,000 realistic queries against the 75k-paper corpus, SQLite and PostgreSQL.

    .venv/bin/python bench/search_latency.py --corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz \\
        --vectors-from sqlite:////tmp/pf75k/paperfeed.db [--pg postgresql+psycopg://postgres@127.0.0.1/test]

For each database: imports the corpus (once; kept in --workdir / a ``bench_search`` schema), copies the
real embeddings already computed by ``paperfeed index`` in --vectors-from, fills papers without one with
synthetic vectors (a normalised mix of two real vectors plus noise, so the HNSW graph sees realistic
geometry; the count of real vectors is printed), builds the indexes with the product's job, warms the
process (``paperfeed.index.warm``), then times ``paperfeed.rank.search.search`` on 1,000 queries drawn
with a fixed seed: 40% paper titles, 30% pairs of content words, 15% author names, 15% quoted 2-3 word
phrases from abstracts. Prints one JSON line per database: p50/p95/p99 ms (hybrid: query embedding, BM25,
HNSW, fusion and the database check of the page), lexical-only p95, RSS of the serving process.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

STOP = set("the of and a an in for on with to by from is are we our this that via using based as at be".split())


def rss_mb() -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def make_queries(corpus: Path, n: int = 1000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    rows = [json.loads(line) for line in gzip.open(corpus, "rt")]
    out = []
    for _ in range(n):
        r = rng.choice(rows)
        kind = rng.random()
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z\-]{3,}", r["summary"]) if w.lower() not in STOP]
        if kind < 0.40:
            out.append(r["title"])
        elif kind < 0.70 and len(words) >= 2:
            out.append(" ".join(rng.sample(words, 2)).lower())
        elif kind < 0.85 and r["authors"]:
            out.append(rng.choice(r["authors"]))
        else:
            toks = r["summary"].split()
            i = rng.randrange(max(1, len(toks) - 3))
            out.append('"' + " ".join(re.sub(r"[^\w\-]", "", t) for t in toks[i : i + rng.choice((2, 3))]) + '"')
    return out


def prepare(url: str, workdir: Path, corpus: Path, vectors_from: str | None) -> tuple:
    import numpy as np

    from paperfeed.index import job
    from paperfeed.index.embed import DIM, MODEL_NAME
    from paperfeed.ingest import import_items
    from paperfeed.settings import Settings
    from paperfeed.sources import files
    from paperfeed.store import Store
    from paperfeed.store import vectors as sv

    store = Store.open(url)
    settings = Settings(data_dir=workdir, database_url=url)
    with store.read() as conn:
        have = sv.count_papers(conn)
    if not have:
        t = time.perf_counter()
        import_items(store, files.read(corpus))
        print(f"# {url.split(':')[0]}: imported in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    real = 0
    with store.read() as conn:
        missing = sv.count_to_embed(conn, MODEL_NAME)
    if missing and vectors_from:
        src = Store.open(vectors_from, upgrade=False)
        with store.read() as conn:
            todo = {p.id for p in _all_to_embed(conn)}
        got: dict[str, bytes] = {}
        with src.read() as conn:
            for page in sv.iter_vectors(conn, MODEL_NAME):
                got.update((pid, b) for pid, b, _ in page if pid in todo)
        real = len(got)
        rng = np.random.default_rng(0)
        pool = np.stack([np.frombuffer(b, dtype="<f4") for b in list(got.values())[:20000]])
        rows = []
        for pid in sorted(todo):
            if pid in got:
                rows.append((pid, "bench-real", got[pid]))
                continue
            a, b = pool[rng.integers(len(pool), size=2)]
            v = a + 0.5 * b + rng.normal(0, 0.03, DIM).astype(np.float32)
            v /= np.linalg.norm(v)
            rows.append((pid, "bench-synthetic", v.astype("<f4").tobytes()))
        for i in range(0, len(rows), 5000):
            with store.transaction() as conn:
                sv.save_vectors(conn, MODEL_NAME, rows[i : i + 5000])
        src.close()
    t = time.perf_counter()
    report = job.run(store, settings, embed=False)
    print(
        f"# indexed: {report.lexical} papers lexically in {report.seconds.get('lexical', 0):.1f} s, "
        f"{report.vectors} vectors in {report.seconds.get('vectors', 0):.1f} s ({time.perf_counter() - t:.0f} s)",
        file=sys.stderr,
    )
    return store, settings, real


def _all_to_embed(conn):
    from paperfeed.index.embed import MODEL_NAME
    from paperfeed.index.text import text_hash
    from paperfeed.store import vectors as sv

    after = ""
    while after is not None:
        page, after = sv.next_to_embed(conn, MODEL_NAME, text_hash, after=after, page=10_000)
        yield from page


def measure(store, settings, queries: list[str]) -> dict:
    import numpy as np

    from paperfeed.index import warm
    from paperfeed.rank.search import QueryError, search

    warm(settings, store)
    for q in queries[:20]:
        search(store, settings, q)
    out = {}
    for name, s in (("hybrid", settings), ("lexical", settings.model_copy(update={"search_vector_weight": 0.0}))):
        times = []
        for q in queries:
            t = time.perf_counter()
            try:
                search(store, s, q, limit=20)
            except QueryError:
                pass
            times.append((time.perf_counter() - t) * 1000)
        a = np.array(times)
        out[name] = {p: round(float(np.percentile(a, int(p[1:]))), 2) for p in ("p50", "p95", "p99")}
    rss, hwm = rss_mb()
    out["rss_mb"] = round(rss)
    out["peak_rss_mb"] = round(hwm)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--vectors-from", help="database URL whose paper_vectors hold real embeddings")
    ap.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "paperfeed-latency")
    ap.add_argument("--pg", default=None, help="PostgreSQL URL (a bench_search schema is used)")
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--queries", type=int, default=1000)
    args = ap.parse_args()

    if args.db == "sqlite":
        url = f"sqlite:///{(args.workdir / 'sqlite' / 'paperfeed.db').resolve()}"
        workdir = args.workdir / "sqlite"
    else:
        from sqlalchemy import create_engine, text

        base = args.pg or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        eng = create_engine(base, isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            conn.execute(text("CREATE SCHEMA IF NOT EXISTS bench_search"))
        eng.dispose()
        url = f"{base}?options=-csearch_path%3Dbench_search"
        workdir = args.workdir / "postgresql"
    queries = make_queries(args.corpus, args.queries)
    store, settings, real = prepare(url, workdir, args.corpus, args.vectors_from)
    from paperfeed.store import vectors as sv

    with store.read() as conn:
        n = sv.count_papers(conn)
    res = measure(store, settings, queries)
    print(json.dumps({"db": args.db, "papers": n, "real_vectors": real, "queries": len(queries), **res}))


if __name__ == "__main__":
    main()
