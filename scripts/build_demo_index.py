"""Build the demo's precomputed index data (run after build_demo_data.py; its output is committed).

    .venv/bin/python scripts/build_demo_index.py [--work /tmp/demo-index] [--keep-vectors]

Loads ``src/paperfeed/data/demo.jsonl.gz`` into a scratch data dir, runs the product's own index job
(the bundled model embeds every paper, keyphrases and one-line summaries are made), and writes the
vectors (float16), keyphrases and summaries with each paper's text hash to
``src/paperfeed/data/demo-index.npz``. ``paperfeed demo`` loads them, so the demo has semantic search,
similar papers, keywords, summaries, topic maps and "for you" at once. ``--keep-vectors`` starts from the
shipped file's vectors and keyphrases (as ``paperfeed demo`` does) and computes only what it lacks, e.g.
the summaries after their method changed; with ``--redo-keywords`` too, it keeps only the vectors and
makes every paper's keyphrases and summary again (after a change to their extraction).
The job's sentence step (faceted similar papers) is not shipped: set ``PAPERFEED_INDEX_SENTENCES=false``
to skip its minutes of CPU.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from paperfeed.index import bundled, job
from paperfeed.index.bundled import DEMO_INDEX
from paperfeed.index.embed import MODEL_NAME
from paperfeed.index.summaries import METHOD as SUMMARY_METHOD
from paperfeed.index.text import text_hash
from paperfeed.ingest import import_items
from paperfeed.settings import Settings
from paperfeed.sources import files
from paperfeed.store import Store
from paperfeed.store import keywords as store_keywords
from paperfeed.store import summaries as store_summaries
from paperfeed.store import vectors as store_vectors

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/demo-index"))
    ap.add_argument("--keep-vectors", action="store_true", help="start from the shipped vectors and keyphrases")
    ap.add_argument("--redo-keywords", action="store_true", help="with --keep-vectors: new keyphrases and summaries")
    args = ap.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    settings = Settings(data_dir=args.work)
    store = Store.open(settings.db_url)
    import_items(store, files.read(ROOT / "src/paperfeed/data/demo.jsonl.gz"))
    if args.keep_vectors:
        print(f"kept {bundled.load(store, ROOT / 'src/paperfeed/data' / DEMO_INDEX)} shipped vectors", file=sys.stderr)
        if args.redo_keywords:
            with store.transaction() as conn:
                ids = sorted(store_vectors.all_ids(conn))
                store_keywords.forget(conn, ids)
                store_summaries.forget(conn, ids)
    t = time.perf_counter()
    report = job.run(store, settings, progress=lambda stage, n, total: None)
    print(f"indexed in {time.perf_counter() - t:.0f} s: {report}", file=sys.stderr)
    with store.read() as conn:
        ids = sorted(store_vectors.all_ids(conn))
        vecs = store_vectors.get_vectors(conn, MODEL_NAME, ids)
        hashes = {d.id: text_hash(d.title, d.abstract) for d in store_vectors.get_docs(conn, ids)}
        kws = store_keywords.top_keywords(conn, ids)
        sums = store_summaries.for_papers(conn, ids)
    ids = [i for i in ids if i in vecs]
    np.savez_compressed(
        ROOT / "src/paperfeed/data" / DEMO_INDEX,
        model=np.array(MODEL_NAME),
        ids=np.array(ids),
        hashes=np.array([hashes[i] for i in ids]),
        vectors=np.stack([np.frombuffer(vecs[i], dtype="<f4") for i in ids]).astype(np.float16),
        keywords=np.array([json.dumps([[k, round(s, 4)] for k, s in kws.get(i, [])]) for i in ids]),
        summary_method=np.array(SUMMARY_METHOD),
        summaries=np.array([sums.get(i, "") for i in ids]),
    )
    print(f"wrote {len(ids)} vectors", file=sys.stderr)
    store.close()


if __name__ == "__main__":
    main()
