"""A crawler's visit: 10,000 distinct paper pages of the 74,728-paper corpus, each requested once.

    .venv/bin/python bench/crawl.py [--work /work/bench-data/crawl] [--requests 10000] [--connections 32]
        [--workers 2] [--before HEAD | --before none] [--kinds paper api author search] [--embed-tokens 256]
        [--random-vectors] [--no-similar]

Needs ``wrk`` (``apt-get install wrk``).

Set-up, once per --work folder (each step skipped when its output is there):

1. imports the corpus (``paperfeed import``) into ``WORK/data`` (SQLite);
2. embeds every paper with the bundled int8 ONNX query encoder (``index/embed.py``, the serving graph:
   cosine 0.9996 to the fp32 query vector) into ``WORK/vectors.npy`` + ``WORK/ids.txt``, resumable
   (``WORK/parts/``), in ``--embed-procs`` processes of one thread each under ``nice -n 19``: about
   90 minutes on 2 shared cores (``--embed-tokens 64``, each paper's title and the start of its abstract:
   a quarter of that; the page costs measured hardly depend on which vectors were used). The product
   embeds documents with the fp32/bf16 torch model; these vectors are about the same, and the figures
   say which were used. ``bench/load_vectors.py`` stores them;
   ``--random-vectors`` instead: clustered random vectors, in seconds (``WORK/embed.json`` says so);
3. ``paperfeed index`` (the product's job: lexical index, HNSW graph, stored similar lists; keyphrases,
   summaries and sentences skipped: hours on this CPU, and a paper page without them is cheaper, which
   the figures say). ``--no-similar`` skips the similar lists too (10-30 minutes; only paper pages read
   them): enough for search pages (``bench/page_stages.py``, ``bench/search_instructions.py``), and a
   later run without it adds them.

Then, for each build (``--before``: the given commit checked out with ``git worktree`` into a temporary
folder, on a copy of the database migrated down to what it knows; then the working tree), it starts
``paperfeed serve --workers N --no-scheduler`` and, per kind of page, requests the URLs of a list once each
with ``wrk`` (a Lua script walking the list, 32 connections). It reports requests/s, p50/p99 latency and the
server processes' CPU time (from ``/proc``, before and after) divided by the requests: "server CPU ms per
page", which unlike p99 hardly depends on what else the machine runs, and each worker's CPU seconds (how
evenly the workers shared the connections). The URLs are drawn with a fixed seed:
paper pages, their ``/api/papers/{id}``, author pages of those papers' first authors, ``/search?q=...&p=N``
for two-word queries from their titles (pages 1-5).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from paperfeed.index.embed import MAX_TOKENS  # noqa: E402  (the product's budget: the default here)

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"
PART = 2_000  # papers per resumable part of the embedding


def paperfeed(*args: str, data: Path) -> list[str]:
    return [str(ROOT / ".venv" / "bin" / "python"), "-m", "paperfeed", "--data-dir", str(data), *args]


def _embed_part(job: tuple[int, list[str], list[str], str, int]) -> int:
    """Embed one part (one process, one thread) into ``WORK/parts/NNNN.npy``."""
    n, ids, texts, parts, tokens = job
    os.nice(19)
    from paperfeed.index.embed import OnnxQueryEncoder, onnx_file

    global _encoder
    if "_encoder" not in globals():
        _encoder = OnnxQueryEncoder(Path(parts).parent / "models" / onnx_file("int8"), threads=1)
        _encoder.tok.enable_truncation(tokens)
    vecs = _encoder.encode(texts).astype(np.float32)
    tmp = Path(parts) / f".{n:04d}.npy"
    np.save(tmp, vecs)
    os.replace(tmp, Path(parts) / f"{n:04d}.npy")
    return len(ids)


def bench_store(work: Path):
    """The bench database (SQLite in ``WORK/data``), opened as it is (no migration)."""
    from paperfeed.store import Store

    return Store.open(f"sqlite:///{work / 'data' / 'paperfeed.db'}", upgrade=False)


def random_vectors(work: Path, seed: int = 0) -> None:
    """``--random-vectors``: clustered random vectors instead of the 40-90 minutes of embedding (50 centres,
    Gaussian spread; the page costs hardly depend on the vectors, and ``WORK/embed.json`` says which served)."""
    from sqlalchemy import select

    from paperfeed.store.models import papers

    if (work / "vectors.npy").exists():
        return
    store = bench_store(work)
    with store.read() as conn:
        ids = list(conn.execute(select(papers.c.id).order_by(papers.c.id)).scalars())
    store.close()
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(50, 384)).astype(np.float32)
    vecs = centres[rng.integers(50, size=len(ids))] + rng.normal(scale=0.7, size=(len(ids), 384)).astype(np.float32)
    (work / "ids.txt").write_text("\n".join(ids) + "\n")
    (work / "embed.json").write_text(json.dumps({"encoder": f"random, 50 clusters, seed {seed}"}) + "\n")
    np.save(work / "vectors.npy", vecs)


def embed_corpus(work: Path, procs: int, tokens: int) -> None:
    """``WORK/vectors.npy`` + ``WORK/ids.txt``: every stored paper embedded by the int8 ONNX encoder, its
    text cut at ``tokens`` tokens (recorded in ``WORK/embed.json``: the figures say which vectors served)."""
    from multiprocessing import get_context

    from sqlalchemy import select

    from paperfeed.index.embed import onnx_file, write_onnx
    from paperfeed.index.text import embed_text
    from paperfeed.store.models import papers

    if (work / "vectors.npy").exists():
        return
    store = bench_store(work)
    with store.read() as conn:
        rows = conn.execute(select(papers.c.id, papers.c.title, papers.c.abstract).order_by(papers.c.id)).all()
    store.close()
    parts = work / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    model = work / "models" / onnx_file("int8")
    if not model.exists():
        write_onnx(model, "int8")
    jobs = []
    for n, i in enumerate(range(0, len(rows), PART)):
        if not (parts / f"{n:04d}.npy").exists():
            chunk = rows[i : i + PART]
            jobs.append((n, [r[0] for r in chunk], [embed_text(r[1], r[2]) for r in chunk], str(parts), tokens))
    t, done = time.perf_counter(), 0
    print(f"embedding {sum(len(j[1]) for j in jobs):,} of {len(rows):,} papers ({procs} processes)", flush=True)
    with get_context("spawn").Pool(procs) as pool:
        for got in pool.imap_unordered(_embed_part, jobs):
            done += got
            rate = done / (time.perf_counter() - t)
            print(f"  {done:,} embedded, {rate:.1f} papers/s", flush=True)
    vecs = np.concatenate([np.load(parts / f"{n:04d}.npy") for n in range(-(-len(rows) // PART))])
    (work / "ids.txt").write_text("\n".join(r[0] for r in rows) + "\n")
    (work / "embed.json").write_text(json.dumps({"encoder": onnx_file("int8"), "tokens": tokens}) + "\n")
    np.save(work / ".vectors.npy", vecs)
    os.replace(work / ".vectors.npy", work / "vectors.npy")


def import_corpus(work: Path, corpus: Path) -> None:
    db = work / "data" / "paperfeed.db"
    if db.exists():
        return
    (work / "data").mkdir(parents=True, exist_ok=True)
    subprocess.run(paperfeed("import", str(corpus), data=work / "data"), check=True)


def build_indexes(work: Path, *, similar: bool = True) -> None:
    """Store the vectors (``bench/load_vectors.py``), then ``paperfeed index``'s job with the similar lists
    (keyphrases, summaries and sentences skipped; ``similar=False``: the lists too, which only paper pages
    read); a second run finds nothing to do."""
    import load_vectors
    from sqlalchemy import func, select

    from paperfeed.index import job
    from paperfeed.rank.similar import ListRanker
    from paperfeed.settings import Settings
    from paperfeed.store import Store
    from paperfeed.store.models import paper_vectors, papers

    settings = Settings(data_dir=work / "data")
    store = Store.open(settings.db_url)
    with store.read() as conn:
        have = conn.execute(select(func.count()).select_from(paper_vectors)).scalar_one()
        total = conn.execute(select(func.count()).select_from(papers)).scalar_one()
    if have < total:
        print(load_vectors.load(store, work / "vectors.npy", work / "ids.txt", fill_synthetic=False), flush=True)
    seen: dict[str, float] = {}

    def tick(stage: str, n: int, total: int | None) -> None:
        if total is not None:
            print(f"  {stage}: {total:,} to do", flush=True)
        seen[stage] = seen.get(stage, 0) + n
        if n and int(seen[stage]) % 5_000 < n:
            print(f"  {stage}: {int(seen[stage]):,}", flush=True)

    t = time.perf_counter()
    report = job.run(store, settings, keywords=False, sentences=False, summaries=False, progress=tick,
                     similar=ListRanker(store, settings) if similar else None)  # fmt: skip
    print(f"index job: {report} ({time.perf_counter() - t:.0f} s)", flush=True)
    store.close()


LUA = r"""
-- each wrk thread walks its share of the URL list once; a thread stops after its share's answers
local n = 0
function setup(thread)
  thread:set("tid", n)
  n = n + 1
end
function init(args)
  local nthreads, want = tonumber(args[2]), tonumber(args[3])
  donefile = args[4] .. "/" .. tid
  paths = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == tid then table.insert(paths, line) end
    i = i + 1
  end
  mine = math.floor(want / nthreads) + ((tid < want % nthreads) and 1 or 0)
  sent, got, bad = 0, 0, 0
end
function request()
  sent = sent + 1
  return wrk.format("GET", paths[sent] or paths[#paths])
end
function response(status, headers, body)
  got = got + 1
  if status ~= 200 then bad = bad + 1 end
  if got == mine then
    local f = io.open(donefile, "w")
    f:write(tostring(bad))
    f:close()
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""
RESERVE = 64  # URLs past the count, for the requests in flight when the last answer of a thread arrives


def pick_urls(work: Path, n: int, seed: int = 13) -> dict[str, list[str]]:
    """Distinct URLs of each kind (``n`` plus a reserve), drawn with a fixed seed from the bench database."""
    import random
    from urllib.parse import quote, urlencode

    from sqlalchemy import select

    from paperfeed.store.models import paper_authors, papers

    store = bench_store(work)
    with store.read() as conn:
        rows = conn.execute(select(papers.c.id, papers.c.title).where(papers.c.hidden.is_(False))).all()
        first = dict(conn.execute(select(paper_authors.c.paper_id, paper_authors.c.name)
                                  .where(paper_authors.c.position == 0)).all())  # fmt: skip
    store.close()
    rng = random.Random(seed)
    rows.sort()
    rng.shuffle(rows)
    want = n + RESERVE * 4  # the last RESERVE warm the servers up; the crawl never reaches them
    ids = [pid for pid, _ in rows[:want]]
    authors = list(dict.fromkeys(first[pid] for pid, _ in rows if pid in first))[:want]
    words = [w for _, title in rows[: want // 5 * 3] for w in [re.findall(r"[A-Za-z]{5,}", title)] if len(w) >= 2]
    queries = list(dict.fromkeys(" ".join(rng.sample(w, 2)).lower() for w in words))[: -(-want // 5)]
    return {
        "paper": [f"/papers/{pid}" for pid in ids],
        "api": [f"/api/papers/{pid}" for pid in ids],
        "author": [f"/authors/{quote(a)}" for a in authors],
        "search": [f"/search?{urlencode({'q': q, 'p': p})}" for q in queries for p in range(1, 6)][:want],
    }


def crawl(
    base: str, urls: list[str], n: int, *, connections: int, threads: int, server_pid: int, tmp: Path, limit: float
) -> dict:
    """Request ``n`` of ``urls`` once each with wrk; the rate, p50/p99 and the server's CPU per request."""
    from web import children_cpu_seconds, tree_cpu_seconds

    (tmp / "urls.txt").write_text("\n".join(urls[: n + RESERVE * threads]) + "\n")
    (tmp / "crawl.lua").write_text(LUA)
    done = tmp / "done"
    shutil.rmtree(done, ignore_errors=True)
    done.mkdir()
    cpu0, kids0 = tree_cpu_seconds(server_pid), children_cpu_seconds(server_pid)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", "-d3600s", "--timeout", "10s", "-s", str(tmp / "crawl.lua"),
           base, "--", str(tmp / "urls.txt"), str(threads), str(n), str(done)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + limit
    while len(list(done.iterdir())) < threads and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)  # wrk then prints its summary over the time it ran
    out, _ = proc.communicate(timeout=60)
    cpu = tree_cpu_seconds(server_pid) - cpu0
    kids = children_cpu_seconds(server_pid)
    # with one shared listening socket, kept-alive connections may all land on one worker (docs/benchmarks.md)
    split = sorted((round(kids[k] - kids0[k], 1) for k in kids if k in kids0 and kids[k] - kids0[k] >= 0.05),
                   reverse=True)  # fmt: skip
    got = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    bad = sum(int(f.read_text() or 0) for f in done.iterdir())
    return {
        "requests": got["requests"],
        "rps": round(got["requests"] / (got["duration_us"] / 1e6), 1),
        "p50_ms": round(got["p50_us"] / 1000, 1),
        "p99_ms": round(got["p99_us"] / 1000, 1),
        "server_cpu_ms": round(1000 * cpu / max(1, got["requests"]), 2),
        "non_200": bad,  # of the URLs counted (wrk's errors: non-2xx answers, timeouts, socket errors)
        "errors": got["errors"],
        "load_avg": round(os.getloadavg()[0], 1),
        "worker_cpu_s": split,  # CPU seconds of each busy server process during the crawl
    }


def serve_and_crawl(label: str, src: Path, data: Path, urls: dict, n: int, args, tmp: Path) -> list[dict]:
    from web import free_port, stop, wait_ready

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(src), "PAPERFEED_RATE_LIMIT_PER_MINUTE": "0"}
    cmd = [*paperfeed("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers),
                      "--no-scheduler", data=data)]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        wait_ready(base + "/healthz", proc, timeout=120)
        for kind in args.kinds:
            for path in urls[kind][-RESERVE:][: args.warm]:  # warm every worker on URLs the crawl never asks for
                httpx.get(base + path, timeout=60)
            r = crawl(base, urls[kind], n, connections=args.connections, threads=args.wrk_threads,
                      server_pid=proc.pid, tmp=tmp, limit=args.max_seconds)  # fmt: skip
            row = {"build": label, "kind": kind, "workers": args.workers, **r}
            print(json.dumps(row), flush=True)
            rows.append(row)
    finally:
        stop(proc, timeout=20)
    return rows


def before_build(work: Path, commit: str, tmp: Path) -> tuple[Path, Path]:
    """The commit checked out into a temporary worktree, and a copy of the bench database (and its indexes)
    migrated down to the schema that commit knows."""
    from alembic import command
    from alembic.script import ScriptDirectory

    from paperfeed.index import index_root
    from paperfeed.settings import Settings
    from paperfeed.store import Store
    from paperfeed.store.db import alembic_config

    tree = tmp / "before"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    old_cfg = alembic_config(None)
    old_cfg.set_main_option("script_location", str(tree / "src" / "paperfeed" / "store" / "migrations"))
    old_head = ScriptDirectory.from_config(old_cfg).get_current_head()
    data = tmp / "before-data"
    data.mkdir()
    with closing(sqlite3.connect(work / "data" / "paperfeed.db")) as conn:  # a consistent copy (WAL included)
        conn.execute("VACUUM INTO ?", (str(data / "paperfeed.db"),))
    copy = Store.open(f"sqlite:///{data / 'paperfeed.db'}", upgrade=False)
    command.downgrade(alembic_config(copy.engine), old_head)
    copy.close()
    shutil.copytree(index_root(Settings(data_dir=work / "data")), index_root(Settings(data_dir=data)))
    if (work / "data" / "index" / "models").exists():  # the ONNX query model, built on a first search
        shutil.copytree(work / "data" / "index" / "models", data / "index" / "models")
    return tree, data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/work/bench-data/crawl"))
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--embed-procs", type=int, default=2)
    ap.add_argument(
        "--embed-tokens",
        type=int,
        default=MAX_TOKENS,
        help="cut each paper's text at this many tokens when embedding (fewer: a faster set-up)",
    )
    ap.add_argument("--random-vectors", action="store_true", help="clustered random vectors, not embeddings")
    ap.add_argument("--prepare-only", action="store_true")
    ap.add_argument(
        "--no-similar",
        action="store_true",
        help="skip the similar lists of the set-up (10-30 minutes; only paper pages read them: search-only runs)",
    )
    ap.add_argument("--requests", type=int, default=10_000, help="distinct URLs requested once each, per kind")
    ap.add_argument("--before-requests", type=int, default=2_000, help="... against the previous commit")
    ap.add_argument("--before", default="HEAD", help="the commit to compare with ('none': this tree only)")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--warm", type=int, default=20, help="requests per kind before the crawl (not counted)")
    ap.add_argument("--kinds", nargs="+", default=["paper", "api", "author", "search"])
    ap.add_argument("--max-seconds", type=float, default=900, help="stop a crawl that runs longer than this")
    args = ap.parse_args()
    import_corpus(args.work, args.corpus)
    if args.random_vectors:
        random_vectors(args.work)
    embed_corpus(args.work, args.embed_procs, args.embed_tokens)
    build_indexes(args.work, similar=not args.no_similar)
    if args.prepare_only:
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    urls = pick_urls(args.work, args.requests)
    rows = []
    with tempfile.TemporaryDirectory(prefix="pf-crawl-") as tmp_name:
        tmp = Path(tmp_name)
        if args.before != "none":
            try:
                tree, data = before_build(args.work, args.before, tmp)
                rows += serve_and_crawl(f"before ({args.before})", tree / "src", data, urls, args.before_requests,
                                        args, tmp)  # fmt: skip
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tmp / "before")])
        rows += serve_and_crawl("this tree", ROOT / "src", args.work / "data", urls, args.requests, args, tmp)
    print(f"\n{os.cpu_count()} cores; wrk -t{args.wrk_threads} -c{args.connections}; {args.workers} workers\n")
    print("| page | build | requests | requests/s | p50 ms | p99 ms | server CPU ms/request | errors | load avg | "
          "CPU s per worker |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for kind in args.kinds:
        for r in (r for r in rows if r["kind"] == kind):
            split = " / ".join(map(str, r["worker_cpu_s"]))
            print(f"| {kind} | {r['build']} | {r['requests']:,} | {r['rps']:,} | {r['p50_ms']} | {r['p99_ms']} | "
                  f"{r['server_cpu_ms']} | {r['errors']} | {r['load_avg']} | {split} |")  # fmt: skip


if __name__ == "__main__":
    main()
