"""The store's reads that every page or search pays: ``get_papers`` of a page of 30 cards (alone, and
in four threads at once as a serving process's handler threads call it), and a serving process's catch-up
with new vectors when there are none (``iter_vectors`` after the newest, which each process runs every
``search_refresh_seconds``), side by side with an earlier commit.

    .venv/bin/python bench/store_reads.py --work /tmp/prof/big [--before HEAD | --before none]

``--work`` is a folder that ``bench/crawl.py`` prepared (the 74,728-paper corpus in ``WORK/data``). The
earlier commit is checked out into a temporary worktree, with a copy of the database migrated down to
its schema (``crawl.before_build``); each build is timed in a process of its own. The two builds run
in turns (before, this tree, before, this tree). Per run: the best of 5 rounds of 200 ``get_papers``
calls (30 random papers of a fixed seed); the CPU time of 4 threads making 100 such calls each at once
(400 pages of 30 random papers), per call; and the best of 5 rounds of 20 catch-ups. One JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best_ms(fn, calls: int, rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - started) / calls)
    return round(best * 1000, 3)


def threaded_cpu_ms(store, pages: list[list[str]], threads: int = 4) -> float:
    """CPU time per ``get_papers`` call while ``threads`` threads (a connection each) make them at once."""
    from paperfeed.store import papers as store_papers

    def work(part: list[list[str]]) -> None:
        with store.read() as conn:
            for page in part:
                store_papers.get_papers(conn, page)

    started = time.process_time()
    workers = [threading.Thread(target=work, args=(pages[i::threads],)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return round((time.process_time() - started) * 1000 / len(pages), 3)


def measure(db: Path) -> dict:
    """Run in the build's own process (its ``src`` on PYTHONPATH)."""
    from paperfeed.store import Store
    from paperfeed.store import papers as store_papers
    from paperfeed.store import vectors as store_vectors

    store = Store.open(f"sqlite:///{db}", upgrade=False)
    with store.read() as conn:
        ids = sorted(store_vectors.all_ids(conn))
        page = random.Random(7).sample(ids, 30)
        model = conn.exec_driver_sql("SELECT model FROM paper_vectors LIMIT 1").scalar()
        since = store_vectors.max_vector_created_at(conn, model)
        last = conn.exec_driver_sql(  # the last id stored at that instant: where a caught-up process stands
            "SELECT max(paper_id) FROM paper_vectors WHERE model = ? AND created_at = "
            "(SELECT max(created_at) FROM paper_vectors WHERE model = ?)",
            (model, model),
        ).scalar()

        def catch_up() -> int:
            return sum(len(p) for p in store_vectors.iter_vectors(conn, model, since, after_id=last))

        assert catch_up() == 0, "the catch-up after the newest vector found some"
        rng = random.Random(11)
        pages = [rng.sample(ids, 30) for _ in range(400)]
        return {
            "get_papers_30_ms": best_ms(lambda: store_papers.get_papers(conn, page), 200),
            "get_papers_30_in_4_threads_cpu_ms": threaded_cpu_ms(store, pages),
            "vector_catch_up_ms": best_ms(catch_up, 20),
            "vectors": len(ids),
            "newest": str(since),
        }


def run_build(label: str, src: Path, db: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, __file__, "--measure", str(db)], env=env, capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    return {"build": label, **json.loads(out.strip().splitlines()[-1])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/work/bench-data/crawl"))
    ap.add_argument("--before", default="HEAD", help="the commit to compare with ('none': this tree only)")
    ap.add_argument("--rounds", type=int, default=2, help="turns of each build")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    from crawl import before_build

    with tempfile.TemporaryDirectory(prefix="pf-reads-") as tmp_name:
        tmp = Path(tmp_name)
        builds = []
        try:
            if args.before != "none":
                tree, data = before_build(args.work, args.before, tmp)
                builds.append((f"before ({args.before})", tree / "src", data / "paperfeed.db"))
            builds.append(("this tree", ROOT / "src", args.work / "data" / "paperfeed.db"))
            for _ in range(args.rounds):
                for label, src, db in builds:
                    print(json.dumps(run_build(label, src, db)), flush=True)
        finally:
            if args.before != "none":
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tmp / "before")])


if __name__ == "__main__":
    main()
