"""Library import speed: a 5,000-entry BibTeX library matched against the 74,728-paper corpus.

    .venv/bin/python bench/library_import.py [--corpus ../shared/data/arxiv-cs-2025-2026.jsonl.gz] \\
        [--db sqlite|postgresql|both] [--entries 5000] [--workdir /tmp/pflib]

Imports the corpus once per database (kept in --workdir / a ``bench_library`` schema), then writes a
library the way reference managers export one, drawn with a fixed seed from the corpus: 40% arXiv
eprints (a third versioned), 20% arXiv DOIs only (Zotero), 30% titles only, LaTeX-escaped and re-cased
(Mendeley: ``{\\"u}``, ``{{Braces}}``), 10% papers that are not there (unknown ids, journal DOIs, titles).
Times ``import_library`` end to end (parse, match, one transaction) for a new user, then the same file
again (must add nothing). Prints one JSON line per database; docs/benchmarks.md records the results.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import create_engine, text  # noqa: E402

from paperfeed.ingest import import_items  # noqa: E402
from paperfeed.library import import_library  # noqa: E402
from paperfeed.settings import Settings  # noqa: E402
from paperfeed.sources import files  # noqa: E402
from paperfeed.sources.library import parse_library  # noqa: E402
from paperfeed.store import Store  # noqa: E402
from paperfeed.store import papers as P  # noqa: E402
from paperfeed.store import users as store_users  # noqa: E402

PG = os.environ.get("PAPERFEED_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ACCENTS = {"\u0308": '\\"', "\u0301": "\\'", "\u0300": "\\`", "\u0302": "\\^", "\u0303": "\\~"}


def latexify(title: str, rng: random.Random) -> str:
    """A title as Mendeley writes it: accents as {\\"u}, capitals braced, case changed."""
    out = []
    for ch in title:
        d = unicodedata.normalize("NFD", ch)
        if len(d) == 2 and d[1] in ACCENTS:
            out.append("{" + ACCENTS[d[1]] + "{" + d[0] + "}}")
        elif ch.isupper() and rng.random() < 0.5:
            out.append("{" + ch + "}")
        else:
            out.append(ch)
    s = "".join(out)
    return "{" + (s.lower() if rng.random() < 0.3 else s) + "}"


def make_library(corpus: Path, n: int, seed: int = 11) -> bytes:
    rng = random.Random(seed)
    with gzip.open(corpus, "rt") as f:
        papers = [json.loads(line) for line in f]
    picks = rng.sample(papers, n)
    out = []
    for i, p in enumerate(picks):
        kind = rng.random()
        fields = {"author": " and ".join(p["authors"][:5]) or "Anon", "year": p.get("published", "2025")[:4]}
        if kind < 0.4:
            fields["eprint"] = p["id"] + (f"v{rng.randint(1, 3)}" if rng.random() < 0.33 else "")
            fields["archivePrefix"] = "arXiv"
            fields["title"] = "{" + p["title"] + "}"
        elif kind < 0.6:
            fields["doi"] = f"10.48550/arXiv.{p['id']}"
            fields["title"] = "{" + p["title"] + "}"
        elif kind < 0.9:
            fields["title"] = latexify(p["title"], rng)
        else:
            fields["title"] = "{Not Here: " + p["title"][::-1] + "}"
            if rng.random() < 0.5:
                fields["doi"] = f"10.1000/missing.{i}"
            else:
                fields["eprint"], fields["archivePrefix"] = f"1901.{i:05d}", "arXiv"
        body = ",\n".join(f"  {k} = {v if v.startswith('{') else '{' + v + '}'}" for k, v in fields.items())
        out.append(f"@article{{key{i},\n{body}\n}}\n")
    return "\n".join(out).encode()


def open_store(db: str, workdir: Path) -> Store:
    if db == "sqlite":
        return Store.open(f"sqlite:///{workdir / 'paperfeed.db'}")
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('CREATE SCHEMA IF NOT EXISTS "bench_library"'))
    admin.dispose()
    return Store.open(f"{PG}?options=-csearch_path%3Dbench_library")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/data/arxiv-cs-2025-2026.jsonl.gz")
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--entries", type=int, default=5000)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/pflib"))
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = make_library(args.corpus, args.entries)
    t = time.perf_counter()
    parsed = parse_library(data, name="bench.bib")
    parse_s = time.perf_counter() - t
    for db in ["sqlite", "postgresql"] if args.db == "both" else [args.db]:
        store = open_store(db, args.workdir)
        with store.read() as conn:
            have = P.counts(conn)["papers"]
        if have < 70_000:
            import_items(store, files.read(args.corpus))
        with store.read() as conn:
            have = P.counts(conn)["papers"]
        with store.transaction() as conn:
            name = f"bench{time.time_ns()}"
            uid = store_users.create_user(conn, username=name[:40], password_hash="x").id
        t = time.perf_counter()
        report = import_library(store, Settings(), data, user_id=uid, name="bench.bib")
        first = time.perf_counter() - t
        t = time.perf_counter()
        again = import_library(store, Settings(), data, user_id=uid, name="bench.bib")
        second = time.perf_counter() - t
        by: dict[str, int] = {}
        for m in report.matched:
            by[m["by"]] = by.get(m["by"], 0) + 1
        print(json.dumps({
            "db": db, "papers": have, "entries": report.entries, "parse_s": round(parse_s, 2),
            "import_s": round(first, 2), "reimport_s": round(second, 2), "added": report.added,
            "matched_by": by, "unmatched": len(report.unmatched), "reimport_added": again.added,
        }))  # fmt: skip
        store.close()
    assert len(parsed.entries) == args.entries


if __name__ == "__main__":
    main()
