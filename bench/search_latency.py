"""Search latency and memory: 1,000 realistic queries at 75k (or 1M) papers, SQLite and PostgreSQL.

    .venv/bin/python bench/search_latency.py --corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz \
        --vectors-npy /work/bench-data/arxiv75k-vectors.npy --vectors-ids /work/bench-data/arxiv75k-ids.txt \
        [--db postgresql] [--stages] [--similar 200] [--scale /tmp/pf1m/synthetic --workdir /tmp/pf1m]

Set-up, once per --workdir (or ``bench_search`` PostgreSQL schema): imports the corpus (and, with --scale,
``bench/scale_corpus.py``'s synthetic papers), stores the real vectors of --vectors-npy with
``bench/load_vectors.py`` (papers without one get a synthetic vector; the count of real ones is printed),
builds the indexes with the product's job (on PostgreSQL then ``VACUUM (ANALYZE)``, as autovacuum would).
Then a fresh process that only serves (no corpus or import in
its memory) opens the indexes (``paperfeed.index.warm``) and times ``paperfeed.rank.search.search`` on
1,000 queries drawn with a fixed seed: 40% paper titles, 30% pairs of content words, 15% author names,
15% quoted 2-3 word phrases from abstracts; then the same with lexical search only; then, with
--similar N, ``similar()`` for N random papers. Prints one JSON line: p50/p95/p99/mean ms and CPU ms per
query (hybrid: query embedding, BM25, HNSW, fusion and the database check of the page), with --stages
the mean wall/CPU ms of each stage, and the serving process's resident memory (total, anonymous,
file-backed) at the end. Re-time the same set-up with ``--serve URL WORKDIR`` (what the parent runs).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

STOP = set("the of and a an in for on with to by from is are we our this that via using based as at be".split())


def rss_mb() -> dict[str, int]:
    """Resident memory of this process (MB): total, anonymous (heap), file-backed (mapped files), peak."""
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    mb = {k: round(int(fields[k].split()[0]) / 1024) for k in ("VmRSS", "RssAnon", "RssFile", "VmHWM")}
    return {"rss_mb": mb["VmRSS"], "anon_mb": mb["RssAnon"], "file_mb": mb["RssFile"], "peak_mb": mb["VmHWM"]}


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


def prepare(url: str, workdir: Path, corpus: Path, npy: Path | None, ids: Path | None, scale: Path | None) -> tuple:
    """Import the corpus (once), store vectors for every paper (once), build the indexes with the job.

    ``scale``: the prefix of ``bench/scale_corpus.py``'s files, imported and loaded after the corpus.
    """
    from load_vectors import load

    from paperfeed.index import job
    from paperfeed.index.embed import MODEL_NAME
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
        if scale:
            import_items(store, files.read(scale.with_name(scale.name + ".jsonl.gz")))
        print(f"# {url.split(':')[0]}: imported in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    marker = workdir / "bench-vectors.json"
    done = json.loads(marker.read_text()) if marker.exists() else {}
    with store.read() as conn:
        missing = sv.count_to_embed(conn, MODEL_NAME)
    if (npy and done.get("npy") != str(npy)) or (missing and not done):
        extra = {}
        if scale:
            extra = load(
                store,
                scale.with_name(scale.name + "-vectors.npy"),
                scale.with_name(scale.name + "-ids.txt"),
                fill_synthetic=False,
            )
        counts = {**load(store, npy, ids, fill_synthetic=True), "npy": str(npy) if npy else None}
        counts["synthetic"] += extra.get("real", 0)
        marker.write_text(json.dumps(counts))
        print(f"# vectors stored: {counts}", file=sys.stderr)
    t = time.perf_counter()
    report = job.run(store, settings, embed=False)
    print(
        f"# indexed: {report.lexical} papers lexically in {report.seconds.get('lexical', 0):.1f} s, "
        f"{report.vectors} vectors in {report.seconds.get('vectors', 0):.1f} s ({time.perf_counter() - t:.0f} s)",
        file=sys.stderr,
    )
    if url.startswith("postgresql"):  # what autovacuum does on a default server (this one runs without it)
        from sqlalchemy import create_engine

        with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) papers")
            conn.exec_driver_sql("VACUUM (ANALYZE) paper_vectors")
    counts = json.loads(marker.read_text()) if marker.exists() else {}
    return store, settings, counts.get("real")


class StageTimer:
    """Wall time spent in each stage of a search, by wrapping the engine's calls (``--stages``)."""

    def __init__(self):
        self.ms: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}

    def wrap(self, obj, attr: str, stage: str) -> None:
        fn = getattr(obj, attr)

        def timed(*a, **kw):
            t, c = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **kw)
            finally:
                self.ms.setdefault(stage, []).append((time.perf_counter() - t) * 1000)
                self.cpu.setdefault(stage, []).append((time.process_time() - c) * 1000)

        setattr(obj, attr, timed)

    def install(self, eng) -> None:
        import paperfeed.rank.search as rs

        enc = eng.query_encoder()
        if enc is not None:
            self.wrap(enc, "encode", "query embedding")
        self.wrap(eng.lexical, "search", "tantivy")
        self.wrap(eng.lexical, "ids_matching", "tantivy")
        self.wrap(eng.vectors, "search", "hnsw")
        self.wrap(rs, "_visible_page", "database check")

    def summary(self, n: int) -> dict:
        """Mean wall ms and mean CPU ms (all threads) per query, by stage."""
        return {stage: [round(sum(v) / n, 2), round(sum(self.cpu[stage]) / n, 2)] for stage, v in self.ms.items()}


def measure(store, settings, queries: list[str], *, stages: bool = False, similar: int = 0) -> dict:
    """Time the queries in this (serving) process: hybrid, then lexical only; RSS after both."""
    import numpy as np

    from paperfeed.index import warm
    from paperfeed.rank.search import QueryError, search

    eng = warm(settings, store)
    for q in queries[:20]:
        search(store, settings, q)
    out = {"rss_warm_mb": rss_mb()["rss_mb"]}
    timer = StageTimer() if stages else None
    for name, s in (("hybrid", settings), ("lexical", settings.model_copy(update={"search_vector_weight": 0.0}))):
        if timer and name == "hybrid":
            timer.install(eng)
        times, cpu = [], []
        for q in queries:
            t, c = time.perf_counter(), time.process_time()
            try:
                search(store, s, q, limit=20)
            except QueryError:
                pass
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        if timer and name == "hybrid":
            out["hybrid_stage_ms_wall_cpu"] = timer.summary(len(queries))
            timer = None
        a = np.array(times)
        out[name] = {p: round(float(np.percentile(a, int(p[1:]))), 2) for p in ("p50", "p95", "p99")}
        out[name]["mean"] = round(float(a.mean()), 2)
        out[name]["cpu_mean"] = round(float(np.mean(cpu)), 2)
    if similar:  # then the paper page's "similar papers" for random papers, timed and counted in the RSS
        import random

        from paperfeed.rank.similar import similar as similar_papers
        from paperfeed.store import vectors as sv

        with store.read() as conn:
            ids = sorted(sv.all_ids(conn))
        times = []
        for pid in random.Random(3).sample(ids, similar):
            t = time.perf_counter()
            similar_papers(store, settings, pid, limit=10)
            times.append((time.perf_counter() - t) * 1000)
        out["similar"] = {p: round(float(np.percentile(times, int(p[1:]))), 2) for p in ("p50", "p95", "p99")}
    out.update(rss_mb())
    return out


def serve(url: str, workdir: Path, queries: Path, stages: bool, similar: int) -> dict:
    """The measurement, run in a fresh process that only serves: no corpus, import or indexing in its memory."""
    from paperfeed.settings import Settings
    from paperfeed.store import Store

    store = Store.open(url, upgrade=False)
    settings = Settings(data_dir=workdir, database_url=url)
    return measure(store, settings, json.loads(queries.read_text()), stages=stages, similar=similar)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path)
    ap.add_argument(
        "--vectors-npy", type=Path, help="real vectors (bench/load_vectors.py), rows in --vectors-ids order"
    )
    ap.add_argument("--vectors-ids", type=Path, help="paper ids, one a line")
    ap.add_argument("--scale", type=Path, help="prefix of bench/scale_corpus.py's synthetic papers (1M runs)")
    ap.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "paperfeed-latency")
    ap.add_argument("--pg", default=None, help="PostgreSQL URL (a bench_search schema is used)")
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--stages", action="store_true", help="also report the mean ms of each stage (hybrid)")
    ap.add_argument("--similar", type=int, default=0, help="then time similar() for this many random papers")
    ap.add_argument("--serve", nargs=2, metavar=("URL", "WORKDIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.serve:
        queries = Path(args.serve[1]) / f"queries-{args.queries}.json"  # written by the parent process
        print(json.dumps(serve(args.serve[0], Path(args.serve[1]), queries, args.stages, args.similar)))
        return
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
    workdir.mkdir(parents=True, exist_ok=True)
    store, settings, real = prepare(url, workdir, args.corpus, args.vectors_npy, args.vectors_ids, args.scale)
    from paperfeed.store import vectors as sv

    with store.read() as conn:
        n = sv.count_papers(conn)
    store.close()
    cmd = [sys.executable, __file__, "--corpus", str(args.corpus), "--queries", str(args.queries)]
    cmd += ["--serve", url, str(workdir), "--similar", str(args.similar)] + (["--stages"] if args.stages else [])
    (workdir / f"queries-{args.queries}.json").write_text(json.dumps(make_queries(args.corpus, args.queries)))
    res = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    print(json.dumps({"db": args.db, "papers": n, "real_vectors": real, "queries": args.queries, **res}))


if __name__ == "__main__":
    main()
