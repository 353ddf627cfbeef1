"""Build the bundled demo data set (run once; its output is committed).

    .venv/bin/python scripts/build_demo_data.py [--shared ../shared/data]

Reads the saved trending page (102 papers, featured on 2025-03-18) and the 2,836 Hugging Face daily
papers of 2024 (real upvotes, featured days) and writes ``src/paperfeed/data/demo.jsonl.gz`` in
paperfeed's own JSONL layout. Page papers whose title matches an HF paper get its arXiv id.
"""

from __future__ import annotations

import argparse
import gzip
from datetime import date
from pathlib import Path

import orjson

from paperfeed.errors import RecordError
from paperfeed.ids import normalise_title
from paperfeed.records import PaperRecord
from paperfeed.sources import files

ROOT = Path(__file__).resolve().parent.parent
PAGE_DAY = date(2025, 3, 18)  # the page's "Mar 18": the day the arXiv corpus starts, 2025


def as_json(r: PaperRecord) -> dict:
    out = {
        "id": r.id,
        "title": r.title,
        "abstract": r.abstract,
        "authors": r.authors,
        "categories": r.categories,
        "upvotes": r.upvotes,
        "code_url": r.code_url,
        "project_url": r.project_url,
        "featured": [
            {"day": f.day.isoformat(), "submitted_by": f.submitted_by, "upvotes": f.upvotes} for f in r.featured
        ],
    }
    return {k: v for k, v in out.items() if v not in (None, [], "")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "paperfeed" / "data" / "demo.jsonl.gz")
    args = ap.parse_args()

    def good(items):
        for item in items:
            if isinstance(item, RecordError):
                raise SystemExit(f"bad record in the shared data: {item}")
            yield item

    hf = list(good(files.read(args.shared / "hf-daily-papers-2024.jsonl.gz")))
    by_title = {normalise_title(r.title): r.arxiv_id for r in hf}
    page = list(good(files.read(args.shared / "papers-page-sample.txt", page_day=PAGE_DAY)))
    matched = 0
    for r in page:
        arxiv_id = by_title.get(normalise_title(r.title))
        if arxiv_id:
            r.arxiv_id, matched = arxiv_id, matched + 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wb", compresslevel=9) as f:
        for r in page + hf:
            f.write(orjson.dumps(as_json(r)) + b"\n")
    print(
        f"wrote {len(page)} page papers ({matched} matched to arXiv ids) and {len(hf)} HF papers "
        f"to {args.out} ({args.out.stat().st_size:,} bytes)"
    )


if __name__ == "__main__":
    main()
