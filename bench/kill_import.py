"""Kill -9 in the middle of importing the 74,728-paper corpus, several times, then the same import to its end.

    .venv/bin/python bench/kill_import.py [--corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz] \\
        [--db sqlite|postgresql|both] [--kills 4] [--seed 1] [--workdir /tmp/pf-kill-import]

For each database: first one clean ``paperfeed import CORPUS`` into a fresh database (the reference: its
rows per table, its lexical index, its time T, start-up included). Then, into another fresh database, the
same command killed with SIGKILL at a random moment between 5% and 100% of T, ``--kills`` times. After each
kill the database must pass its checks (SQLite: ``PRAGMA integrity_check`` and ``foreign_key_check``; both:
no orphan rows under any foreign key, the schema at its head revision) and hold either nothing (killed inside
the import's one transaction) or exactly the reference's rows (killed after the commit, while the search
index takes the papers in). Last, the command run to its end must exit 0 and leave the reference's rows and
as many papers in the lexical index. Prints one JSON line per kill and per database; exits 1 on any
difference. docs/benchmarks.md records the results (tests/cli/test_kill_import.py does the same with the
demo file at two chosen moments).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # tests.helpers.kill: the checks the kill tests run, the same here

from paperfeed.index.lexical import LexicalIndex  # noqa: E402
from paperfeed.settings import Settings  # noqa: E402
from paperfeed.store import Store  # noqa: E402
from tests.helpers.kill import counts, problems  # noqa: E402

PG = os.environ.get("PAPERFEED_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def command(url: str, data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "paperfeed", "--database-url", url, "--data-dir", str(data), *args]


def lexical_docs(url: str, data: Path) -> int:
    from paperfeed.index import index_root

    return LexicalIndex(index_root(Settings(data_dir=data, database_url=url)) / "lexical").num_docs


def run(label: str, ref_url: str, url: str, corpus: Path, data: Path, kills: int, rng: random.Random) -> bool:
    t = time.perf_counter()
    r = subprocess.run(command(ref_url, data, "import", "--json", str(corpus)), capture_output=True, text=True)
    clean_s = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"{label}: the clean import failed: {r.stderr}")
    ref_store = Store.open(ref_url)
    ref, ref_docs = counts(ref_store), lexical_docs(ref_url, data)
    ref_store.close()
    print(json.dumps({"db": label, "run": "clean", "seconds": round(clean_s, 1), "papers": ref["papers"],
                      "lexical_docs": ref_docs}), flush=True)  # fmt: skip

    store = Store.open(url)
    empty = counts(store)
    ok = True
    for i in range(kills):
        at = rng.uniform(0.05, 1.0) * clean_s
        proc = subprocess.Popen(command(url, data, "import", str(corpus)), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            proc.wait(at)
            killed = False  # it finished first
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            killed = True
        t = time.perf_counter()
        found = problems(store)
        now = counts(store)
        state = "untouched" if now == empty else "complete" if now == ref else "PARTIAL"
        ok &= not found and state != "PARTIAL"
        print(json.dumps({"db": label, "run": f"kill {i + 1}", "at_s": round(at, 1), "killed": killed,
                          "state": state, "problems": found, "papers": now["papers"],
                          "check_s": round(time.perf_counter() - t, 1)}), flush=True)  # fmt: skip

    t = time.perf_counter()
    r = subprocess.run(command(url, data, "import", "--json", str(corpus)), capture_output=True, text=True)
    rerun_s = time.perf_counter() - t
    found = problems(store) if r.returncode == 0 else [f"exit {r.returncode}: {r.stderr[-500:]}"]
    same = counts(store) == ref
    docs = lexical_docs(url, data)
    store.close()
    ok &= not found and same and docs == ref_docs
    print(json.dumps({"db": label, "run": "rerun", "seconds": round(rerun_s, 1), "exit": r.returncode,
                      "report": json.loads(r.stdout) if r.returncode == 0 else None, "problems": found,
                      "counts_equal_clean": same, "lexical_docs": docs}), flush=True)  # fmt: skip
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz")
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--kills", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/pf-kill-import"))
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    rng = random.Random(args.seed)
    shutil.rmtree(args.workdir, ignore_errors=True)
    data = args.workdir / "data"
    ok = True
    if args.db in ("sqlite", "both"):
        ok &= run("sqlite", f"sqlite:///{args.workdir}/clean.db", f"sqlite:///{args.workdir}/killed.db",
                  args.corpus, data, args.kills, rng)  # fmt: skip
    if args.db in ("postgresql", "both"):
        schemas = [f"bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        admin = create_engine(PG, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for s in schemas:
                conn.execute(text(f"CREATE SCHEMA {s}"))
        try:
            clean, killed = (f"{PG}?options=-csearch_path%3D{s}" for s in schemas)
            ok &= run("postgresql", clean, killed, args.corpus, data, args.kills, rng)
        finally:
            with admin.connect() as conn:
                for s in schemas:
                    conn.execute(text(f"DROP SCHEMA {s} CASCADE"))
    shutil.rmtree(args.workdir, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
