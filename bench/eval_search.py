"""Search quality: title -> abstract MRR on the 102 seed papers, for the shipped hybrid and its two halves.

    .venv/bin/python bench/eval_search.py [--page ../shared/data/papers-page-sample.txt]

Each paper is stored with its real abstract and a neutral title ("Seed paper 017"), then searched for by
its real title through ``paperfeed.rank.search.search`` (the product's code path: parser, BM25, vectors,
fusion). So a title can only find its paper through the abstract's words and meaning, and the exact-title
pin never helps. Prints one JSON line per method: {"method", "mrr", "hits@1", "hits@10", "queries"}.
``lexical`` and ``semantic`` are the shipped search with the other fusion weight set to zero.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--page", type=Path, default=ROOT.parent / "shared" / "data" / "papers-page-sample.txt")
    ap.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "paperfeed-eval-search")
    args = ap.parse_args()

    from paperfeed.index import job
    from paperfeed.ingest import import_items
    from paperfeed.rank.search import search
    from paperfeed.records import PaperRecord
    from paperfeed.settings import Settings
    from paperfeed.sources import files
    from paperfeed.store import Store

    papers = [r for r in files.read(args.page) if isinstance(r, PaperRecord)]
    settings = Settings(data_dir=args.workdir, search_refresh_seconds=3600)
    store = Store.open(settings.db_url)
    targets = {}
    records = []
    for i, r in enumerate(papers):
        rec = PaperRecord(title=f"Seed paper {i:03d}", abstract=r.abstract, source="eval")
        records.append(rec)
        targets[r.title] = rec.id
    import_items(store, records)
    job.run(store, settings, keywords=False)  # search and similarity do not read keyphrases

    for method, wl, wv in (("shipped", None, None), ("lexical", None, 0.0), ("semantic", 0.0, None)):
        s = settings.model_copy(
            update={
                "search_lexical_weight": settings.search_lexical_weight if wl is None else wl,
                "search_vector_weight": settings.search_vector_weight if wv is None else wv,
            }
        )
        rr, at1, at10 = [], 0, 0
        for title, pid in targets.items():
            ranked = [h.paper_id for h in search(store, s, title, limit=100).hits]
            rank = ranked.index(pid) + 1 if pid in ranked else None
            rr.append(1 / rank if rank else 0.0)
            at1 += rank == 1
            at10 += bool(rank and rank <= 10)
        n = len(rr)
        print(
            json.dumps(
                {
                    "method": method,
                    "mrr": round(sum(rr) / n, 4),
                    "hits@1": round(at1 / n, 4),
                    "hits@10": round(at10 / n, 4),
                    "queries": n,
                }
            )
        )


if __name__ == "__main__":
    main()
