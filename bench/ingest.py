"""Import speed: the 74,728-paper arXiv corpus into a fresh database, then again (must add nothing).

    .venv/bin/python bench/ingest.py [--corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz] [--db sqlite|postgresql|both]

Runs exactly what ``paperfeed import`` runs (sources.files.read -> ingest.import_items), without
embeddings. Prints one JSON line per database and run; docs/benchmarks.md records the results.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from paperfeed.ingest import import_items
from paperfeed.sources import files
from paperfeed.store import Store
from paperfeed.store import papers as P

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("PAPERFEED_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def parse_only(corpus: Path) -> dict:
    t = time.perf_counter()
    n = sum(1 for _ in files.read(corpus))
    s = time.perf_counter() - t
    return {
        "db": "none (parse only)",
        "run": "parse",
        "papers": n,
        "seconds": round(s, 2),
        "papers_per_s": round(n / s),
    }


def run(url: str, label: str, corpus: Path) -> list[dict]:
    store = Store.open(url)
    out = []
    for run_name in ("first import", "second import"):
        t = time.perf_counter()
        res = import_items(store, files.read(corpus))
        s = time.perf_counter() - t
        out.append(
            {
                "db": label,
                "run": run_name,
                "papers": res.read,
                "added": res.counts.added,
                "unchanged": res.counts.unchanged,
                "seconds": round(s, 2),
                "papers_per_s": round(res.read / s),
            }
        )
        print(json.dumps(out[-1]), flush=True)
    with store.read() as conn:
        assert P.counts(conn)["papers"] == out[0]["added"]
    store.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz")
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    print(json.dumps(parse_only(args.corpus)), flush=True)
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/bench.db", "sqlite", args.corpus)
    if args.db in ("postgresql", "both"):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            run(f"{PG}?options=-csearch_path%3D{schema}", "postgresql", args.corpus)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
